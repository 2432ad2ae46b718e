// A Deployer that runs the fleet transaction on a thread of its own, with agents it makes.
#pragma once

#include "deployer.h"
#include "fleettransaction.h"

#include <atomic>
#include <memory>
#include <thread>

/// Runs FleetTransaction with the HostAgents that \a factory makes (over SSH in app/,
/// scripted in tests) on a thread of its own, and reports through queued signals.
class FleetDeployer : public Deployer
{
    Q_OBJECT

public:
    explicit FleetDeployer(FleetTransaction::AgentFactory factory, QObject *parent = nullptr);
    ~FleetDeployer() override;

    void start(const DeployPlan &plan, const DeployOptions &options) override;
    void cancel() override;
    bool isRunning() const override { return m_running; }

private:
    void join();

    FleetTransaction::AgentFactory m_factory;
    std::thread m_thread;
    std::shared_ptr<std::atomic_bool> m_cancel;
    bool m_running = false;
};
