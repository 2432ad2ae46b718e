// A fleet of hosts in memory, for tests of the deploy transaction and the Deploy dialog.
#pragma once

#include "deployment.h"
#include "fleetdeployer.h"
#include "hostagent.h"
#include "wgquick.h"

#include <QHash>
#include <QSet>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

/// Each host runs its files; an echo over a link comes back only when both ends run
/// configs that name each other's current key and the address is the other end's: so a
/// key rotated on one end alone, or a peer dropped, breaks the link as it would on real
/// hosts. Faults are set per host. Every member is guarded by \a mutex.
class FakeFleet
{
public:
    struct Host
    {
        QList<QByteArray> live;   ///< per target file (empty: missing)
        QList<QByteArray> backup; ///< what a switch replaced
        bool switched = false;    ///< armed or disarmed, not yet committed or restored
        bool disarmed = false;
        // Faults
        std::optional<DeployFailure> failConnect;
        std::optional<DeployFailure> failStage;
        bool failReload = false;      ///< the switch fails; the host restores itself
        bool timerFires = false;      ///< the timer fired before the confirmation
        bool lostAfterSwitch = false; ///< unreachable once switched
        QByteArray blockedWhileRunning; ///< its links fail while its first file is this
        QString unknownKey; ///< a fingerprint: refused at connect unless accepted
        // What happened
        QList<DeployTarget::File> staged; ///< what the last stage uploaded
        int switches = 0;
        int rollbacks = 0;
        int commits = 0;
        int discarded = 0;
        bool restartAsked = false;
        std::thread::id madeOn;
        QSet<std::thread::id> calledOn;
    };

    std::mutex mutex;
    QHash<QString, Host> hosts;
    QHash<QString, DeployTarget> targets; ///< the last plan's targets, for their paths
    std::atomic_int busy = 0;
    std::atomic_int mostBusy = 0;
    std::atomic_bool hold = false; ///< connecting waits (10 s at most) while set

    /// Gives each host of \a plan what it runs now (nothing: a first deploy).
    void adopt(const DeployPlan &plan, bool runNewFiles = false)
    {
        const std::lock_guard lock(mutex);
        for (const DeployTarget &target : plan.targets) {
            targets.insert(target.host, target);
            Host &host = hosts[target.host];
            if (runNewFiles || host.live.isEmpty()) {
                host.live.clear();
                for (const DeployTarget::File &file : target.files)
                    host.live.append(runNewFiles ? file.content : QByteArray());
            }
        }
    }

    QList<QByteArray> live(const QString &host)
    {
        const std::lock_guard lock(mutex);
        return hosts.value(host).live;
    }

    /// True when \a link works on what the hosts run now. Called with the lock held.
    bool answers(const DeployLink &link, const QString &address)
    {
        const Host &from = hosts[link.from];
        const Host &to = hosts[link.to];
        for (const Host *end : {&from, &to}) {
            if (!end->blockedWhileRunning.isEmpty() && end->live.value(0) == end->blockedWhileRunning)
                return false;
        }
        const auto mine = WgQuick::parse(from.live.value(0));
        const auto theirs = WgQuick::parse(to.live.value(0));
        if (!mine || !theirs)
            return false;
        const auto myKey = WireGuardKeys::publicKey(mine->privateKey);
        const auto theirKey = WireGuardKeys::publicKey(theirs->privateKey);
        auto names = [](const InterfaceConfig &config, const std::optional<QString> &key) {
            return key && std::any_of(config.peers.cbegin(), config.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == *key; });
        };
        if (!names(*mine, theirKey) || !names(*theirs, myKey))
            return false;
        // The address is the other end's as it runs now (OpenBSD's from its hostname.wgN).
        auto files = [this](const QString &name, const Host &host) {
            Deployment::HostFiles result{name, {}};
            const DeployTarget target = targets.value(name);
            for (qsizetype i = 0; i < target.files.size(); ++i)
                result.files.append({target.files[i].path, host.live.value(i)});
            return result;
        };
        const QList<DeployLink> running = Deployment::linksBetween({files(link.from, from), files(link.to, to)});
        return std::any_of(running.cbegin(), running.cend(), [&](const DeployLink &l) { return l.addresses.contains(address); });
    }

    FleetTransaction::AgentFactory factory();
};

/// One host of a FakeFleet.
class FakeAgent : public HostAgent
{
public:
    FakeAgent(FakeFleet &fleet, const DeployTarget &target, const DeployOptions &options)
        : m_fleet(fleet)
        , m_target(target)
        , m_options(options)
    {
        const std::lock_guard lock(m_fleet.mutex);
        m_fleet.hosts[m_target.host].madeOn = std::this_thread::get_id();
    }

