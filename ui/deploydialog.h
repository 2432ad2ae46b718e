// The deploy dialog: the plan, each phase of the fleet transaction, every link's check, one verdict.
#pragma once

#include "deployer.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QStringList>

#include <functional>

class DeployChangesView;
class DeployLinksView;
class DeployPlanView;
class DeployVerdictView;
class MeshDocument;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

/// Drives a Deployer (handed in: the ui never reaches a host by itself) for the hosts the
/// user checks, as one transaction: the plan (hosts to switch, hosts to re-import, links
/// to verify), each phase with progress, a table of the links as they are verified, and
/// one verdict. Non-modal; closing it only hides it, and a running deploy goes on.
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
    /// The results of the last run, by host.
    const QHash<QString, DeployResult> &results() const { return m_results; }
    /// The last run's verdict (valid once a run has ended).
    const DeployReport &report() const { return m_report; }

public slots:
    /// A dry run of the checked hosts: their diffs and the plan, nothing changes.
    void showChanges();
    /// Deploys the checked hosts as one transaction.
    void deploy();
    /// Before the switch: nothing is switched. After it: every switched host rolls back.
    void cancel();

signals:
    /// A link was verified (or failed) during a deploy: for the canvas to colour it.
    void linkChecked(const QString &a, const QString &b, bool ok, const QString &detail);
    /// A run ended with \a report.
    void runFinished(const DeployReport &report);

protected:
    void changeEvent(QEvent *event) override;

private:
    enum Column { HostColumn, ProgressColumn, StepColumn, ResultColumn };

    /// Starts a run of \a hosts; \a acceptedKeys are host keys the user accepted.
    bool start(bool dryRun, const QStringList &hosts, const QHash<QString, QString> &acceptedKeys);
    void onPhaseStarted(DeployPhase phase, const QString &detail);
    void onStepStarted(const QString &host, DeployStep step, const QString &detail);
    void onPrepared(const DeployReport &report);
    void onLinkChecked(const LinkCheck &check);
    void onFinished(const DeployReport &report);
    /// Asks about each host refused for an unknown key; runs again with those accepted.
    void offerHostKeys();
    void rebuildHosts(bool force);
    void onProjectReset();
    void showResult(QTreeWidgetItem *item, const DeployResult &result);
    /// The last run's verdict, in the line by the buttons and in the verdict view.
    void showVerdict();
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
    // The views of the run's report.
    DeployPlanView *m_planView;
    DeployChangesView *m_diffView;
    DeployLinksView *m_linkList;
    QPlainTextEdit *m_log;
    DeployVerdictView *m_summary;
    QLabel *m_phase;
    QProgressBar *m_phaseProgress;
    QLabel *m_overall;

    /// (name, has ssh) of the listed hosts, to rebuild the list only when these change.
    QList<std::pair<QString, bool>> m_listed;
    QStringList m_unchecked; ///< SSH hosts the user unchecked, kept across rebuilds
    bool m_hostsStale = false;
    bool m_running = false;
    bool m_dryRun = false;
    bool m_cancelRequested = false;
    DeployPlan m_plan;       ///< of the last run
    DeployReport m_report;   ///< of the last run, as far as it got
    QStringList m_order;     ///< hosts of the last run, in file order
    QHash<QString, DeployResult> m_results;
};
