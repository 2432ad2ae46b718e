// The main window's actions and menus, its recent files and its settings.
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

} // namespace

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
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
