// The main window: canvas in the centre, palette, properties and findings around it.
#include "mainwindow.h"

#include "configimport.h"
#include "importdialog.h"
#include "keyring.h"
#include "passphrasedialog.h"
#include "configpane.h"
#include "deploydialog.h"
#include "deployment.h"
#include "diagnosticsmodel.h"
#include "diagnosticspane.h"
#include "hostconfigs.h"
#include "keystore.h"
#include "palettepane.h"
#include "projectfile.h"
#include "propertiespane.h"
#include "qrpane.h"
#include "scenepicture.h"
#include "statusmonitor.h"
#include "statuspane.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoStack>

#include <algorithm>

namespace {

constexpr int MaxRecentFiles = 8;
const char *const ExampleResource = ":/examples/homelab-mesh.yaml";

} // namespace

MainWindow::MainWindow(QWidget *parent, Deployer *deployer, StatusPoller *poller, ConfigImport::RemoteReader *reader)
    : QMainWindow(parent)
    , m_document(new MeshDocument(this))
    , m_scene(new TopologyScene(m_document, this))
    , m_view(new TopologyView(m_scene, this))
    , m_monitor(poller ? new StatusMonitor([document = m_document] { return StatusMonitor::Snapshot{document->project(), document->keys()}; },
                                           poller, this)
                       : nullptr)
    , m_deployer(deployer)
    , m_reader(reader)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/meshwright.svg")));
    if (m_monitor) {
        // Live status polls the document's project: every edit restarts it.
        for (auto signal : {&MeshDocument::hostAdded, &MeshDocument::hostRemoved, &MeshDocument::hostChanged})
            connect(m_document, signal, m_monitor, &StatusMonitor::projectChanged);
        connect(m_document, &MeshDocument::linksChanged, m_monitor, &StatusMonitor::projectChanged);
        connect(m_document, &MeshDocument::projectReset, m_monitor, &StatusMonitor::projectChanged);
    }
    setCentralWidget(m_view);
    createDocks();
    createActions();
    createMenus();
    m_statusFindings = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusFindings);

    connect(m_document, &MeshDocument::modificationChanged, this, &MainWindow::updateTitle);
    connect(m_document, &MeshDocument::filePathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &MeshDocument::diagnosticsChanged, this, &MainWindow::updateStatus);
    connect(m_document, &MeshDocument::projectReset, this, &MainWindow::updateStatus);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_diagnostics, &DiagnosticsPane::findingActivated, this, &MainWindow::onFindingActivated);
    connect(m_palette, &PalettePane::presetActivated, this, &MainWindow::addPresetAtCentre);
    connect(m_scene, &TopologyScene::presetRefused, this, &MainWindow::onPresetRefused);
    for (auto signal : {&MeshDocument::hostAdded, &MeshDocument::hostRemoved, &MeshDocument::hostChanged})
        connect(m_document, signal, this, &MainWindow::updateDeployAction);
    connect(m_document, &MeshDocument::projectReset, this, &MainWindow::updateDeployAction);
    if (m_deployer && m_monitor)
        connect(m_deployer, &Deployer::finished, m_monitor, &StatusMonitor::refresh);

    m_untitledName = tr("Untitled");
    readSettings();
    updateTitle();
    updateStatus();
    updateDeployAction();
}

