// The files Meshwright generates for the selected host, one tab each, secrets masked.
#include "configpane.h"

#include "atomicfile.h"
#include "confighighlighter.h"
#include "configfiles.h"
#include "outputtarget.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

ConfigPane::ConfigPane(MeshDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_title(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_reveal(new QPushButton(tr("&Reveal keys"), this))
    , m_copy(new QPushButton(tr("&Copy"), this))
    , m_save(new QPushButton(tr("Save &As…"), this))
    , m_qr(new QPushButton(tr("&QR Code"), this))
    , m_debounce(new QTimer(this))
{
    setObjectName(QStringLiteral("configPane"));
    m_reveal->setObjectName(QStringLiteral("revealKeys"));
    m_reveal->setCheckable(true);
    m_reveal->setToolTip(tr("Show private and preshared keys (they are hidden, and copied hidden, until revealed)"));
    m_copy->setObjectName(QStringLiteral("copyConfig"));
    m_save->setObjectName(QStringLiteral("saveConfig"));
    m_qr->setObjectName(QStringLiteral("showQr"));
    m_qr->setToolTip(tr("Show this host's config as a QR code for the WireGuard app"));
    m_tabs->setObjectName(QStringLiteral("configTabs"));
    m_tabs->setDocumentMode(true);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_title, 1);
    buttons->addWidget(m_reveal);
    buttons->addWidget(m_copy);
    buttons->addWidget(m_save);
    buttons->addWidget(m_qr);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buttons);
    layout->addWidget(m_tabs, 1);

    // One refresh for all the signals of one edit (a macro sends many), as soon as the
    // event loop is through with them: the pane follows every edit at once.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(0);
    connect(m_debounce, &QTimer::timeout, this, &ConfigPane::refresh);
    for (auto signal : {&MeshDocument::linksChanged, &MeshDocument::projectReset})
        connect(document, signal, m_debounce, qOverload<>(&QTimer::start));
    connect(document, &MeshDocument::hostChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(document, &MeshDocument::hostRemoved, this, [this](HostId id) {
        if (id == m_host)
            showNothing();
    });
    connect(m_reveal, &QPushButton::toggled, this, &ConfigPane::render);
    connect(m_copy, &QPushButton::clicked, this, &ConfigPane::copyCurrent);
    connect(m_qr, &QPushButton::clicked, this, [this] {
        if (m_host)
            emit qrCodeRequested(m_host);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Config"), currentFileName());
        if (path.isEmpty())
            return;
        QString error;
        if (!saveCurrent(path, &error))
            QMessageBox::critical(this, tr("Cannot save config"), error);
    });
    showNothing();
}

void ConfigPane::showHost(HostId id)
{
    if (id != m_host) {
        m_previous.clear();
        m_changed.clear();
        m_files.clear();
        setRevealed(false); // a key is shown on request, for the host it was requested for
    }
    m_host = id;
    refresh();
}

void ConfigPane::showNothing()
{
    m_host = 0;
    setRevealed(false);
    m_files.clear();
    m_previous.clear();
    m_changed.clear();
    render();
}

bool ConfigPane::isRevealed() const
{
    return m_reveal->isChecked();
}

void ConfigPane::setRevealed(bool revealed)
{
    m_reveal->setChecked(revealed);
}

void ConfigPane::refreshNow()
{
    m_debounce->stop();
    refresh();
}

void ConfigPane::refresh()
{
    const qsizetype index = m_document->indexOf(m_host);
    if (index < 0) {
        showNothing();
        return;
    }
    QList<std::pair<QString, QString>> files;
    if (const Host &external = m_document->project().hosts[index]; external.isExternal()) {
        // Nothing is generated for it: say what its peers know of it.
        files.append({tr("external"), tr("# %1 is external: its owner configures it, and Meshwright never deploys it.\n"
                                         "# Its peers list it by its public key:\n"
                                         "PublicKey = %2\n")
                                          .arg(external.name, external.publicKey)});
        m_files = files;
        render();
        emit refreshed();
        return;
    }
    // Every output target shown for the host: its configs, a router's command script, a
    // node's manifest.
    for (const auto &[target, file] : m_document->shownFiles(m_host))
        files.append({file.relativePath.section(QLatin1Char('/'), -1), QString::fromUtf8(file.content)});
    // What was shown is what later deploys and generations use: keep any new keys.
    m_document->commitKeys(nullptr);
    // Mark what changed against the text shown before: a line is new when the old text
    // did not have it (as often).
    for (const auto &[name, text] : std::as_const(files)) {
        QString before;
        for (const auto &[oldName, oldText] : std::as_const(m_files)) {
            if (oldName == name)
                before = oldText;
        }
        if (before.isEmpty() || before == text)
            continue;
        QHash<QString, int> old;
        for (const QString &line : before.split(QLatin1Char('\n')))
            ++old[line];
        QList<int> changed;
        const QStringList lines = text.split(QLatin1Char('\n'));
        for (int i = 0; i < lines.size(); ++i) {
            int &count = old[lines[i]];
            if (count > 0)
                --count;
            else
                changed.append(i);
        }
        m_changed.insert(name, changed);
        m_previous.insert(name, before);
    }
    m_files = files;
    render();
    emit refreshed();
}

void ConfigPane::render()
{
    const Host *host = m_document->host(m_host);
    const QString current = currentFileName();
    const int scroll = m_tabs->currentWidget() ? static_cast<QPlainTextEdit *>(m_tabs->currentWidget())->verticalScrollBar()->value() : 0;
    while (m_tabs->count() > 0) {
        QWidget *page = m_tabs->widget(0);
        m_tabs->removeTab(0);
        delete page;
    }
    m_title->setText(host ? tr("<b>%1</b>: what Meshwright generates").arg(host->name.toHtmlEscaped())
                          : tr("Select a host to see its configs."));
    for (QPushButton *button : {m_reveal, m_copy, m_save, m_qr})
        button->setEnabled(host);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QColor changedColour = [] {
        QColor c = QApplication::palette().color(QPalette::Highlight);
        c.setAlphaF(0.22f);
        return c;
    }();
    for (const auto &[name, text] : std::as_const(m_files)) {
        auto *edit = new QPlainTextEdit;
        edit->setObjectName(QStringLiteral("configText"));
        edit->setReadOnly(true);
        edit->setFont(mono);
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
        new ConfigHighlighter(edit->document());
        edit->setPlainText(isRevealed() ? text : ConfigFiles::maskSecrets(text));
        QList<QTextEdit::ExtraSelection> marks;
        for (const int line : m_changed.value(name)) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(edit->document()->findBlockByNumber(line));
            mark.format.setBackground(changedColour);
            mark.format.setProperty(QTextFormat::FullWidthSelection, true);
            marks.append(mark);
        }
        edit->setExtraSelections(marks);
        const int tab = m_tabs->addTab(edit, name);
        if (!m_changed.value(name).isEmpty())
            m_tabs->setTabToolTip(tab, tr("Marked: the lines the last edit changed (%1)").arg(m_changed.value(name).size()));
        if (name == current) {
            m_tabs->setCurrentIndex(tab);
            edit->verticalScrollBar()->setValue(scroll);
        }
    }
}

QString ConfigPane::currentFileName() const
{
    return m_tabs->currentIndex() >= 0 ? m_tabs->tabText(m_tabs->currentIndex()).remove(QLatin1Char('&')) : QString();
}

QString ConfigPane::currentText() const
{
    const auto *edit = static_cast<const QPlainTextEdit *>(m_tabs->currentWidget());
    return edit ? edit->toPlainText() : QString();
}

QList<int> ConfigPane::changedLines() const
{
    return m_changed.value(currentFileName());
}

void ConfigPane::copyCurrent()
{
    QApplication::clipboard()->setText(currentText());
}

bool ConfigPane::saveCurrent(const QString &path, QString *error)
{
    const QString name = currentFileName();
    for (const auto &[file, text] : std::as_const(m_files)) {
        if (file == name)
            return AtomicFile::write(path, text.toUtf8(), 0600, error);
    }
    if (error)
        *error = tr("No config is shown.");
    return false;
}
