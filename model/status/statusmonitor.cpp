// Live status for the window: a poller's results judged per link, with 10 minutes of rates.
#include "statusmonitor.h"

#include "deployment.h"
#include "planner.h"


#include <QPromise>

namespace {

QString linkKey(const QString &a, const QString &b)
{
    return a + QLatin1Char('\n') + b;
}

} // namespace

StatusMonitor::StatusMonitor(std::function<Snapshot()> source, StatusPoller *poller, QObject *parent)
    : QObject(parent)
    , m_source(std::move(source))
    , m_poller(poller)
{
    m_clock.start();
    m_planner.setMaxThreadCount(1);
    m_planner.setThreadPriority(QThread::LowPriority);
    m_publish.setSingleShot(true);
    m_publish.setInterval(100);
    connect(&m_publish, &QTimer::timeout, this, &StatusMonitor::publish);
    // Edits come in bursts (a drag, typing): restart once they settle.
    m_restart.setSingleShot(true);
    m_restart.setInterval(500);
    connect(&m_restart, &QTimer::timeout, this, &StatusMonitor::restart);
    connect(&m_preparing, &QFutureWatcherBase::finished, this, &StatusMonitor::startPolling);
    connect(m_poller, &StatusPoller::polled, this, [this](const QString &host, const HostSample &sample) {
        if (!m_board)
            return;
        m_board->update(m_board->indexOf(host), sample);
        m_reasons.remove(host);
        schedulePublish();
    });
    connect(m_poller, &StatusPoller::unreachable, this, [this](const QString &host, const QString &reason) {
        if (!m_board)
            return;
        m_board->unreachable(m_board->indexOf(host));
        m_reasons.insert(host, reason);
        schedulePublish();
    });
}

void StatusMonitor::projectChanged()
{
    if (m_running)
        m_restart.start();
}

bool StatusMonitor::start(QString *error)
{
    const QList<Host> hosts = m_source().project.hosts;
    if (std::none_of(hosts.begin(), hosts.end(), [](const Host &host) { return host.ssh.has_value(); })) {
        *error = tr("No host has SSH settings: live status asks hosts over SSH (hosts without SSH are seen from their peers).");
        return false;
    }
    m_running = true;
    restart();
    emit runningChanged(true);
    return true;
}

void StatusMonitor::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_restart.stop();
    m_publish.stop();
    m_poller->stop();
    m_board.reset();
    m_reasons.clear();
    m_links.clear();
    m_hosts.clear();
    emit changed();
    emit runningChanged(false);
}

void StatusMonitor::refresh()
{
    if (m_running)
        restart();
}

StatusMonitor::Prepared StatusMonitor::prepare(const Project &project, KeyStore keys)
{
    // Where to poll comes from the project alone. The board matches what the hosts report
    // against the public keys each end should have: hosts that have no keys yet get them
    // only in this copy (they cannot be on the hosts anyway); the document is left alone.
    Prepared prepared;
    prepared.targets = Deployment::pollTargets(project, &prepared.error);
    if (!prepared.targets)
        return prepared;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    prepared.board = std::make_shared<LinkStatusBoard>(project, keys);
    return prepared;
}

void StatusMonitor::restart()
{
    m_poller->stop();
    // The copies share their data with the source's until it changes (implicit sharing).
    auto promise = std::make_shared<QPromise<Prepared>>();
    m_preparing.setFuture(promise->future()); // a pending earlier plan is not waited for
    m_planner.start([promise, snapshot = m_source()] {
        promise->start();
        promise->addResult(prepare(snapshot.project, snapshot.keys));
        promise->finish();
    });
}

void StatusMonitor::startPolling()
{
    if (!m_running || m_preparing.isCanceled() || m_preparing.future().resultCount() == 0)
        return; // stopped meanwhile
    Prepared prepared = m_preparing.future().takeResult();
    if (!prepared.targets) {
        m_running = false;
        m_reasons.insert(QString(), prepared.error);
        emit failed(prepared.error);
        emit runningChanged(false);
        return;
    }
    m_board = std::move(prepared.board);
    m_reasons.clear();
    m_poller->start(*prepared.targets, m_options);
    publish();
}

void StatusMonitor::schedulePublish()
{
    if (!m_publish.isActive())
        m_publish.start();
}

void StatusMonitor::publish()
{
    if (!m_board)
        return;
    m_links = m_board->links();
    m_hosts = StatusReport::hosts(*m_board, m_reasons);
    const qint64 now = m_clock.elapsed();
    for (const LinkStatus &link : std::as_const(m_links)) {
        const auto traffic = link.traffic();
        if (!traffic || !traffic->ratesKnown)
            continue;
        QList<RatePoint> &ring = m_history[linkKey(link.a, link.b)];
        if (ring.isEmpty())
            ring.fill(RatePoint{-1, 0, 0}, HistoryMsecs / SlotMsecs + 1);
        ring[(now / SlotMsecs) % ring.size()] = RatePoint{now, traffic->rx, traffic->tx};
    }
    // Links that are gone (an edit) or quiet for ten minutes lose their history (checked
    // once a slot).
    if (now - m_lastSweep < SlotMsecs) {
        emit changed();
        return;
    }
    m_lastSweep = now;
    for (auto it = m_history.begin(); it != m_history.end();) {
        const auto newest = std::max_element(it->cbegin(), it->cend(), [](const RatePoint &x, const RatePoint &y) { return x.msecs < y.msecs; });
        if (newest == it->cend() || now - newest->msecs > HistoryMsecs)
            it = m_history.erase(it);
        else
            ++it;
    }
    emit changed();
}

QList<StatusMonitor::RatePoint> StatusMonitor::history(const QString &a, const QString &b) const
{
    QList<RatePoint> points;
    const qint64 now = m_clock.elapsed();
    for (const RatePoint &point : m_history.value(linkKey(a, b))) {
        if (point.msecs >= 0 && now - point.msecs <= HistoryMsecs)
            points.append(point);
    }
    std::sort(points.begin(), points.end(), [](const RatePoint &x, const RatePoint &y) { return x.msecs < y.msecs; });
    return points;
}
