// The Deployer over SSH (libssh): verified host keys, atomic install, host-side rollback.
#pragma once

#include "deployment.h"

#include <QThreadPool>

#include <atomic>
#include <memory>

/// Deploys each host on a worker thread with a libssh session of its own (sessions are
/// never shared between threads). See DESIGN.md, "Deploy", for the per-host pipeline.
class SshDeployer : public Deployer
{
    Q_OBJECT

public:
    explicit SshDeployer(QObject *parent = nullptr);
    ~SshDeployer() override;

    void start(const QList<DeployTarget> &targets, const DeployOptions &options) override;
    void cancel() override;
    bool isRunning() const override { return m_pending > 0; }

private:
    QThreadPool m_pool;
    std::shared_ptr<std::atomic_bool> m_cancel;
    int m_pending = 0;
};