    std::optional<DeployFailure> connect(const Report &report) override
    {
        for (int i = 0; i < 2000 && m_fleet.hold; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const Call call(*this);
        report(DeployStep::Auth, {});
        const QString unknown = host().unknownKey;
        if (!unknown.isEmpty() && m_options.acceptedFingerprints.value(m_target.host) != unknown)
            return DeployFailure{DeployStep::HostKey, DeployFailure::Problem::HostKey,
                                 QStringLiteral("unknown host key %1; refused (accept it with --accept-new-host-keys after "
                                                "checking it with ssh-keygen -lf on the host)")
                                     .arg(unknown)};
        return host().failConnect;
    }
    std::optional<DeployFailure> readLive(QList<QByteArray> *live) override
    {
        const Call call(*this);
        *live = host().live;
        return std::nullopt;
    }
    std::optional<DeployFailure> stage(const QList<DeployTarget::File> &files, const Report &) override
    {
        const Call call(*this);
        host().staged = files;
        return host().failStage;
    }
    void discardStage() override
    {
        const Call call(*this);
        ++host().discarded;
    }
    SwitchOutcome switchOver(bool restart, int, const Report &, QString *reason) override
    {
        const Call call(*this);
        FakeFleet::Host &h = host();
        ++h.switches;
        h.restartAsked = restart;
        if (h.failReload) {
            *reason = QStringLiteral("reload failed; the previous config is back");
            return SwitchOutcome::Restored;
        }
        h.backup = h.live;
        h.live.clear();
        for (const DeployTarget::File &file : std::as_const(h.staged)) // what the stage uploaded
            h.live.append(file.content);
        h.switched = true;
        if (h.timerFires) { // its timer goes off before anyone confirms: back it goes
            h.live = h.backup;
            h.switched = false;
        }
        return SwitchOutcome::Switched;
    }
    QList<LinkCheck> probe(const QList<DeployLink> &links) override
    {
        const Call call(*this);
        QList<LinkCheck> checks;
        for (const DeployLink &link : links) {
            LinkCheck check{link, LinkCheck::Result::Ok, QStringLiteral("via %1").arg(link.interfaceName)};
            if (host().lostAfterSwitch && host().switched) {
                check.result = LinkCheck::Result::Unreachable;
            } else {
                for (const QString &address : link.addresses) {
                    if (!m_fleet.answers(link, address))
                        check.result = LinkCheck::Result::NoReply;
                }
            }
            checks.append(check);
        }
        return checks;
    }
    std::optional<DeployFailure> disarm() override
    {
        const Call call(*this);
        FakeFleet::Host &h = host();
        if (!h.switched)
            return DeployFailure{DeployStep::Confirm, DeployFailure::Problem::Verification, QStringLiteral("its timer had fired")};
        h.disarmed = true;
        return std::nullopt;
    }
    std::optional<DeployFailure> commit() override
    {
        const Call call(*this);
        FakeFleet::Host &h = host();
        h.backup.clear();
        h.switched = h.disarmed = false;
        ++h.commits;
        return std::nullopt;
    }
    std::optional<DeployFailure> rollback() override
    {
        const Call call(*this);
        FakeFleet::Host &h = host();
        ++h.rollbacks;
        if (h.switched) {
            h.live = h.backup;
            h.switched = h.disarmed = false;
        }
        return std::nullopt;
    }

private:
    /// Records the thread and how many agents are at work at once (a call lasts a moment,
    /// so that calls the gate lets through together do overlap), then holds the lock.
    struct Call
    {
        explicit Call(FakeAgent &agent)
            : m_agent(agent)
        {
            const int now = ++agent.m_fleet.busy;
            int most = agent.m_fleet.mostBusy;
            while (now > most && !agent.m_fleet.mostBusy.compare_exchange_weak(most, now)) { }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            m_lock = std::unique_lock(agent.m_fleet.mutex);
            agent.host().calledOn.insert(std::this_thread::get_id());
        }
        ~Call()
        {
            m_lock.unlock();
            --m_agent.m_fleet.busy;
        }
        FakeAgent &m_agent;
        std::unique_lock<std::mutex> m_lock;
    };
    FakeFleet::Host &host() { return m_fleet.hosts[m_target.host]; }

    FakeFleet &m_fleet;
    DeployTarget m_target;
    DeployOptions m_options;
};

/// The real transaction over a FakeFleet, recording how each run was started.
class FakeDeployer : public FleetDeployer
{
public:
    explicit FakeDeployer(FakeFleet &fleet)
        : FleetDeployer(fleet.factory())
        , m_fleet(fleet)
    {
    }
    struct Run
    {
        DeployPlan plan;
        DeployOptions options;
        QStringList hosts() const { return plan.hostNames(); }
    };
    void start(const DeployPlan &plan, const DeployOptions &options) override
    {
        startedWhileRunning = startedWhileRunning || isRunning();
        runs.append({plan, options});
        m_fleet.adopt(plan);
        FleetDeployer::start(plan, options);
    }
    void cancel() override
    {
        ++cancelCalls;
        FleetDeployer::cancel();
    }

    QList<Run> runs;
    int cancelCalls = 0;
    bool startedWhileRunning = false;

private:
    FakeFleet &m_fleet;
};

inline FleetTransaction::AgentFactory FakeFleet::factory()
{
    return [this](const DeployTarget &target, const DeployOptions &options) { return std::make_unique<FakeAgent>(*this, target, options); };
}
