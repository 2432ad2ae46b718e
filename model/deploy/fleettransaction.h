// The deploy as one transaction over the fleet: prepare all, switch all, verify, decide once.
#pragma once

#include "deployreport.h"
#include "hostagent.h"

#include <atomic>
#include <functional>
#include <memory>

/// Runs a DeployPlan with one HostAgent per target, each driven by a worker thread of its
/// own (so an SSH session is only ever used by the thread that made it); at most
/// DeployOptions::jobs hosts work at once. run() blocks until the fleet is confirmed or
/// rolled back; the callbacks come from worker threads.
class FleetTransaction
{
public:
    struct Callbacks
    {
        std::function<void(DeployPhase, const QString &)> phase;
        std::function<void(const QString &host, DeployStep, const QString &)> step;
        std::function<void(const DeployReport &)> prepared;
        std::function<void(const LinkCheck &)> linkChecked;
    };
    using AgentFactory = std::function<std::unique_ptr<HostAgent>(const DeployTarget &, const DeployOptions &)>;

    FleetTransaction(const DeployPlan &plan, const DeployOptions &options, AgentFactory factory, Callbacks callbacks);
    ~FleetTransaction();
    FleetTransaction(const FleetTransaction &) = delete;
    FleetTransaction &operator=(const FleetTransaction &) = delete;

    DeployReport run(const std::atomic_bool &cancelled);

private:
    struct Host;
    class Worker;

    void prepare();
    bool switchAll();
    /// Echoes for \a links until all answered or \a seconds passed; returns the checks.
    QList<LinkCheck> verify(const QList<DeployLink> &links, int seconds, bool report);
    bool confirmAll();
    void rollbackAll(const QString &why);
    /// Runs \a work for each host in \a hosts on its worker, at most jobs at once; waits.
    void forEach(const QList<Host *> &hosts, const std::function<void(Host &)> &work);
    QList<Host *> hosts(const std::function<bool(const Host &)> &filter) const;
    HostAgent::Report reporter(const Host &host) const;
    void phase(DeployPhase phase, const QString &detail = {});
    void collectHosts();
    void finishReport();

    DeployPlan m_plan;
    DeployOptions m_options;
    AgentFactory m_factory;
    Callbacks m_callbacks;
    std::vector<std::unique_ptr<Host>> m_hosts;
    DeployReport m_report;
    const std::atomic_bool *m_cancelled = nullptr;
    class Gate;
    std::unique_ptr<Gate> m_gate;
    qint64 m_armedAt = 0; ///< monotonic ms when the first host armed its timer
};
