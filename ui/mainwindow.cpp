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
    const auto notes = std::count_if(findings.cbegin(), findings.cend(), [](const Diagnostic &d) { return d.isNote(); });
    const auto count = [](qsizetype n, const QString &one, const QString &many) {
        return (n == 1 ? one : many).arg(n);
    };
    m_statusFindings->setText(count(m_document->project().hosts.size(), tr("%1 host"), tr("%1 hosts")) + QStringLiteral(" · ")
                              + count(errors, tr("%1 error"), tr("%1 errors")) + QStringLiteral(", ")
                              + count(findings.size() - errors - notes, tr("%1 warning"), tr("%1 warnings"))
                              + (notes ? QStringLiteral(", ") + count(notes, tr("%1 note"), tr("%1 notes")) : QString()));
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
