// What the fleet transaction asks of one host (over SSH in app/, scripted in tests).
#pragma once

#include "linkcheck.h"

#include <functional>
#include <optional>

/// One host's side of a deploy. The transaction calls an agent from one thread at a time
/// (its own worker), in this order: connect, readLive, then stage and switchOver when the
/// host changes, probe any number of times, then disarm and commit, or rollback.
class HostAgent
{
public:
    using Report = std::function<void(DeployStep step, const QString &detail)>;

    virtual ~HostAgent() = default;

    /// Connects, checks the host key, authenticates.
    virtual std::optional<DeployFailure> connect(const Report &report) = 0;
    /// The live content of each of the target's files, in order (empty: missing).
    virtual std::optional<DeployFailure> readLive(QList<QByteArray> *live) = 0;
    /// Uploads \a files (the target's, in its order, with any block already merged into
    /// the live file) to a private stage and checks them with the host's own parser
    /// (wg-quick strip).
    virtual std::optional<DeployFailure> stage(const QList<DeployTarget::File> &files, const Report &report) = 0;
    /// Removes the stage of a host that is not switched.
    virtual void discardStage() = 0;

    enum class SwitchOutcome {
        Switched, ///< installed, reloaded, routes as wg-quick makes them; timer armed
        Restored, ///< install or reload failed and the host put its previous config back
        Lost,     ///< the connection died: the host's timer restores it
    };
    /// Backs up the live files, arms the host-side rollback (after \a timeoutSeconds unless
    /// disarmed), installs and reloads (\a restart: the interface restarts; else wg
    /// syncconf and the routes reconciled).
    virtual SwitchOutcome switchOver(bool restart, int timeoutSeconds, const Report &report, QString *reason) = 0;

    /// One round of echoes for \a links (all sent from this host); Pending where the echo
    /// got no answer this round but may yet. An agent that lost its host says Unreachable.
    virtual QList<LinkCheck> probe(const QList<DeployLink> &links) = 0;

    /// Stops the host-side timer; the backup stays until commit(). Fails (Verification)
    /// when the timer had already fired: the host is back on its previous config.
    virtual std::optional<DeployFailure> disarm() = 0;
    /// Drops the backups of a confirmed switch.
    virtual std::optional<DeployFailure> commit() = 0;
    /// Restores the backups and reloads (armed or disarmed).
    virtual std::optional<DeployFailure> rollback() = 0;

    /// Called on the agent's worker thread as it ends (per-thread library state).
    virtual void threadFinished() {}
};
