// A host's config as a QR code for the WireGuard app: profile choice, size, export, print.
#include "qrpane.h"

#include "atomicfile.h"
#include "hostconfigs.h"
#include "qrpayload.h"

#include <QBuffer>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPrintDialog>
#include <QPrinter>
#include <QPushButton>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

QrPane::QrPane(MeshDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_title(new QLabel(this))
    , m_profiles(new QComboBox(this))
    , m_pages(new QStackedWidget(this))
    , m_codeWidget(new QrCodeWidget)
    , m_message(new QLabel)
    , m_showAnyway(new QPushButton(tr("Show the QR Code")))
    , m_size(new QLabel(this))
    , m_notes(new QLabel(this))
    , m_png(new QPushButton(tr("Export &PNG…"), this))
    , m_svg(new QPushButton(tr("Export &SVG…"), this))
    , m_print(new QPushButton(tr("&Print…"), this))
    , m_debounce(new QTimer(this))
{
    setObjectName(QStringLiteral("qrPane"));
    m_profiles->setObjectName(QStringLiteral("qrProfile"));
    m_size->setObjectName(QStringLiteral("qrSize"));
    m_notes->setObjectName(QStringLiteral("qrNotes"));
    m_message->setObjectName(QStringLiteral("qrMessage"));
    m_showAnyway->setObjectName(QStringLiteral("qrShowAnyway"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_notes->setWordWrap(true);
    m_title->setWordWrap(true);

    auto *messagePage = new QWidget;
    auto *messageLayout = new QVBoxLayout(messagePage);
    messageLayout->addStretch();
    messageLayout->addWidget(m_message);
    messageLayout->addWidget(m_showAnyway, 0, Qt::AlignCenter);
    messageLayout->addStretch();
    m_pages->addWidget(messagePage);
    m_pages->addWidget(m_codeWidget);

    auto *profileRow = new QHBoxLayout;
    profileRow->addWidget(new QLabel(tr("Profile:")));
    profileRow->addWidget(m_profiles, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_png);
    buttons->addWidget(m_svg);
    buttons->addWidget(m_print);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(profileRow);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_size);
    layout->addWidget(m_notes);
    layout->addLayout(buttons);

    // One refresh for all the signals of one edit (a macro sends many), as soon as the
    // event loop is through with them: the pane follows every edit at once.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(0);
    connect(m_debounce, &QTimer::timeout, this, &QrPane::refresh);
    connect(document, &MeshDocument::linksChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(document, &MeshDocument::hostChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(document, &MeshDocument::projectReset, this, &QrPane::showNothing);
    connect(document, &MeshDocument::hostRemoved, this, [this](HostId id) {
        if (id == m_host)
            showNothing();
    });
    connect(m_profiles, &QComboBox::currentIndexChanged, this, &QrPane::refresh);
    connect(m_showAnyway, &QPushButton::clicked, this, [this] { showHost(m_host, true); });
    auto exportTo = [this](const QString &filter, const QString &suffix, bool svg) {
        const Host *host = m_document->host(m_host);
        const QString suggestion = (host ? host->name + QLatin1Char('-') + profile() : QStringLiteral("qr")) + suffix;
        const QString path = QFileDialog::getSaveFileName(this, tr("Export QR Code"), suggestion, filter);
        if (path.isEmpty())
            return;
        QString error;
        if (!(svg ? exportSvg(path, &error) : exportPng(path, &error)))
            QMessageBox::critical(this, tr("Cannot export QR code"), error);
    };
    connect(m_png, &QPushButton::clicked, this, [exportTo] { exportTo(tr("PNG image (*.png)"), QStringLiteral(".png"), false); });
    connect(m_svg, &QPushButton::clicked, this, [exportTo] { exportTo(tr("SVG drawing (*.svg)"), QStringLiteral(".svg"), true); });
    connect(m_print, &QPushButton::clicked, this, [this] {
        QPrinter printer;
        QPrintDialog dialog(&printer, this);
        if (dialog.exec() == QDialog::Accepted)
            print(&printer);
    });
    showNothing();
}

void QrPane::showHost(HostId id, bool onRequest)
{
    if (id != m_host) {
        const QSignalBlocker blocker(m_profiles);
        m_profiles->clear();
    }
    m_host = id;
    m_requested = onRequest;
    refresh();
}

void QrPane::showNothing()
{
    m_host = 0;
    const QSignalBlocker blocker(m_profiles);
    m_profiles->clear();
    refresh();
}

void QrPane::refreshNow()
{
    m_debounce->stop();
    refresh();
}

QStringList QrPane::profiles() const
{
    QStringList names;
    for (int i = 0; i < m_profiles->count(); ++i)
        names.append(m_profiles->itemText(i));
    return names;
}

void QrPane::setProfile(const QString &name)
{
    m_profiles->setCurrentText(name);
}

QString QrPane::profile() const
{
    return m_profiles->currentText();
}

QString QrPane::message() const
{
    return m_pages->currentIndex() == 0 ? m_message->text() : QString();
}

const std::optional<QrCode> &QrPane::code() const
{
    return m_codeWidget->code();
}

void QrPane::refresh()
{
    m_payload.clear();
    m_leftOut.clear();
    m_codeWidget->setCode(std::nullopt);
    m_size->clear();
    m_notes->clear();
    m_showAnyway->hide();
    const Host *host = m_document->host(m_host);
    auto showMessage = [this](const QString &text) {
        m_message->setText(text);
        m_pages->setCurrentIndex(0);
        for (QPushButton *button : {m_png, m_svg, m_print})
            button->setEnabled(false);
    };
    if (!host) {
        m_title->setText(QString());
        m_profiles->setEnabled(false);
        showMessage(tr("Select a phone or a laptop to see its config as a QR code."));
        return;
    }
    if (host->isExternal()) {
        m_title->setText(QString());
        m_profiles->setEnabled(false);
        showMessage(tr("%1 is external: its owner configures it, so there is no config of it to scan.").arg(host->name));
        return;
    }
    m_title->setText(tr("<b>%1</b>: scan with the WireGuard app (+ → Scan from QR code)").arg(host->name.toHtmlEscaped()));
    if (host->ssh && !m_requested) {
        m_profiles->setEnabled(false);
        showMessage(tr("%1 is deployed over SSH, so it needs no QR code.").arg(host->name));
        m_showAnyway->show();
        return;
    }
    const QList<std::pair<QString, InterfaceConfig>> configs = HostConfigs::profiles(m_document->plan(m_host));
    m_document->commitKeys(nullptr); // a scanned code must match the gateways' configs
    QStringList names;
    for (const auto &profile : configs)
        names.append(profile.first);
    if (names != profiles()) {
        const QSignalBlocker blocker(m_profiles);
        const QString current = profile();
        m_profiles->clear();
        m_profiles->addItems(names);
        m_profiles->setCurrentText(names.contains(current) ? current : names.front());
    }
    m_profiles->setEnabled(names.size() > 1);
    const InterfaceConfig *config = &configs.front().second;
    for (const auto &[name, candidate] : configs) {
        if (name == profile())
            config = &candidate;
    }
    m_payload = QrPayload::build(*config, &m_leftOut);
    QStringList notes;
    if (!m_leftOut.isEmpty())
        notes.append(tr("Left out, the WireGuard app would reject it: %1.").arg(m_leftOut.join(QLatin1String("; "))));
    if (names.size() > 1 && host->gateway) {
        // What the phone app can and cannot do with several exits.
        const qsizetype index = m_document->project().indexOf(host->name);
        const QList<qsizetype> exits = m_document->planner().exitsOf(index);
        const QString first = exits.isEmpty() ? QString() : m_document->project().hosts[exits.front()].name;
        notes.append(tr("The WireGuard Android app runs one tunnel at a time and cannot switch gateways by itself. %1 sends "
                        "everything through %2; import the per-gateway profiles too, and switch to another one by hand when "
                        "%2 fails, or from an automation app (the app's Settings: Allow remote control apps; broadcast "
                        "com.wireguard.android.action.SET_TUNNEL_UP with the extra tunnel=NAME).")
                         .arg(names.front(), first.isEmpty() ? tr("its first gateway") : first));
    }
    m_notes->setText(notes.join(QLatin1Char(' ')));
    QString error;
    const auto code = QrCode::encode(m_payload, &error);
    if (!code) {
        showMessage(error);
        m_size->setText(tr("Payload: %1 bytes").arg(m_payload.size()));
        return;
    }
    m_codeWidget->setCode(code);
    m_pages->setCurrentIndex(1);
    for (QPushButton *button : {m_png, m_svg, m_print})
        button->setEnabled(true);
    m_size->setText(tr("Payload: %1 bytes; QR version %2, error correction %3")
                        .arg(m_payload.size())
                        .arg(code->version())
                        .arg(code->level() == QrCode::Level::M ? QStringLiteral("M") : QStringLiteral("L")));
}

bool QrPane::exportPng(const QString &path, QString *error) const
{
    if (!code())
        return false;
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    code()->toImage(8).save(&buffer, "PNG");
    return AtomicFile::write(path, data, 0600, error); // it holds a private key
}

bool QrPane::exportSvg(const QString &path, QString *error) const
{
    if (!code())
        return false;
    return AtomicFile::write(path, code()->toSvg(), 0600, error);
}

void QrPane::print(QPrinter *printer) const
{
    if (!code())
        return;
    QPainter painter(printer);
    const QRectF page = printer->pageRect(QPrinter::DevicePixel);
    const Host *host = m_document->host(m_host);
    painter.drawText(QRectF(page.left(), page.top(), page.width(), page.height() * 0.08), Qt::AlignCenter,
                     tr("WireGuard: %1 (%2)").arg(host ? host->name : QString(), profile()));
    const qreal side = std::min(page.width(), page.height()) * 0.7;
    code()->paint(&painter, QRectF(page.center().x() - side / 2, page.top() + page.height() * 0.1, side, side));
}
