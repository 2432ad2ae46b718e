// The deploy dialog: pick hosts, see their changes, deploy with progress, read the outcome.
#pragma once

#include "deployment.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QStringList>

#include <functional>

class MeshDocument;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSyntaxHighlighter;
class QTabWidget;
class QTextEdit;
class QTreeWidget;
class QTreeWidgetItem;

/// Drives a Deployer (handed in: the ui never reaches a host by itself) for the hosts the
/// user checks. Everything is asynchronous: the dialog is non-modal and the event loop
/// keeps running during a deploy. Closing it only hides it; a running deploy goes on and
/// the dialog shows its end when opened again.
class DeployDialog : public QDialog
{
    Q_OBJECT

public:
    /// \a deployer may be null: the dialog then lists the hosts and starts nothing.
    DeployDialog(MeshDocument *document, Deployer *deployer, QWidget *parent = nullptr);
    ~DeployDialog() override;

    /// Called when a deploy of an untitled project needs it saved first (its keys are
    /// kept beside the project file); returns false when it was not saved.
    void setSaveProject(std::function<bool()> save) { m_saveProject = std::move(save); }

    /// Hosts with SSH that are checked, in file order.
    QStringList checkedHosts() const;
    void setHostChecked(const QString &host, bool checked);
    bool isRunning() const { return m_running; }
    /// The results of the last run (and of its host-key re-runs), by host.
    const QHash<QString, DeployResult> &results() const { return m_results; }

public slots:
    /// A dry run of the checked hosts: their diffs, nothing changes.
    void showChanges();
    /// Deploys the checked hosts (after saving new keys).
    void deploy();
    /// Starts no further hosts; running ones finish or roll back.
    void cancel();

protected:
    void changeEvent(QEvent *event) override;

private:
    enum Column { HostColumn, ProgressColumn, StepColumn, ResultColumn };

    /// Starts a run of \a hosts. \a fresh clears what the last run showed; a re-run after
    /// accepting host keys keeps the other hosts' results.
    bool start(bool dryRun, const QStringList &hosts, const QHash<QString, QString> &acceptedKeys, bool fresh);
    void onStepStarted(const QString &host, DeployStep step, const QString &detail);
    void onHostFinished(const DeployResult &result);
    void onFinished();
    void endRun();
    /// Asks about each host refused for an unknown key; re-runs those accepted.
    void offerHostKeys();
    void rebuildHosts(bool force);
    void onProjectReset();
    void showResult(QTreeWidgetItem *item, const DeployResult &result);
    void updateDiffView();
    void updateSummary();
    void updateButtons();
    void recolour();
    void appendLog(const QString &line);
    QTreeWidgetItem *itemFor(const QString &host) const;
    QProgressBar *progressFor(const QString &host) const;

    MeshDocument *m_document;
    QPointer<Deployer> m_deployer;
    std::function<bool()> m_saveProject;

    QTreeWidget *m_hostList;
    QLineEdit *m_knownHosts;
    QSpinBox *m_confirmTimeout;
    QSpinBox *m_jobs;
    QPushButton *m_showChanges;
    QPushButton *m_deployButton;
    QPushButton *m_cancelButton;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_diffView;
    QPlainTextEdit *m_log;
    QTextEdit *m_summary;
    QLabel *m_overall;
    QSyntaxHighlighter *m_highlighter;

    /// (name, has ssh) of the listed hosts, to rebuild the list only when these change.
    QList<std::pair<QString, bool>> m_listed;
    QStringList m_unchecked; ///< SSH hosts the user unchecked, kept across rebuilds
    bool m_hostsStale = false;
    bool m_running = false;
    bool m_finishing = false; ///< finished() came, the run ends once its emission is over
    bool m_dryRun = false;
    bool m_cancelRequested = false;
    QStringList m_order; ///< hosts of the last run, in file order
    QHash<QString, DeployResult> m_results;
};
