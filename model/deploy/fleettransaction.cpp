// The deploy as one transaction over the fleet: prepare all, switch all, verify, decide once.
#include "fleettransaction.h"

#include "configfiles.h"
#include "hostjobs.h"
#include "hostsfile.h"
#include "logcategories.h"

#include "wgquick.h"

#include <QLoggingCategory>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <latch>
#include <mutex>
#include <semaphore>
#include <thread>


namespace {

qint64 nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// A host's timer must not fire while the fleet is being confirmed: keep this much of it.
constexpr qint64 ConfirmMarginMs = 8000;

bool isConfig(const DeployTarget::File &file)
{
    return Deployment::isInterfaceConfig(file.path);
}

} // namespace

/// One thread that runs the tasks of one host, in order, and owns its agent.
class FleetTransaction::Worker
{
public:
    Worker()
        : m_thread([this] { loop(); })
    {
    }
    ~Worker()
    {
        post({});
        m_thread.join();
    }
    /// An empty task ends the thread.
    void post(std::function<void()> task)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_wake.notify_one();
    }
    std::function<void()> atExit;

private:
    void loop()
    {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return !m_tasks.empty(); });
                task = std::move(m_tasks.front());
                m_tasks.pop_front();
            }
            if (!task)
                break;
            task();
        }
        if (atExit)
            atExit();
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::thread m_thread;
};

/// At most DeployOptions::jobs hosts at work at once.
class FleetTransaction::Gate
{
public:
    explicit Gate(int jobs)
        : m_semaphore(std::clamp(jobs, 1, 64))
    {
    }
    void acquire() { m_semaphore.acquire(); }
    void release() { m_semaphore.release(); }

private:
    std::counting_semaphore<64> m_semaphore;
};

struct FleetTransaction::Host
{
    DeployTarget target;
    std::unique_ptr<HostAgent> agent;
    DeployResult result;
    QList<QByteArray> live; ///< what the host runs, per target file
    bool connected = false;
    bool staged = false;
    bool switched = false;
    bool lost = false; ///< the connection died after the switch: the host's timer restores it
    std::unique_ptr<Worker> worker;
};

FleetTransaction::FleetTransaction(const DeployPlan &plan, const DeployOptions &options, AgentFactory factory, Callbacks callbacks)
    : m_plan(plan)
    , m_options(options)
    , m_factory(std::move(factory))
    , m_callbacks(std::move(callbacks))
    , m_gate(std::make_unique<Gate>(options.jobs))
{
}

FleetTransaction::~FleetTransaction()
{
    // Each agent goes on the thread that made it, then the thread ends.
    for (const auto &host : m_hosts) {
        if (!host->worker)
            continue;
        host->worker->post([agent = host->agent.release()] { delete agent; });
        host->worker.reset();
    }
}

QList<FleetTransaction::Host *> FleetTransaction::hosts(const std::function<bool(const Host &)> &filter) const
{
    QList<Host *> result;
    for (const auto &host : m_hosts) {
        if (!filter || filter(*host))
            result.append(host.get());
    }
    return result;
}

void FleetTransaction::forEach(const QList<Host *> &hosts, const std::function<void(Host &)> &work)
{
    if (hosts.isEmpty())
        return;
    std::latch done(hosts.size());
    for (Host *host : hosts) {
        host->worker->post([this, host, &work, &done] {
            m_gate->acquire();
            work(*host);
            m_gate->release();
            done.count_down();
        });
    }
    done.wait();
}

HostAgent::Report FleetTransaction::reporter(const Host &host) const
{
    return [this, name = host.target.host](DeployStep step, const QString &detail) {
        if (m_callbacks.step)
            m_callbacks.step(name, step, detail);
    };
}

void FleetTransaction::phase(DeployPhase phase, const QString &detail)
{
    qCDebug(lcDeploy) << "phase" << deployPhaseName(phase) << detail;
    if (m_callbacks.phase)
        m_callbacks.phase(phase, detail);
}

