// The import dialog: sources, a read in the background, the preview, and the decision.
#include "importdialog.h"

#include "diagnostic.h"
#include "meshdocument.h"
#include "statecolors.h"
#include "topologyscene.h"
#include "topologyview.h"
#include "validator.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

namespace {

enum Tab { FilesTab, HostsTab };

/// What a read of running hosts gave, filled in by the worker thread.
struct HostsRead
{
    QList<PollTarget> targets;
    QList<ConfigImport::RemoteHost> hosts;
    QHash<QString, QString> unknownKeys; ///< address -> fingerprint, for the hosts refused for it
    QStringList notes;
    QString error;
};

} // namespace

ImportDialog::ImportDialog(ConfigImport::RemoteReader *reader, QWidget *parent)
    : QDialog(parent)
    , m_reader(reader)
    , m_tabs(new QTabWidget)
    , m_pathList(new QListWidget)
    , m_targets(new QPlainTextEdit)
    , m_identity(new QLineEdit)
    , m_sudo(new QLineEdit(QStringLiteral("sudo -n")))
    , m_knownHosts(new QLineEdit)
    , m_readButton(new QPushButton(tr("&Read")))
    , m_summary(new QLabel)
    , m_preview(new MeshDocument(this))
    , m_scene(new TopologyScene(m_preview, this))
    , m_view(new TopologyView(m_scene))
    , m_findings(new QListWidget)
    , m_acceptLosses(new QCheckBox(tr("Import even though the project cannot say what is marked \"lost\"")))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel))
    , m_importButton(m_buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole))
{
    setObjectName(QStringLiteral("importDialog"));
    setWindowTitle(tr("Import WireGuard Configs"));

    // From files: configs, folders of them, the apps' zip exports, OpenBSD's hostname.wgN.
    auto *files = new QWidget;
    auto *filesLayout = new QHBoxLayout(files);
    m_pathList->setObjectName(QStringLiteral("importPaths"));
    m_pathList->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_pathList->setMaximumHeight(120); // the preview below is what matters
    filesLayout->addWidget(m_pathList, 1);
    auto *fileButtons = new QVBoxLayout;
    auto *addFolderButton = new QPushButton(tr("Add &Folder…"));
    auto *addFilesButton = new QPushButton(tr("Add F&iles…"));
    auto *removeButton = new QPushButton(tr("Re&move"));
    for (QPushButton *button : {addFolderButton, addFilesButton, removeButton})
        fileButtons->addWidget(button);
    fileButtons->addStretch();
    filesLayout->addLayout(fileButtons);
    connect(addFolderButton, &QPushButton::clicked, this, &ImportDialog::addFolder);
    connect(addFilesButton, &QPushButton::clicked, this, &ImportDialog::addFiles);
    connect(removeButton, &QPushButton::clicked, this, [this] { qDeleteAll(m_pathList->selectedItems()); });
    m_tabs->addTab(files, tr("Config &Files"));

    // From running hosts, over SSH: what they run, and the settings that reach them again.
    auto *hosts = new QWidget;
    auto *hostsForm = new QFormLayout(hosts);
    m_targets->setObjectName(QStringLiteral("importTargets"));
    m_targets->setPlaceholderText(tr("One host a line: [NAME=][USER@]HOST[:PORT], e.g. nas=root@192.168.1.10"));
    m_targets->setTabChangesFocus(true);
    m_targets->setMaximumHeight(90);
    hostsForm->addRow(tr("&Hosts:"), m_targets);
    m_identity->setObjectName(QStringLiteral("importIdentity"));
    m_identity->setPlaceholderText(tr("ssh-agent, then ~/.ssh keys"));
    hostsForm->addRow(tr("&SSH key:"), m_identity);
    m_sudo->setObjectName(QStringLiteral("importSudo"));
    m_sudo->setToolTip(tr("Reads /etc/wireguard through this; it must not ask for a password. Empty: as the user."));
    hostsForm->addRow(tr("Run &as root with:"), m_sudo);
    m_knownHosts->setObjectName(QStringLiteral("importKnownHosts"));
    m_knownHosts->setPlaceholderText(QStringLiteral("~/.ssh/known_hosts"));
    hostsForm->addRow(tr("&Known hosts:"), m_knownHosts);
    m_tabs->addTab(hosts, tr("Running &Hosts (SSH)"));
    m_tabs->setTabEnabled(HostsTab, m_reader != nullptr);

    auto *readRow = new QHBoxLayout;
    m_readButton->setObjectName(QStringLiteral("importRead"));
    readRow->addWidget(m_readButton);
    m_summary->setObjectName(QStringLiteral("importSummary"));
    m_summary->setWordWrap(true);
    readRow->addWidget(m_summary, 1);
    connect(m_readButton, &QPushButton::clicked, this, &ImportDialog::read);

    // The preview: the graph as it will be drawn, and the findings beside it.
    m_view->setObjectName(QStringLiteral("importPreview"));
    m_view->setInteractive(false);
    m_view->setMinimumSize(360, 260);
    m_findings->setObjectName(QStringLiteral("importFindings"));
    m_findings->setWordWrap(true);
    m_findings->setAlternatingRowColors(true);
    auto *splitter = new QSplitter;
    splitter->addWidget(m_view);
    splitter->addWidget(m_findings);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({640, 440});

    m_acceptLosses->setObjectName(QStringLiteral("importAcceptLosses"));
    connect(m_acceptLosses, &QCheckBox::toggled, this, &ImportDialog::updateButtons);
    m_importButton->setObjectName(QStringLiteral("importAccept"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    m_tabs->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    layout->addWidget(m_tabs);
    layout->addLayout(readRow);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_acceptLosses);
    layout->addWidget(m_buttons);
    resize(1100, 720);
    updateButtons();
}

ImportDialog::~ImportDialog()
{
    if (m_worker) {
        m_worker->disconnect(this);
        m_worker->wait(); // a read over SSH ends by itself; its result is not wanted any more
        delete m_worker;
    }
}

void ImportDialog::setPaths(const QStringList &paths)
{
    m_pathList->clear();
    for (const QString &path : paths)
        m_pathList->addItem(QDir::toNativeSeparators(path));
    m_tabs->setCurrentIndex(FilesTab);
}

QStringList ImportDialog::paths() const
{
    QStringList out;
    for (int row = 0; row < m_pathList->count(); ++row)
        out.append(QDir::fromNativeSeparators(m_pathList->item(row)->text()));
    return out;
}

void ImportDialog::setSshTargets(const QStringList &targets)
{
    m_targets->setPlainText(targets.join(QLatin1Char('\n')));
    m_tabs->setCurrentIndex(HostsTab);
}

QStringList ImportDialog::findings() const
{
    QStringList out;
    for (int row = 0; row < m_findings->count(); ++row)
        out.append(m_findings->item(row)->text());
    return out;
}

void ImportDialog::addFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Import WireGuard Configs From"), QDir::homePath());
    if (!dir.isEmpty())
        m_pathList->addItem(QDir::toNativeSeparators(dir));
}

