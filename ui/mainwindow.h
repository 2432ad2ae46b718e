// The main window: canvas in the centre, palette, properties and findings around it.
#pragma once

#include "configimport.h"
#include "meshdocument.h"

#include <QMainWindow>
#include <QPointer>

class ConfigPane;
class DeployDialog;
class Deployer;
class DiagnosticsPane;
class PalettePane;
class PropertiesPane;
class QrPane;
class StatusMonitor;
class StatusPane;
class StatusPoller;
class QAction;
class QMenu;
class QLabel;
class TopologyScene;
class TopologyView;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// \a deployer carries deploys out, \a poller asks the hosts for live status and
    /// \a reader reads running hosts' configs for an import (the application's, over SSH);
    /// without them Deploy, Live Status resp. importing from running hosts stay disabled.
    /// They must outlive the window.
    explicit MainWindow(QWidget *parent = nullptr, Deployer *deployer = nullptr, StatusPoller *poller = nullptr,
                        ConfigImport::RemoteReader *reader = nullptr);
    ~MainWindow() override;

    /// Opens \a path; on failure shows one error dialog (file:line) and keeps the current
    /// document. Does not ask about unsaved changes (the caller does).
    bool openFile(const QString &path);
    /// Opens the bundled example as an untitled project.
    void openExample();
    /// The import dialog (ImportDialog), with \a paths on its files tab and read at once
    /// when given; what the user imports becomes a new, unsaved project, laid out. True
    /// when something was imported. Does not ask about unsaved changes.
    bool importFrom(const QStringList &paths);

    MeshDocument *document() const { return m_document; }
    TopologyScene *scene() const { return m_scene; }
    TopologyView *view() const { return m_view; }
    PalettePane *palettePane() const { return m_palette; }
    PropertiesPane *propertiesPane() const { return m_properties; }
    DiagnosticsPane *diagnosticsPane() const { return m_diagnostics; }
    ConfigPane *configPane() const { return m_configs; }
    QrPane *qrPane() const { return m_qr; }
    /// The live status pane and its monitor (null without a poller).
    StatusPane *statusPane() const { return m_statusPane; }
    StatusMonitor *statusMonitor() const { return m_monitor; }
    QAction *action(const QString &name) const;
    /// The deploy dialog, once Deploy… was used (it is kept, hidden, when closed).
    DeployDialog *deployDialog() const;
    /// Saves the project as \a path, as Save As does once a name is chosen: asks before
    /// replacing another project's key store or losing comments, and asks for a passphrase
    /// when the key store is written for the first time (encrypted unless kept plain).
    bool saveTo(const QString &path);

public slots:
    void newProject();
    void open();
    void importConfigs();
    /// File → Key Store…: whether the key store is encrypted; encrypt it, change its
    /// passphrase, or decrypt it, each written at once.
    void manageKeyStore();
    bool save();
    bool saveAs();
    void exportPicture();
    void generateConfigs();
    void openDeployDialog();
    void rotateSelectedKeys();
    void rotateSelectedPresharedKey();
    void setLiveStatus(bool on);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    void updateTitle();
    void updateStatus();
    void updateDeployAction();
    void onSelectionChanged();
    void onFindingActivated(const QString &host, const QString &peer);
    void addPresetAtCentre(const QString &presetId);
    void onPresetRefused(const QString &reason);
    void commitPendingEdit();
    /// Asks what to do with unsaved changes; false when the user cancels.
    bool maybeSave();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void readSettings();
    void writeSettings();

    MeshDocument *m_document;
    TopologyScene *m_scene;
    TopologyView *m_view;
    PalettePane *m_palette = nullptr;
    PropertiesPane *m_properties = nullptr;
    DiagnosticsPane *m_diagnostics = nullptr;
    ConfigPane *m_configs = nullptr;
    QrPane *m_qr = nullptr;
    StatusMonitor *m_monitor = nullptr;
    StatusPane *m_statusPane = nullptr;
    Deployer *m_deployer;
    ConfigImport::RemoteReader *m_reader;
    QPointer<DeployDialog> m_deployDialog;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_statusFindings = nullptr;
    QString m_untitledName;
    QHash<QString, QAction *> m_actions;
};