MainWindow::~MainWindow()
{
    // The scene and the document outlive this object's members while the children are
    // deleted; nothing they emit may reach this window, or the deploy dialog, any more.
    delete m_deployDialog;
    if (m_monitor) {
        m_monitor->stop();
        disconnect(m_monitor, nullptr, this, nullptr);
    }
    disconnect(m_scene, nullptr, this, nullptr);
    disconnect(m_document, nullptr, this, nullptr);
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::createDocks()
{
    auto dock = [this](const QString &name, const QString &title, QWidget *widget, Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    m_palette = new PalettePane(this);
    dock(QStringLiteral("paletteDock"), tr("Hosts"), m_palette, Qt::LeftDockWidgetArea);
    m_properties = new PropertiesPane(m_document, this);
    dock(QStringLiteral("propertiesDock"), tr("Properties"), m_properties, Qt::RightDockWidgetArea);
    m_qr = new QrPane(m_document, this);
    QDockWidget *qrDock = dock(QStringLiteral("qrDock"), tr("QR Code"), m_qr, Qt::RightDockWidgetArea);
    tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("propertiesDock")), qrDock);
    findChild<QDockWidget *>(QStringLiteral("propertiesDock"))->raise();
    m_diagnostics = new DiagnosticsPane(m_document, this);
    QDockWidget *findings = dock(QStringLiteral("diagnosticsDock"), tr("Findings"), m_diagnostics, Qt::BottomDockWidgetArea);
    m_configs = new ConfigPane(m_document, this);
    QDockWidget *configs = dock(QStringLiteral("configDock"), tr("Configs"), m_configs, Qt::BottomDockWidgetArea);
    splitDockWidget(findings, configs, Qt::Horizontal);
    if (m_monitor) {
        m_statusPane = new StatusPane(m_monitor, this);
        tabifyDockWidget(findings, dock(QStringLiteral("statusDock"), tr("Live Status"), m_statusPane, Qt::BottomDockWidgetArea));
        findings->raise();
        connect(m_statusPane, &StatusPane::linkSelected, this, [this](const QString &a, const QString &b) {
            onFindingActivated(a, b);
        });
        m_scene->observe(m_monitor);
        connect(m_monitor, &StatusMonitor::runningChanged, m_view->viewport(), qOverload<>(&QWidget::update)); // the legend
        connect(m_monitor, &StatusMonitor::failed, this, [this](const QString &reason) {
            action(QStringLiteral("liveStatus"))->setChecked(false);
            auto *box = new QMessageBox(QMessageBox::Information, tr("Live Status"), reason, QMessageBox::Ok, this);
            box->setObjectName(QStringLiteral("liveStatusFailed"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    }
    connect(m_configs, &ConfigPane::qrCodeRequested, this, [this, qrDock](HostId id) {
        m_qr->showHost(id, true);
        qrDock->show();
        qrDock->raise();
    });
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("paletteDock"))}, {180}, Qt::Horizontal);
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("propertiesDock"))}, {320}, Qt::Horizontal);
    resizeDocks({findings}, {220}, Qt::Vertical);
    resizeDocks({findings, configs}, {500, 600}, Qt::Horizontal);
}