void ImportDialog::addFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import WireGuard Configs"), QDir::homePath(),
                                                            tr("WireGuard configs (*.conf *.zip hostname.wg*);;All files (*)"));
    for (const QString &file : files)
        m_pathList->addItem(QDir::toNativeSeparators(file));
}

void ImportDialog::read()
{
    if (isReading())
        return;
    if (m_tabs->currentIndex() == HostsTab)
        readHosts({});
    else
        readFiles();
}

void ImportDialog::readFiles()
{
    const QStringList sources = paths();
    if (sources.isEmpty()) {
        showResult(std::nullopt, {}, tr("Add the configs to read: a folder, .conf files, a zip the WireGuard app exported, or hostname.wgN."));
        return;
    }
    QStringList notes;
    QString error;
    const auto found = ConfigImport::collect(sources, {}, &notes, &error);
    auto built = found ? ConfigImport::build(*found, &error) : std::nullopt;
    m_sourceName = QFileInfo(sources.front()).fileName();
    showResult(std::move(built), notes, error);
}

void ImportDialog::readHosts(const QHash<QString, QString> &accepted)
{
    auto job = std::make_shared<HostsRead>();
    const QStringList lines = m_targets->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        QString error;
        auto target = ConfigImport::parseSshTarget(line, &error);
        if (!target) {
            showResult(std::nullopt, {}, error);
            return;
        }
        const QString identity = m_identity->text().trimmed();
        target->identity = identity.startsWith(QLatin1String("~/")) ? QDir::home().filePath(identity.mid(2)) : identity;
        target->sudoCmd = m_sudo->text().trimmed();
        job->targets.append(*target);
    }
    if (job->targets.isEmpty()) {
        showResult(std::nullopt, {}, tr("Name the hosts to read, one a line: [NAME=][USER@]HOST[:PORT]."));
        return;
    }
    DeployOptions options = DeployOptions::fromUser(m_knownHosts->text().trimmed(), DeployOptions().confirmTimeout, 1);
    options.acceptedFingerprints = accepted; // exactly the keys the user saw, never whatever comes next
    const QString identity = m_identity->text().trimmed();
    ConfigImport::RemoteReader *reader = m_reader;
    m_worker = QThread::create([job, options, identity, reader] {
        for (const PollTarget &target : std::as_const(job->targets)) {
            QString error;
            QString unknownKey;
            auto host = reader->read(target, identity, options, &job->notes, &error, &unknownKey);
            if (host) {
                job->hosts.append(*host);
            } else if (!unknownKey.isEmpty()) {
                job->unknownKeys.insert(target.host.isEmpty() ? target.address : target.host, unknownKey);
            } else if (job->error.isEmpty()) {
                job->error = error;
            }
        }
    });
    connect(m_worker, &QThread::finished, this, [this, job] {
        m_worker->deleteLater();
        m_worker = nullptr;
        if (!job->unknownKeys.isEmpty() && job->error.isEmpty()) {
            offerHostKeys(job->unknownKeys);
            return;
        }
        if (!job->error.isEmpty()) {
            showResult(std::nullopt, job->notes, job->error);
            return;
        }
        QList<ConfigImport::Source> sources;
        for (const ConfigImport::RemoteHost &host : std::as_const(job->hosts))
            sources += host.sources;
        QString error;
        auto built = ConfigImport::build(sources, &error);
        if (built)
            ConfigImport::recordSsh(*built, job->hosts);
        m_sourceName = job->targets.front().address;
        showResult(std::move(built), job->notes, error);
    });
    m_summary->setText(tr("Reading %n host(s) over SSH…", nullptr, int(job->targets.size())));
    m_result.reset();
    updateButtons();
    m_worker->start();
}

