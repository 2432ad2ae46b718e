// What a deploy does to each host, and the interface of whatever carries it out (SSH).
#pragma once

#include "keystore.h"
#include "project.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

/// One host of a deploy: where to reach it and which files go where.
struct DeployTarget
{
    QString host;
    QString os;
    QString address; ///< ssh.host, else NAME.DOMAIN of the lan/internet site
    int port = 22;
    QString user;
    QString identity;
    QString sudoCmd;   ///< empty: the user is root
    QString reloadCmd; ///< empty: by OS
    struct File
    {
        QString path; ///< absolute path on the host
        QByteArray content;
    };
    QList<File> files;      ///< the interface configs (NAME.conf), and for OpenBSD /etc/hostname.NAME
    QStringList interfaces; ///< interface names
    QStringList probes;    ///< peers' mesh addresses, pinged through the tunnels to verify
};

/// The steps of a host's deploy, in order.
enum class DeployStep { Connect, HostKey, Auth, Read, Upload, Validate, Arm, Install, Reload, Verify, Confirm, Rollback, Done };
QString deployStepName(DeployStep step);

struct DeployOptions
{
    bool dryRun = false;
    int jobs = 8;
    bool acceptNewHostKeys = false;
    /// host -> the SHA256 fingerprint the user accepted for it: recorded only if the host
    /// still presents exactly that key.
    QHash<QString, QString> acceptedFingerprints;
    QString knownHostsFile; ///< empty: ~/.ssh/known_hosts
    int confirmTimeout = 60; ///< seconds until the host rolls back by itself
    int verifyTimeout = 30;  ///< seconds to wait for handshakes
    int connectTimeout = 10;
};

/// How one host ended.
struct DeployResult
{
    enum class Outcome { Unchanged, Updated, RolledBack, Failed, Cancelled };
    /// Why a step failed, for the summary and for deciding what the user can do.
    enum class Problem { None, Network, HostKey, Auth, Privilege, RemoteCommand, Verification };

    QString host;
    Outcome outcome = Outcome::Failed;
    DeployStep step = DeployStep::Connect; ///< where it ended
    Problem problem = Problem::None;
    QString reason;
    QString diff; ///< unified diff of the configs, keys masked (dry runs and updates)

    bool succeeded() const { return outcome == Outcome::Unchanged || outcome == Outcome::Updated; }
};
QString deployOutcomeName(DeployResult::Outcome outcome);

namespace Deployment {

/// The targets for \a hostNames (every host with SSH when empty), with their files from
/// the planner; keys are made in \a keys where missing (the caller saves them). Hosts
/// without SSH are refused by name in \a error.
std::optional<QList<DeployTarget>> targets(const Project &project, KeyStore &keys, const QStringList &hostNames,
                                           QString *error);

/// True when going from \a before to \a after changes more than the peers (Address, MTU,
/// DNS, Table, Pre/PostUp/Down): wg syncconf cannot apply that, the interface restarts.
bool needsRestart(const QByteArray &before, const QByteArray &after);

/// A unified diff of two config texts, keys masked, "" when they are equal.
QString diff(const QString &path, const QByteArray &before, const QByteArray &after);

} // namespace Deployment

/// Carries a deploy out (in app/: over SSH). Runs hosts in parallel off the caller's
/// thread; reports through queued signals. One host's failure never touches another's.
class Deployer : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start(const QList<DeployTarget> &targets, const DeployOptions &options) = 0;
    /// Starts no further hosts; running ones finish or roll back.
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;

signals:
    void stepStarted(const QString &host, DeployStep step, const QString &detail);
    void hostFinished(const DeployResult &result);
    void finished();
};

Q_DECLARE_METATYPE(DeployResult)