void MainWindow::createActions()
{
    auto add = [this](const QString &name, const QString &text, auto slot, const QKeySequence &shortcut = {}) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        a->setShortcut(shortcut);
        connect(a, &QAction::triggered, this, slot);
        m_actions.insert(name, a);
        return a;
    };
    add(QStringLiteral("new"), tr("&New"), &MainWindow::newProject, QKeySequence::New);
    add(QStringLiteral("open"), tr("&Open…"), &MainWindow::open, QKeySequence::Open);
    add(QStringLiteral("importConfigs"), tr("&Import WireGuard Configs…"), &MainWindow::importConfigs);
    add(QStringLiteral("keyStore"), tr("&Key Store…"), &MainWindow::manageKeyStore);
    add(QStringLiteral("save"), tr("&Save"), &MainWindow::save, QKeySequence::Save);
    add(QStringLiteral("saveAs"), tr("Save &As…"), &MainWindow::saveAs, QKeySequence::SaveAs);
    add(QStringLiteral("exportPicture"), tr("&Export Picture…"), &MainWindow::exportPicture, QKeySequence(tr("Ctrl+E")));
    add(QStringLiteral("generate"), tr("&Generate Configs…"), &MainWindow::generateConfigs, QKeySequence(tr("Ctrl+G")));
    add(QStringLiteral("deploy"), tr("&Deploy…"), &MainWindow::openDeployDialog, QKeySequence(tr("Ctrl+D")));
    add(QStringLiteral("quit"), tr("&Quit"), &QWidget::close, QKeySequence::Quit);
    QAction *live = add(QStringLiteral("liveStatus"), tr("Live &Status"), &MainWindow::setLiveStatus, QKeySequence(tr("Ctrl+T")));
    live->setCheckable(true);
    live->setEnabled(m_monitor);
    live->setToolTip(m_monitor ? tr("Poll the hosts over SSH and colour the links by their handshakes (%1)")
                                     .arg(live->shortcut().toString(QKeySequence::NativeText))
                               : tr("Live status is not available in this window"));
    live->setStatusTip(live->toolTip());

    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName(QStringLiteral("undo"));
    m_actions.insert(QStringLiteral("undo"), undo);
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setObjectName(QStringLiteral("redo"));
    m_actions.insert(QStringLiteral("redo"), redo);

    QAction *remove = add(QStringLiteral("delete"), tr("&Delete"), [this] { m_scene->deleteSelection(); }, QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(remove);
    add(QStringLiteral("selectAll"), tr("Select &All"), [this] {
        for (QGraphicsItem *item : m_scene->items())
            item->setSelected(item->flags() & QGraphicsItem::ItemIsSelectable);
    }, QKeySequence::SelectAll)->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(action(QStringLiteral("selectAll")));
    add(QStringLiteral("zoomIn"), tr("Zoom &In"), [this] { m_view->zoomIn(); }, QKeySequence::ZoomIn);
    add(QStringLiteral("zoomOut"), tr("Zoom &Out"), [this] { m_view->zoomOut(); }, QKeySequence::ZoomOut);
    add(QStringLiteral("fit"), tr("&Fit"), [this] { m_view->fitAll(); }, QKeySequence(tr("Ctrl+0")));
    add(QStringLiteral("autoLayout"), tr("Auto &Layout"), [this] {
        m_scene->autoLayout();
        m_view->fitAll();
    }, QKeySequence(tr("Ctrl+L")));

    add(QStringLiteral("rotateKeys"), tr("Rotate &Keys…"), &MainWindow::rotateSelectedKeys);
    add(QStringLiteral("rotatePsk"), tr("Rotate &Preshared Key…"), &MainWindow::rotateSelectedPresharedKey);
    action(QStringLiteral("rotateKeys"))->setToolTip(tr("New key pair for the selected host; the next deploy switches both ends of its links"));
    action(QStringLiteral("rotatePsk"))->setToolTip(tr("New preshared key for the selected link; the next deploy switches both ends"));

    // defaults.hosts_file: the mesh's names in every SSH host's /etc/hosts (one undo step).
    QAction *hostsFile = add(QStringLiteral("hostsFile"), tr("Mesh &Names in /etc/hosts"), [this](bool on) {
        Defaults defaults = m_document->project().defaults;
        defaults.hostsFile = on;
        m_document->setDefaults(defaults, m_document->project().network);
    });
    hostsFile->setCheckable(true);
    hostsFile->setToolTip(tr("Each deploy writes every host's NAME.wg0 (and NAME.DOMAIN) into the /etc/hosts of every host with SSH, "
                             "between marker lines; generate writes the same block as HOST/hosts"));
    const auto syncHostsFile = [this, hostsFile] {
        const QSignalBlocker blocker(hostsFile);
        hostsFile->setChecked(m_document->project().defaults.hostsFile);
    };
    connect(m_document, &MeshDocument::projectReset, this, syncHostsFile);
    connect(m_document, &MeshDocument::hostChanged, this, syncHostsFile); // a settings swap (undo) says so per host
    syncHostsFile();

    auto connectSelection = [this] {
        const bool any = !m_scene->selectedItems().isEmpty();
        action(QStringLiteral("delete"))->setEnabled(any);
        action(QStringLiteral("rotateKeys"))->setEnabled(m_scene->selectedHosts().size() == 1);
        action(QStringLiteral("rotatePsk"))->setEnabled(m_scene->selectedLinks().size() == 1);
    };
    connect(m_scene, &QGraphicsScene::selectionChanged, this, connectSelection);
    connectSelection();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(QStringLiteral("new")));
    file->addAction(action(QStringLiteral("open")));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    file->addAction(action(QStringLiteral("importConfigs")));
    file->addAction(action(QStringLiteral("save")));
    file->addAction(action(QStringLiteral("saveAs")));
    file->addAction(action(QStringLiteral("keyStore")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("exportPicture")));
    file->addAction(action(QStringLiteral("generate")));
    file->addAction(action(QStringLiteral("deploy")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("quit")));

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action(QStringLiteral("undo")));
    edit->addAction(action(QStringLiteral("redo")));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("delete")));
    edit->addAction(action(QStringLiteral("selectAll")));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("rotateKeys")));
    edit->addAction(action(QStringLiteral("rotatePsk")));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("hostsFile")));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("zoomIn")));
    view->addAction(action(QStringLiteral("zoomOut")));
    view->addAction(action(QStringLiteral("fit")));
    view->addAction(action(QStringLiteral("autoLayout")));
    view->addSeparator();
    view->addAction(action(QStringLiteral("liveStatus")));
    view->addSeparator();
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        view->addAction(dock->toggleViewAction());

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char *name : {"new", "open", "save", "undo", "redo", "delete", "zoomIn", "zoomOut", "fit", "autoLayout", "generate", "deploy", "liveStatus"}) {
        toolbar->addAction(action(QLatin1String(name)));
        if (qstrcmp(name, "save") == 0 || qstrcmp(name, "delete") == 0 || qstrcmp(name, "autoLayout") == 0)
            toolbar->addSeparator();
    }
}