void ImportDialog::offerHostKeys(const QHash<QString, QString> &unknown)
{
    QHash<QString, QString> accepted; // host (its name, else its address) -> the fingerprint the user accepted
    QStringList refused;
    for (auto it = unknown.cbegin(); it != unknown.cend(); ++it) {
        QMessageBox box(QMessageBox::Question, tr("Unknown Host Key"), tr("Accept key %1 for %2?").arg(it.value(), it.key()),
                        QMessageBox::Yes | QMessageBox::No, this);
        box.setObjectName(QStringLiteral("acceptHostKeyBox"));
        box.setInformativeText(tr("%1 is not in known_hosts yet. Accept the key only if it is the one the host shows "
                                  "(ssh-keygen -lf on the host's key, read on its console). Accepting records it and "
                                  "reads the hosts again.")
                                   .arg(it.key()));
        box.setDefaultButton(QMessageBox::No);
        if (box.exec() == QMessageBox::Yes)
            accepted.insert(it.key(), it.value());
        else
            refused.append(it.key());
    }
    if (!refused.isEmpty()) {
        showResult(std::nullopt, {}, tr("Not read: the host key of %1 was not accepted.").arg(refused.join(QLatin1String(", "))));
        return;
    }
    readHosts(accepted);
}

void ImportDialog::showResult(std::optional<ConfigImport::Result> result, const QStringList &notes, const QString &error)
{
    m_result = std::move(result);
    m_error = m_result ? QString() : error;
    m_findings->clear();
    m_acceptLosses->setChecked(false);
    auto add = [this](const QString &text, const QColor &colour) {
        auto *item = new QListWidgetItem(text, m_findings);
        if (colour.isValid())
            item->setForeground(colour);
    };
    if (!m_result) {
        m_preview->adopt(Project{}, KeyStore{});
        m_summary->setText(tr("Cannot import: %1").arg(m_error));
        add(tr("error: %1").arg(m_error), StateColors::error());
        for (const QString &note : notes)
            add(tr("note: %1").arg(note), QColor());
        updateButtons();
        emit readFinished(false);
        return;
    }
    for (const ConfigImport::Loss &loss : std::as_const(m_result->losses))
        add(tr("lost: %1").arg(loss.toString()), StateColors::error());
    for (const ConfigImport::Loss &finding : std::as_const(m_result->findings))
        add(tr("warning: %1").arg(finding.toString()), StateColors::warningText());
    for (const Diagnostic &finding : Validator::validate(m_result->project))
        add(finding.toString(), finding.isError() ? StateColors::error() : StateColors::warningText());
    for (const QString &note : notes + m_result->notes)
        add(tr("note: %1").arg(note), QColor());
    m_preview->adopt(m_result->project, m_result->keys);
    m_view->fitAll();
    const int hosts = int(m_result->project.hosts.size());
    const int losses = int(m_result->losses.size());
    m_summary->setText(losses == 0 ? tr("%n host(s); generated again, every config means what it says now.", nullptr, hosts)
                                   : tr("%n host(s); the project cannot say %1 thing(s) the way the configs do.", nullptr, hosts).arg(losses));
    updateButtons();
    emit readFinished(true);
}

void ImportDialog::updateButtons()
{
    const bool losses = m_result && !m_result->losses.isEmpty();
    m_acceptLosses->setVisible(losses);
    m_importButton->setEnabled(!isReading() && m_result && (!losses || m_acceptLosses->isChecked()));
    m_readButton->setEnabled(!isReading());
    m_tabs->setEnabled(!isReading());
}