DeployReport FleetTransaction::run(const std::atomic_bool &cancelled)
{
    m_cancelled = &cancelled;
    m_report = {};
    m_report.waiting = m_plan.waiting;
    for (const DeployTarget &target : std::as_const(m_plan.targets)) {
        auto host = std::make_unique<Host>();
        host->target = target;
        host->result.host = target.host;
        host->worker = std::make_unique<Worker>();
        Host *raw = host.get();
        host->worker->atExit = [raw] {
            if (raw->agent)
                raw->agent->threadFinished();
        };
        m_hosts.push_back(std::move(host));
    }
    forEach(hosts({}), [this](Host &host) { host.agent = m_factory(host.target, m_options); });

    prepare();
    const QList<Host *> failed = hosts([](const Host &h) { return h.result.outcome == DeployResult::Outcome::Failed; });
    const QList<Host *> changing = hosts([](const Host &h) { return h.result.changes; });
    auto stopBeforeSwitch = [&](DeployReport::Verdict verdict, const QString &why) {
        forEach(hosts([](const Host &h) { return h.staged; }), [](Host &h) { h.agent->discardStage(); });
        for (const auto &host : m_hosts) {
            if (host->result.outcome == DeployResult::Outcome::NotSwitched && host->result.reason.isEmpty())
                host->result.reason = why;
        }
        m_report.verdict = verdict;
        m_report.reason = why;
        finishReport();
        return m_report;
    };
    if (!failed.isEmpty()) {
        const Host &first = *failed.front();
        const QString why = QStringLiteral("%1 failed to prepare (%2: %3)")
                                .arg(first.target.host, deployStepName(first.result.step), first.result.reason)
            + (failed.size() > 1 ? QStringLiteral(", and %1 more").arg(failed.size() - 1) : QString());
        return stopBeforeSwitch(DeployReport::Verdict::NothingSwitched, why);
    }
    if (cancelled)
        return stopBeforeSwitch(DeployReport::Verdict::Cancelled, QStringLiteral("cancelled before the switch"));
    if (m_options.dryRun)
        return stopBeforeSwitch(DeployReport::Verdict::DryRun, QString());
    if (changing.isEmpty())
        return stopBeforeSwitch(DeployReport::Verdict::Unchanged, QString());

    if (!switchAll()) {
        finishReport();
        return m_report;
    }
    const qint64 left = m_options.confirmTimeout * 1000LL - (nowMs() - m_armedAt) - ConfirmMarginMs;
    const int seconds = int(std::clamp<qint64>(std::min<qint64>(m_options.verifyTimeout * 1000LL, left), 0, 3600 * 1000) / 1000);
    phase(DeployPhase::Verify, QStringLiteral("%1 links, up to %2 s").arg(m_plan.links.size()).arg(seconds));
    m_report.links = verify(m_plan.links, seconds, true);
    const auto bad = std::find_if(m_report.links.cbegin(), m_report.links.cend(), [](const LinkCheck &c) { return !c.ok(); });
    if (cancelled) {
        rollbackAll(QStringLiteral("cancelled during verification"));
    } else if (bad != m_report.links.cend()) {
        const qsizetype failures = std::count_if(m_report.links.cbegin(), m_report.links.cend(), [](const LinkCheck &c) { return !c.ok(); });
        rollbackAll(QStringLiteral("link %1 had %2%3%4")
                        .arg(bad->link.name(), linkResultName(bad->result),
                             bad->detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(bad->detail),
                             failures > 1 ? QStringLiteral(", and %1 more links failed").arg(failures - 1) : QString()));
    } else if (confirmAll()) {
        m_report.verdict = DeployReport::Verdict::Confirmed;
    }
    finishReport();
    return m_report;
}

