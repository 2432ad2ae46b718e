// A Deployer that runs the fleet transaction on a thread of its own, with agents it makes.
#include "fleetdeployer.h"

#include <QMetaObject>

FleetDeployer::FleetDeployer(FleetTransaction::AgentFactory factory, QObject *parent)
    : Deployer(parent)
    , m_factory(std::move(factory))
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<DeployReport>();
    qRegisterMetaType<LinkCheck>();
    qRegisterMetaType<DeployStep>();
    qRegisterMetaType<DeployPhase>();
}

FleetDeployer::~FleetDeployer()
{
    // A transaction still running is cancelled: every switched host rolls back.
    cancel();
    join();
}

void FleetDeployer::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void FleetDeployer::start(const DeployPlan &plan, const DeployOptions &options)
{
    Q_ASSERT(!m_running);
    join();
    *m_cancel = false;
    m_running = true;
    // Queued to this object: delivered on its thread. The destructor joins the thread, and
    // Qt drops what is still queued for a deleted object.
    auto post = [this](auto function) { QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection); };
    m_thread = std::thread([this, plan, options, post, cancelled = m_cancel] {
        FleetTransaction::Callbacks callbacks;
        callbacks.phase = [this, post](DeployPhase phase, const QString &detail) { post([this, phase, detail] { emit phaseStarted(phase, detail); }); };
        callbacks.step = [this, post](const QString &host, DeployStep step, const QString &detail) {
            post([this, host, step, detail] { emit stepStarted(host, step, detail); });
        };
        callbacks.prepared = [this, post](const DeployReport &report) { post([this, report] { emit prepared(report); }); };
        callbacks.linkChecked = [this, post](const LinkCheck &check) { post([this, check] { emit linkChecked(check); }); };
        FleetTransaction transaction(plan, options, m_factory, callbacks);
        const DeployReport report = transaction.run(*cancelled);
        post([this, report] {
            m_running = false;
            emit finished(report);
        });
    });
}

void FleetDeployer::cancel()
{
    *m_cancel = true;
}