void MainWindow::updateTitle()
{
    const QString path = m_document->filePath();
    const QString name = path.isEmpty() ? m_untitledName : QFileInfo(path).fileName();
    setWindowTitle(tr("%1[*] — Meshwright").arg(name));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateStatus()
{
    const QList<Diagnostic> &findings = m_document->diagnostics();
    const int errors = m_diagnostics->diagnosticsModel()->errorCount();
    const auto count = [](qsizetype n, const QString &one, const QString &many) {
        return (n == 1 ? one : many).arg(n);
    };
    m_statusFindings->setText(count(m_document->project().hosts.size(), tr("%1 host"), tr("%1 hosts")) + QStringLiteral(" · ")
                              + count(errors, tr("%1 error"), tr("%1 errors")) + QStringLiteral(", ")
                              + count(findings.size() - errors, tr("%1 warning"), tr("%1 warnings")));
}

void MainWindow::updateDeployAction()
{
    QAction *deploy = action(QStringLiteral("deploy"));
    const auto &hosts = m_document->project().hosts;
    const bool anySsh = std::any_of(hosts.begin(), hosts.end(), [](const Host &host) { return host.ssh.has_value(); });
    deploy->setEnabled(m_deployer && anySsh);
    if (!m_deployer)
        deploy->setToolTip(tr("Deploying over SSH is not available in this window"));
    else if (!anySsh)
        deploy->setToolTip(tr("No host has SSH settings: give a host ssh settings to deploy to it; the others are "
                              "installed by hand (QR code or Configs)"));
    else
        deploy->setToolTip(tr("Show the changes and deploy the configs over SSH (%1)")
                               .arg(deploy->shortcut().toString(QKeySequence::NativeText)));
    deploy->setStatusTip(deploy->toolTip());
}

void MainWindow::onSelectionChanged()
{
    const QList<HostId> hosts = m_scene->selectedHosts();
    const auto links = m_scene->selectedLinks();
    if (hosts.size() == 1 && links.isEmpty()) {
        m_properties->showHost(hosts.front());
        m_configs->showHost(hosts.front());
        m_qr->showHost(hosts.front());
        return;
    }
    if (links.size() == 1 && hosts.isEmpty()) {
        m_properties->showLink(links.front().first, links.front().second);
        if (m_statusPane) {
            const Host *a = m_document->host(links.front().first);
            const Host *b = m_document->host(links.front().second);
            if (a && b)
                m_statusPane->selectLink(a->name, b->name);
        }
    } else
        m_properties->showNothing();
    m_configs->showNothing();
    m_qr->showNothing();
}

void MainWindow::onFindingActivated(const QString &host, const QString &peer)
{
    const HostId a = m_document->idOf(host);
    const HostId b = peer.isEmpty() ? 0 : m_document->idOf(peer);
    if (b && m_scene->linkItem(a, b)) {
        m_scene->selectLink(a, b);
    } else if (a) {
        m_scene->selectHost(a);
    } else {
        return;
    }
    if (!m_scene->selectedItems().isEmpty())
        m_view->ensureVisible(m_scene->selectedItems().front(), 60, 60);
}

void MainWindow::addPresetAtCentre(const QString &presetId)
{
    const QPointF centre = m_view->mapToScene(m_view->viewport()->rect().center());
    // Offset a little per host, so repeated double-clicks do not stack hosts exactly.
    const qreal offset = 24.0 * (m_document->project().hosts.size() % 6);
    m_scene->dropPreset(presetId, centre + QPointF(offset, offset));
}

void MainWindow::onPresetRefused(const QString &reason)
{
    statusBar()->showMessage(reason, 10000);
}

void MainWindow::commitPendingEdit()
{
    // Fields apply on editingFinished: what is typed but not yet confirmed goes in now.
    if (QWidget *focus = QApplication::focusWidget())
        focus->clearFocus();
}

bool MainWindow::maybeSave()
{
    commitPendingEdit();
    if (!m_document->isModified())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("The project has unsaved changes. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::newProject()
{
    if (!maybeSave())
        return;
    Project project;
    project.network.ipv4 = IpPrefix::parse(QStringLiteral("10.10.0.0/24"));
    project.network.ipv6 = IpPrefix::parse(QStringLiteral("fd10:10::/64"));
    m_untitledName = tr("Untitled");
    m_document->reset(project);
    updateTitle();
}

void MainWindow::openExample()
{
    QFile file(QString::fromLatin1(ExampleResource));
    if (!file.open(QIODevice::ReadOnly))
        return;
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(file.readAll(), QStringLiteral("homelab-mesh.yaml"), &error);
    if (!project)
        return;
    m_untitledName = tr("homelab-mesh.yaml (example)");
    m_document->reset(*project);
    updateTitle();
    m_view->fitAll();
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString dir = m_document->filePath().isEmpty() ? QString() : QFileInfo(m_document->filePath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), dir, tr("Projects (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::importConfigs()
{
    if (maybeSave())
        importFrom({});
}

bool MainWindow::importFrom(const QStringList &paths)
{
    ImportDialog dialog(m_reader, this);
    if (!paths.isEmpty()) {
        dialog.setPaths(paths);
        dialog.read();
    }
    if (dialog.exec() != QDialog::Accepted || !dialog.result())
        return false;
    const ConfigImport::Result &imported = *dialog.result();
    m_document->adopt(imported.project, imported.keys);
    m_untitledName = tr("imported from %1").arg(dialog.sourceName());
    updateTitle();
    m_view->fitAll();
    statusBar()->showMessage(tr("Imported %n host(s), keys kept: save the project to keep it", nullptr, int(imported.project.hosts.size())),
                             10000);
    return true;
}

bool MainWindow::openFile(const QString &path)
{
    QString error;
    QList<Diagnostic> warnings;
    // The keyring first (what the user chose to remember for this project), then the user.
    bool triedKeyring = false;
    bool fromKeyring = false;
    bool remember = false;
    QByteArray typed;
    const auto ask = [&](const QString &keys, const QString &problem) -> std::optional<QByteArray> {
        if (!triedKeyring) {
            triedKeyring = true;
            if (auto remembered = Keyring::passphrase(path)) {
                fromKeyring = true;
                return remembered;
            }
        }
        QString shown = problem;
        if (fromKeyring) { // it opens the store no more
            Keyring::forget(path);
            fromKeyring = false;
            shown = tr("The passphrase remembered in the keyring does not open it any more.");
        }
        auto passphrase = PassphraseDialog::unlock(this, keys, shown, &remember);
        if (passphrase)
            typed = *passphrase;
        return passphrase;
    };
    const bool loaded = m_document->load(path, &error, &warnings, ask);
    if (loaded && remember && !typed.isEmpty()) {
        QString why;
        if (!Keyring::remember(path, typed, &why))
            statusBar()->showMessage(tr("Cannot remember the passphrase in the keyring: %1").arg(why), 10000);
    }
    typed.fill('\0');
    if (!loaded) {
        QMessageBox box(QMessageBox::Critical, tr("Cannot open project"),
                        tr("Meshwright could not open the project."), QMessageBox::Ok, this);
        box.setObjectName(QStringLiteral("openErrorBox"));
        box.setInformativeText(error);
        box.exec();
        return false;
    }
    addRecentFile(m_document->filePath());
    updateTitle();
    m_view->fitAll();
    if (!warnings.isEmpty()) {
        QStringList lines;
        for (const Diagnostic &warning : std::as_const(warnings))
            lines.append(warning.toString());
        statusBar()->showMessage(lines.join(QStringLiteral("; ")), 10000);
    }
    return true;
}

bool MainWindow::save()
{
    commitPendingEdit();
    if (m_document->filePath().isEmpty())
        return saveAs();
    return saveTo(m_document->filePath());
}

bool MainWindow::saveAs()
{
    QString suggestion = m_document->filePath();
    if (suggestion.isEmpty())
        suggestion = QStringLiteral("mesh.yaml");
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Project"), suggestion, tr("Projects (*.yaml *.yml)"));
    if (path.isEmpty())
        return false;
    return saveTo(path);
}

bool MainWindow::saveTo(const QString &path)
{
    // Another project's keys beside the new name would be replaced: ask first.
    const QString keys = KeyStore::pathForProject(path);
    if (QFileInfo(path).absoluteFilePath() != m_document->filePath() && QFile::exists(keys)) {
        const auto answer = QMessageBox::warning(
            this, tr("Replace key store?"),
            tr("%1 already exists, the key store of another project of that name. Saving here replaces "
               "those keys, and hosts configured with them stop working. Replace it?")
                .arg(QDir::toNativeSeparators(keys)),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return false;
    }
    // Comments that a save would lose are named first (yaml-cpp does not keep them all).
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const QList<int> lost = ProjectFile::commentsLostBySave(existing.read(ProjectFile::MaxFileSize), m_document->project());
        existing.close();
        if (!lost.isEmpty()) {
            QStringList lines;
            for (const int line : lost)
                lines.append(QString::number(line));
            const auto answer = QMessageBox::question(
                this, tr("Comments will be lost"),
                tr("Saving keeps comments on lines of their own, but not the comments on lines %1 of %2. Save anyway?")
                    .arg(lines.join(QStringLiteral(", ")), QFileInfo(path).fileName()));
            if (answer != QMessageBox::Yes)
                return false;
        }
    }
    QString error;
    // A key store written for the first time is encrypted, unless the user keeps it plain.
    if (!QFile::exists(keys) && !m_document->keys().isEncrypted()) {
        PassphraseDialog ask(PassphraseDialog::Mode::New,
                             tr("The key store %1 will hold the private key of every host. Encrypt it with a passphrase: "
                                "Meshwright asks for it once a session.")
                                 .arg(QDir::toNativeSeparators(keys)),
                             this);
        ask.offerKeepPlain();
        const int answer = ask.exec();
        if (answer == QDialog::Rejected)
            return false;
        if (answer == QDialog::Accepted && !m_document->encryptKeys(ask.passphrase(), KeySeal::Parameters::standard(), false, &error)) {
            QMessageBox::critical(this, tr("Cannot encrypt the key store"), error);
            return false;
        }
    }
    if (!m_document->save(path, &error)) {
        QMessageBox::critical(this, tr("Cannot save project"), error);
        return false;
    }
    addRecentFile(m_document->filePath());
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    updateTitle();
    return true;
}

void MainWindow::manageKeyStore()
{
    const bool encrypted = m_document->keys().isEncrypted();
    const QString path = m_document->filePath().isEmpty() ? tr("the key store (written with the project's first save)")
                                                          : QDir::toNativeSeparators(KeyStore::pathForProject(m_document->filePath()));
    QMessageBox box(QMessageBox::Information, tr("Key Store"), QString(), QMessageBox::Close, this);
    box.setObjectName(QStringLiteral("keyStoreBox"));
    if (encrypted) {
        const KeySeal::Parameters cost = *m_document->keys().sealParameters();
        box.setText(tr("%1 is encrypted with a passphrase.").arg(path));
        box.setInformativeText(tr("Argon2id (%1 MiB, %2 passes) derives the key; XChaCha20-Poly1305 seals the keys.")
                                   .arg(cost.memLimit / (1024 * 1024))
                                   .arg(cost.opsLimit));
    } else {
        box.setText(tr("%1 holds every private key in plain text.").arg(path));
        box.setInformativeText(tr("Whoever copies it can impersonate every host. Encrypt it with a passphrase."));
    }
    QPushButton *encrypt = box.addButton(encrypted ? tr("Change &Passphrase…") : tr("&Encrypt…"), QMessageBox::ActionRole);
    encrypt->setObjectName(QStringLiteral("keyStoreEncrypt"));
    QPushButton *decrypt = encrypted ? box.addButton(tr("&Decrypt"), QMessageBox::ActionRole) : nullptr;
    if (decrypt)
        decrypt->setObjectName(QStringLiteral("keyStoreDecrypt"));
    box.exec();
    QString error;
    if (box.clickedButton() == encrypt) {
        PassphraseDialog ask(PassphraseDialog::Mode::New, encrypted ? tr("The new passphrase of %1:").arg(path) : tr("The passphrase to encrypt %1 with:").arg(path),
                             this);
        if (ask.exec() != QDialog::Accepted)
            return;
        if (!m_document->encryptKeys(ask.passphrase(), KeySeal::Parameters::standard(), true, &error)) {
            QMessageBox::critical(this, tr("Cannot encrypt the key store"), error);
            return;
        }
        statusBar()->showMessage(encrypted ? tr("New passphrase set") : tr("Key store encrypted"), 5000);
    } else if (decrypt && box.clickedButton() == decrypt) {
        const auto answer = QMessageBox::warning(this, tr("Decrypt the key store?"),
                                                 tr("%1 will hold every private key in plain text again.").arg(path),
                                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        if (!m_document->decryptKeys(true, &error)) {
            QMessageBox::critical(this, tr("Cannot decrypt the key store"), error);
            return;
        }
        statusBar()->showMessage(tr("Key store decrypted"), 5000);
    }
}

void MainWindow::exportPicture()
{
    QString selectedFilter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Picture"), QStringLiteral("mesh.png"),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg)"), &selectedFilter);
    if (path.isEmpty())
        return;
    QString error;
    const bool svg = path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive);
    const bool ok = svg ? ScenePicture::saveSvg(m_scene, path, &error) : ScenePicture::savePng(m_scene, path, &error);
    if (!ok)
        QMessageBox::critical(this, tr("Cannot export picture"), error);
    else
        statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 5000);
}

void MainWindow::generateConfigs()
{
    commitPendingEdit();
    if (hasErrors(m_document->diagnostics())) {
        QMessageBox::warning(this, tr("Generate Configs"),
                             tr("The project has errors (see Findings). Fix them before generating configs."));
        return;
    }
    if (m_document->filePath().isEmpty()) {
        QMessageBox::information(this, tr("Generate Configs"),
                                 tr("Save the project first: its keys are kept in a key store beside the project file."));
        if (!saveAs())
            return;
    }
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Generate Configs Into"),
                                                          QFileInfo(m_document->filePath()).absolutePath());
    if (dir.isEmpty())
        return;
    HostConfigs::Summary summary;
    QString error;
    if (!m_document->generate(dir, {}, &summary, &error)) {
        QMessageBox::critical(this, tr("Generate Configs"), error);
        return;
    }
    QMessageBox::information(this, tr("Generate Configs"),
                             tr("Wrote %1 files for %2 hosts to %3 (%4 bytes). Every file holds a private key and is "
                                "readable by you alone.")
                                 .arg(summary.files)
                                 .arg(summary.hosts)
                                 .arg(QDir::toNativeSeparators(dir))
                                 .arg(summary.bytes));
}

DeployDialog *MainWindow::deployDialog() const
{
    return m_deployDialog;
}

void MainWindow::openDeployDialog()
{
    if (!m_deployer)
        return;
    commitPendingEdit();
    if (!m_deployDialog) {
        m_deployDialog = new DeployDialog(m_document, m_deployer, this);
        m_deployDialog->setSaveProject([this] { return save(); });
        connect(m_deployDialog, &DeployDialog::linkChecked, m_scene, &TopologyScene::showLinkCheck);
    }
    m_deployDialog->show();
    m_deployDialog->raise();
    m_deployDialog->activateWindow();
}

void MainWindow::rotateSelectedKeys()
{
    const QList<HostId> hosts = m_scene->selectedHosts();
    const Host *host = hosts.size() == 1 ? m_document->host(hosts.front()) : nullptr;
    if (!host)
        return;
    QMessageBox box(QMessageBox::Question, tr("Rotate Keys"), tr("Give %1 a new key pair?").arg(host->name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("rotateKeysBox"));
    box.setInformativeText(tr("The next deploy switches %1 and every peer of it together, and rolls all of them back if a "
                              "link fails; the key store keeps the old key until that deploy is confirmed. Peers installed "
                              "by hand (phones) must then import their config again.")
                               .arg(host->name));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    QString error;
    if (!m_document->rotateKeys(hosts.front(), &error))
        QMessageBox::critical(this, tr("Rotate Keys"), error);
    else
        statusBar()->showMessage(tr("%1 has a new key pair; deploy to switch it and its peers").arg(host->name), 8000);
}

void MainWindow::rotateSelectedPresharedKey()
{
    const auto links = m_scene->selectedLinks();
    if (links.size() != 1)
        return;
    const auto [a, b] = links.front();
    const Host *hostA = m_document->host(a);
    const Host *hostB = m_document->host(b);
    if (!hostA || !hostB)
        return;
    QMessageBox box(QMessageBox::Question, tr("Rotate Preshared Key"),
                    tr("Give the link %1 ↔ %2 a new preshared key?").arg(hostA->name, hostB->name),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("rotatePskBox"));
    box.setInformativeText(tr("The next deploy switches both ends together; the old key is kept until it is confirmed."));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    QString error;
    if (!m_document->rotatePresharedKey(a, b, &error))
        QMessageBox::critical(this, tr("Rotate Preshared Key"), error);
    else
        statusBar()->showMessage(tr("New preshared key for %1 ↔ %2; deploy to switch both ends").arg(hostA->name, hostB->name), 8000);
}

void MainWindow::setLiveStatus(bool on)
{
    QAction *live = action(QStringLiteral("liveStatus"));
    if (!m_monitor || on == m_monitor->isRunning()) {
        live->setChecked(m_monitor && m_monitor->isRunning());
        return;
    }
    if (!on) {
        m_monitor->stop(); // the scene and the legend follow runningChanged
        return;
    }
    m_monitor->setOptions(m_statusPane->options());
    QString error;
    if (!m_monitor->start(&error)) {
        live->setChecked(false);
        QMessageBox::information(this, tr("Live Status"), error);
        return;
    }
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("statusDock"))) {
        dock->show();
        dock->raise();
    }
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecentFiles)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent) {
        QAction *a = m_recentMenu->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (maybeSave())
                openFile(path);
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::readSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    updateRecentMenu();
}

void MainWindow::writeSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    if (m_deployer && m_deployer->isRunning()) {
        const auto answer = QMessageBox::warning(
            this, tr("Deploy running"),
            tr("A deploy is running. Quitting cancels it: no further hosts start, and Meshwright exits once the "
               "running ones have finished or rolled back. Quit anyway?"),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_deployer->cancel();
    }
    if (m_monitor)
        m_monitor->stop();
    writeSettings();
    event->accept();
}