void FleetTransaction::prepare()
{
    phase(DeployPhase::Prepare, QStringLiteral("%1 hosts").arg(m_hosts.size()));
    forEach(hosts({}), [this](Host &host) {
        DeployResult &result = host.result;
        if (*m_cancelled) {
            result.outcome = DeployResult::Outcome::Cancelled;
            result.reason = QStringLiteral("cancelled before it started");
            return;
        }
        const HostAgent::Report report = reporter(host);
        report(DeployStep::Connect, host.target.address);
        if (const auto failure = host.agent->connect(report))
            return result.fail(*failure);
        host.connected = true;
        report(DeployStep::Read, QString());
        if (const auto failure = host.agent->readLive(&host.live))
            return result.fail(*failure);
        QStringList diffs;
        for (qsizetype i = 0; i < host.target.files.size(); ++i) {
            DeployTarget::File &file = host.target.files[i];
            const QByteArray &before = host.live.value(i);
            // A block (the mesh's names in /etc/hosts) goes into the file as it is now.
            if (file.block) {
                file.content = HostsFile::merge(before, file.content);
                file.block = false;
            }
            // A config the host has in other words (an adopted estate's own file: its
            // comments, its order) is left as it is: nothing to write, nothing to reload.
            if (before == file.content || (isConfig(file) && WgQuick::sameMeaning(before, file.content)))
                continue;
            result.changes = true;
            // The mesh's names, the pf rules and the jobs are loaded on their own: no interface restart.
            const bool loadedApart = file.path == QLatin1String("/etc/hosts") || file.path == QLatin1String(ConfigFiles::PfRulesPath)
                || HostJobs::isJobPath(file.path);
            result.restart = result.restart
                || (!loadedApart && (before.isEmpty() || !isConfig(file) || Deployment::needsRestart(before, file.content)));
            diffs.append(Deployment::diff(file.path, before, file.content));
        }
        result.diff = diffs.join(QLatin1Char('\n'));
        if (!result.changes) {
            result.outcome = DeployResult::Outcome::Unchanged;
            result.step = DeployStep::Done;
            result.reason = QStringLiteral("already up to date");
            return;
        }
        if (m_options.dryRun) {
            result.outcome = DeployResult::Outcome::Updated;
            result.step = DeployStep::Done;
            result.reason = QStringLiteral("would be updated (dry run)");
            return;
        }
        if (const auto failure = host.agent->stage(host.target.files, report))
            return result.fail(*failure);
        host.staged = true;
        result.step = DeployStep::Validate;
    });

    // Hosts installed by hand whose config changes with this deploy.
    for (const DeployPlan::HandInstalled &hand : std::as_const(m_plan.handInstalled)) {
        bool changes = false;
        for (const auto &host : m_hosts) {
            for (qsizetype i = 0; !changes && i < host->target.files.size(); ++i) {
                if (isConfig(host->target.files[i]))
                    changes = Deployment::changesFor(host->live.value(i), host->target.files[i].content, hand.publicKey);
            }
        }
        if (changes)
            m_report.reimport.append(hand.host);
    }
    collectHosts();
    m_report.links.clear();
    for (const DeployLink &link : std::as_const(m_plan.links))
        m_report.links.append({link, LinkCheck::Result::Pending, QString()});
    if (m_callbacks.prepared)
        m_callbacks.prepared(m_report);
}

bool FleetTransaction::switchAll()
{
    const QList<Host *> changing = hosts([](const Host &h) { return h.result.changes; });
    QStringList names;
    for (const Host *host : changing)
        names.append(host->target.host);
    phase(DeployPhase::Switch, names.join(QLatin1String(", ")));
    m_armedAt = nowMs();
    forEach(changing, [this](Host &host) {
        QString reason;
        const auto outcome = host.agent->switchOver(host.result.restart, m_options.confirmTimeout, reporter(host), &reason);
        host.staged = false;
        switch (outcome) {
        case HostAgent::SwitchOutcome::Switched:
            host.switched = true;
            host.result.step = DeployStep::Reload;
            break;
        case HostAgent::SwitchOutcome::Restored:
            host.result.outcome = DeployResult::Outcome::RolledBack;
            host.result.step = DeployStep::Reload;
            host.result.problem = DeployResult::Problem::RemoteCommand;
            host.result.reason = reason;
            break;
        case HostAgent::SwitchOutcome::Lost:
            host.switched = true;
            host.lost = true;
            host.result.problem = DeployResult::Problem::Network;
            host.result.reason = reason;
            break;
        }
    });
    const QList<Host *> broken = hosts([](const Host &h) { return h.lost || h.result.outcome == DeployResult::Outcome::RolledBack; });
    if (broken.isEmpty())
        return true;
    const Host &first = *broken.front();
    rollbackAll(QStringLiteral("%1 failed to switch (%2)").arg(first.target.host, first.result.reason));
    return false;
}

