// What a deploy does: the hosts it switches, the files they get, the links it verifies.
#pragma once

#include "keystore.h"
#include "polltarget.h"
#include "project.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

/// One host of a deploy: where to reach it (what polling needs too) and which files go
/// where.
struct DeployTarget : PollTarget
{
    QString reloadCmd; ///< empty: by OS
    struct File
    {
        QString path; ///< absolute path on the host
        QByteArray content;
        /// content is a block between markers (HostsFile) to merge into the live file,
        /// which keeps everything else and its mode; the rest of the file is the host's.
        bool block = false;
    };
    /// The interface configs (NAME.conf), for OpenBSD /etc/hostname.NAME and its pf rules,
    /// and last the mesh's names for /etc/hosts (a block; empty without defaults.hosts_file,
    /// which removes one that an earlier deploy wrote).
    QList<File> files;
};

/// A link that a deploy checks by traffic: an echo from one end to the other end's mesh
/// address, out of the WireGuard interface. The reply proves both directions and both
/// ends' routes, so one end sends.
struct DeployLink
{
    QString a; ///< the end that comes first in the project
    QString b;
    QString from; ///< the end that sends the echo: one that knows the other's endpoint
    QString to;
    QString interfaceName; ///< on \a from
    QString peerKey;       ///< \a to's public key as \a from has it (for its handshake)
    QStringList addresses; ///< \a to's mesh addresses on the link, one per address family both ends have
    QString via; ///< the relay that carries it (its ends have no peer entry for each other), or empty

    QString name() const { return a + QLatin1String(" <-> ") + b + (via.isEmpty() ? QString() : QLatin1String(" via ") + via); }
    bool operator==(const DeployLink &) const = default;
};

/// The steps of a host's part in a deploy, in order.
enum class DeployStep { Connect, HostKey, Auth, Read, Upload, Validate, Arm, Install, Reload, Routes, Verify, Confirm, Rollback, Done };
QString deployStepName(DeployStep step);

/// The phases of the fleet transaction (DESIGN.md, "Deploy").
enum class DeployPhase { Prepare, Switch, Verify, Confirm, Rollback, VerifyPrevious, Done };
QString deployPhaseName(DeployPhase phase);

struct DeployOptions
{
    bool dryRun = false;
    int jobs = 8; ///< hosts that talk to their host at a time
    bool acceptNewHostKeys = false;
    /// host -> the SHA256 fingerprint the user accepted for it: recorded only if the host
    /// still presents exactly that key. A target without a host name yet (an import) is
    /// looked up by its address.
    QHash<QString, QString> acceptedFingerprints;
    QString knownHostsFile; ///< empty: ~/.ssh/known_hosts
    /// Seconds until a switched host restores its previous config by itself unless the
    /// whole transaction was confirmed: it covers switch, verification and confirmation.
    int confirmTimeout = 60;
    int verifyTimeout = 30; ///< seconds for every link to answer an echo
    int connectTimeout = 10;

    /// The options as a user gives them, in the Deploy dialog or on the command line:
    /// `~/` expanded in \a knownHosts, the verification left half the confirm timeout
    /// (at most 30 s) so that confirming always fits in the host-side timer.
    static DeployOptions fromUser(const QString &knownHosts, int confirmTimeout, int jobs);
};

/// A step that failed on one host, and why.
struct DeployFailure
{
    /// Why a step failed, for the summary and for deciding what the user can do.
    enum class Problem { None, Network, HostKey, Auth, Privilege, RemoteCommand, Verification };

    DeployStep step = DeployStep::Connect;
    Problem problem = Problem::None;
    QString reason;
};

/// How one host ended.
struct DeployResult
{
    enum class Outcome { Unchanged, Updated, RolledBack, Failed, NotSwitched, Cancelled };
    using Problem = DeployFailure::Problem;

    QString host;
    Outcome outcome = Outcome::NotSwitched;
    DeployStep step = DeployStep::Connect; ///< where it ended
    Problem problem = Problem::None;
    QString reason;
    QString diff;         ///< unified diff of the configs, keys masked
    bool changes = false; ///< its files differ from what the host runs
    bool restart = false; ///< the change needs the interface restarted, not wg syncconf

