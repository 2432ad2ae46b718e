// The import dialog: an existing WireGuard estate, from its config files or its running
// hosts, previewed as a graph with its findings before it becomes a project.
#pragma once

#include "configimport.h"

#include <QDialog>
#include <QHash>
#include <QStringList>

#include <optional>

class MeshDocument;
class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QThread;
class TopologyScene;
class TopologyView;

/// Reads configs (files, folders, zip exports; or running hosts over a RemoteReader handed
/// in: the ui never reaches a host by itself), shows what they make: the graph, what was
/// inferred, what the project cannot say (a loss) and the project's own findings. Import
/// is enabled once a read succeeded, and where there are losses only once the user
/// accepts them. Unknown host keys are asked about one by one, as the Deploy dialog does,
/// and only the keys the user saw are accepted.
class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    /// \a reader may be null: the running-hosts tab is then disabled.
    explicit ImportDialog(ConfigImport::RemoteReader *reader, QWidget *parent = nullptr);
    ~ImportDialog() override;

    /// The files and folders to read, on the files tab (which it shows).
    void setPaths(const QStringList &paths);
    QStringList paths() const;
    /// The hosts to read, one "[NAME=][USER@]HOST[:PORT]" each, on the running-hosts tab
    /// (which it shows).
    void setSshTargets(const QStringList &targets);

    bool isReading() const { return m_worker != nullptr; }
    /// The last read's result (empty before one, or when it failed: see errorText()).
    const std::optional<ConfigImport::Result> &result() const { return m_result; }
    QString errorText() const { return m_error; }
    /// The findings list as shown: losses first ("lost: FILE:LINE: ..."), then the
    /// project's errors and warnings, then what was inferred ("note: ...").
    QStringList findings() const;
    /// What the imported project is named after until it is saved.
    QString sourceName() const { return m_sourceName; }
    TopologyScene *previewScene() const { return m_scene; }

public slots:
    /// Reads what the current tab names, then shows it (over SSH: in the background).
    void read();

signals:
    void readFinished(bool ok);

private:
    void readFiles();
    void readHosts(const QHash<QString, QString> &accepted);
    void showResult(std::optional<ConfigImport::Result> result, const QStringList &notes, const QString &error);
    void offerHostKeys(const QHash<QString, QString> &unknown);
    void updateButtons();
    void addFolder();
    void addFiles();

    ConfigImport::RemoteReader *m_reader;
    QTabWidget *m_tabs;
    QListWidget *m_pathList;
    QPlainTextEdit *m_targets;
    QLineEdit *m_identity;
    QLineEdit *m_sudo;
    QLineEdit *m_knownHosts;
    QPushButton *m_readButton;
    QLabel *m_summary;
    MeshDocument *m_preview;
    TopologyScene *m_scene;
    TopologyView *m_view;
    QListWidget *m_findings;
    QCheckBox *m_acceptLosses;
    QDialogButtonBox *m_buttons;
    QPushButton *m_importButton;

    QThread *m_worker = nullptr;
    std::optional<ConfigImport::Result> m_result;
    QString m_error;
    QString m_sourceName;
};