QList<LinkCheck> FleetTransaction::verify(const QList<DeployLink> &links, int seconds, bool report)
{
    QList<LinkCheck> checks;
    for (const DeployLink &link : links)
        checks.append({link, LinkCheck::Result::Pending, QString()});
    QHash<QString, Host *> byName;
    for (const auto &host : m_hosts)
        byName.insert(host->target.host, host.get());
    const qint64 deadline = nowMs() + seconds * 1000LL;
    std::mutex mutex;
    for (int round = 0;; ++round) {
        // The links still open, by the host that sends their echo.
        QHash<Host *, QList<qsizetype>> open;
        for (qsizetype i = 0; i < checks.size(); ++i) {
            if (checks[i].ok() || checks[i].result == LinkCheck::Result::Unreachable)
                continue;
            Host *from = byName.value(checks[i].link.from);
            if (!from || !from->connected || from->lost) {
                checks[i].result = LinkCheck::Result::Unreachable;
                checks[i].detail = QStringLiteral("no connection to %1").arg(checks[i].link.from);
                continue;
            }
            open[from].append(i);
        }
        if (open.isEmpty() || (round > 0 && nowMs() >= deadline) || *m_cancelled)
            break;
        const qint64 started = nowMs();
        forEach(open.keys(), [&](Host &host) {
            const QList<qsizetype> indexes = open.value(&host);
            QList<DeployLink> asked;
            for (const qsizetype i : indexes)
                asked.append(std::as_const(checks).at(i).link);
            const QList<LinkCheck> answers = host.agent->probe(asked);
            const std::lock_guard lock(mutex);
            for (qsizetype k = 0; k < indexes.size() && k < answers.size(); ++k) {
                LinkCheck &check = checks[indexes[k]];
                check.result = answers[k].result;
                check.detail = answers[k].detail;
                if (check.result == LinkCheck::Result::Unreachable)
                    host.lost = host.switched; // a switched host we cannot reach restores itself
                if (report && check.ok() && m_callbacks.linkChecked)
                    m_callbacks.linkChecked(check);
            }
        });
        const bool answered = std::all_of(checks.cbegin(), checks.cend(), [](const LinkCheck &c) {
            return c.ok() || c.result == LinkCheck::Result::Unreachable;
        });
        // A round a second at most, so that a slow handshake is not asked about in a flood.
        const qint64 pause = 1000 - (nowMs() - started);
        if (!answered && pause > 0 && nowMs() + pause < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    }
    for (const LinkCheck &check : std::as_const(checks)) {
        if (check.result == LinkCheck::Result::Pending)
            continue;
        if (report && !check.ok() && m_callbacks.linkChecked)
            m_callbacks.linkChecked(check);
    }
    for (LinkCheck &check : checks) {
        if (check.result == LinkCheck::Result::Pending) {
            check.result = LinkCheck::Result::NoReply;
            check.detail = QStringLiteral("not answered within %1 s").arg(seconds);
            if (report && m_callbacks.linkChecked)
                m_callbacks.linkChecked(check);
        }
    }
    return checks;
}

bool FleetTransaction::confirmAll()
{
    const QList<Host *> switched = hosts([](const Host &h) { return h.switched; });
    if (nowMs() - m_armedAt > m_options.confirmTimeout * 1000LL - ConfirmMarginMs) {
        rollbackAll(QStringLiteral("the verification took too long to confirm safely within --confirm-timeout %1 s")
                        .arg(m_options.confirmTimeout));
        return false;
    }
    phase(DeployPhase::Confirm, QStringLiteral("%1 hosts").arg(switched.size()));
    forEach(switched, [this](Host &host) {
        reporter(host)(DeployStep::Confirm, QString());
        if (const auto failure = host.agent->disarm()) {
            host.result.fail(*failure);
            host.lost = failure->problem == DeployResult::Problem::Network;
        }
    });
    const QList<Host *> refused = hosts([](const Host &h) { return h.switched && h.result.outcome == DeployResult::Outcome::Failed; });
    if (!refused.isEmpty()) {
        // One host went back (its timer fired, or it is gone): so do all.
        const Host &first = *refused.front();
        for (Host *host : refused)
            host->result.outcome = DeployResult::Outcome::NotSwitched;
        rollbackAll(QStringLiteral("%1 could not be confirmed (%2)").arg(first.target.host, first.result.reason));
        return false;
    }
    forEach(switched, [](Host &host) {
        if (const auto failure = host.agent->commit())
            qCWarning(lcDeploy) << host.target.host << "confirmed, but its backup stays:" << failure->reason;
        host.result.outcome = DeployResult::Outcome::Updated;
        host.result.step = DeployStep::Done;
        host.result.reason = QStringLiteral("switched and confirmed");
    });
    return true;
}

void FleetTransaction::rollbackAll(const QString &why)
{
    m_report.verdict = DeployReport::Verdict::RolledBack;
    m_report.reason = why;
    const QList<Host *> switched = hosts([](const Host &h) { return h.switched; });
    phase(DeployPhase::Rollback, QStringLiteral("%1 hosts: %2").arg(switched.size()).arg(why));
    forEach(switched, [this, &why](Host &host) {
        DeployResult &result = host.result;
        result.step = DeployStep::Rollback;
        if (host.lost) {
            result.outcome = DeployResult::Outcome::RolledBack;
            result.reason = QStringLiteral("%1; the connection is lost: the host restores its previous config by its own "
                                           "timer within %2 s of the switch")
                                .arg(result.reason.isEmpty() ? why : result.reason)
                                .arg(m_options.confirmTimeout);
            return;
        }
        reporter(host)(DeployStep::Rollback, QString());
        if (const auto failure = host.agent->rollback()) {
            result.outcome = DeployResult::Outcome::Failed;
            result.problem = failure->problem;
            result.reason = QStringLiteral("could not roll back: %1; the host's own timer restores it within %2 s of "
                                           "the switch unless it was confirmed")
                                .arg(failure->reason)
                                .arg(m_options.confirmTimeout);
            return;
        }
        result.outcome = DeployResult::Outcome::RolledBack;
        result.reason = QStringLiteral("previous config restored: %1").arg(why);
    });
    for (const auto &host : m_hosts) {
        if (host->result.outcome == DeployResult::Outcome::NotSwitched && host->result.reason.isEmpty())
            host->result.reason = QStringLiteral("not switched: %1").arg(why);
    }

    // The previous mesh, as the hosts run it again.
    QList<Deployment::HostFiles> previous;
    for (const auto &host : m_hosts) {
        if (!host->connected || host->lost)
            continue;
        Deployment::HostFiles files{host->target.host, {}};
        for (qsizetype i = 0; i < host->target.files.size(); ++i)
            files.files.append({host->target.files[i].path, host->live.value(i)});
        previous.append(files);
    }
    const QList<DeployLink> links = Deployment::linksBetween(previous);
    if (links.isEmpty())
        return;
    phase(DeployPhase::VerifyPrevious, QStringLiteral("%1 links").arg(links.size()));
    m_report.previousLinks = verify(links, m_options.verifyTimeout, false);
}

void FleetTransaction::collectHosts()
{
    m_report.hosts.clear();
    for (const auto &host : m_hosts)
        m_report.hosts.append(host->result);
}

void FleetTransaction::finishReport()
{
    collectHosts();
    phase(DeployPhase::Done, m_report.summary());
}