    bool succeeded() const { return outcome == Outcome::Unchanged || outcome == Outcome::Updated; }
    void fail(const DeployFailure &failure)
    {
        outcome = Outcome::Failed;
        step = failure.step;
        problem = failure.problem;
        reason = failure.reason;
    }
};
QString deployOutcomeName(DeployResult::Outcome outcome);
/// The SHA256 fingerprint of a host refused at the host-key step because its key is not in
/// known_hosts yet (\a reason as the SSH session gives it), or empty: a changed key is not
/// "unknown", and is never offered for acceptance.
QString unknownHostKey(DeployResult::Problem problem, const QString &reason);

/// Everything a deploy will do, from the project alone (before any host is read).
struct DeployPlan
{
    QList<DeployTarget> targets; ///< hosts with SSH in scope, in project order
    QList<DeployLink> links;     ///< links between targets, checked after the switch
    /// Hosts installed by hand (no SSH) that are peers of a target: when the peer's config
    /// changes for them, they must import their config again (QR code or file).
    struct HandInstalled
    {
        QString host;
        QString publicKey;
    };
    QList<HandInstalled> handInstalled;
    QStringList waiting; ///< "A <-> B (B is left out of this deploy)": links to SSH hosts not in scope

    QStringList hostNames() const;
};

namespace Deployment {

/// The targets for \a hostNames (every host with SSH when empty), with their files from
/// the planner and the keys in \a keys (made by the caller: KeyStore::ensure). Hosts
/// without SSH are refused by name in \a error.
std::optional<QList<DeployTarget>> targets(const Project &project, const KeyStore &keys, const QStringList &hostNames,
                                           QString *error);

/// Where to poll every host with SSH: the login part of targets(), from the project
/// alone (no config is planned, no key is read). On a host without an address to
/// connect to, nullopt and \a error names it.
std::optional<QList<PollTarget>> pollTargets(const Project &project, QString *error);

/// The plan of a deploy of \a hostNames (see targets()).
std::optional<DeployPlan> plan(const Project &project, const KeyStore &keys, const QStringList &hostNames, QString *error);

/// The files of one host, as the links between hosts are read from them.
struct HostFiles
{
    QString host;
    QList<DeployTarget::File> files;
};
/// Every link between the hosts in \a hosts, read from their configs: a peer whose public
/// key is another host's interface key is a link, and so is a host whose own address is
/// allowed on the peer entry of a relay (DeployLink::via). Works on generated configs and
/// on the configs a host runs (to verify the previous mesh after a rollback).
QList<DeployLink> linksBetween(const QList<HostFiles> &hosts);

/// True when going from \a before to \a after changes more than wg syncconf can apply:
/// Address, MTU, DNS, Table, FwMark, Pre/PostUp/Down, or a route to everything (/0),
/// which wg-quick sets up with policy rules at `up` only.
bool needsRestart(const QByteArray &before, const QByteArray &after);
/// True for a WireGuard interface's config (NAME.conf), not the other files a target
/// holds (/etc/hostname.NAME, /etc/hosts, /etc/pf-meshwright.conf).
bool isInterfaceConfig(const QString &path);

/// True when a host installed by hand, whose public key is \a peerKey, must import its
/// config again because its peer's config went from \a before to \a after: the peer's key,
/// port or addresses changed, or the peer's section for it (its key, AllowedIPs, PSK).
bool changesFor(const QByteArray &before, const QByteArray &after, const QString &peerKey);

/// A unified diff of two config texts, keys masked, "" when they are equal.
QString diff(const QString &path, const QByteArray &before, const QByteArray &after);

/// After a confirmed deploy in which \a hosts took part: forgets the old keys of the
/// rotations they installed. A host's own key is settled when it took part (a host
/// without SSH: when a peer of it took part, having been told to re-import); a preshared
/// key when every end with SSH took part. Returns what was settled, for the summary.
QStringList settleRotations(const Project &project, const QStringList &hosts, KeyStore &keys);

} // namespace Deployment
