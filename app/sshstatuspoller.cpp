// The StatusPoller over SSH (libssh): one long-lived session per host, each in its own thread.
#include "sshstatuspoller.h"

#include "logcategories.h"
#include "shellquote.h"
#include "sshsession.h"

#include <QMetaObject>

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/// What a start() shares with its threads; stop() flips it and wakes them.
struct SshStatusPoller::Run
{
    std::mutex mutex;
    std::condition_variable wake;
    std::atomic_bool stopped = false;
    std::atomic_int running = 0;

    /// Sleeps until \a until or a stop; false when stopped.
    bool sleepUntil(std::chrono::steady_clock::time_point until)
    {
        std::unique_lock lock(mutex);
        return !wake.wait_until(lock, until, [this] { return stopped.load(); });
    }
};

namespace {

using Clock = std::chrono::steady_clock;

void pollHost(SshStatusPoller *poller, const std::shared_ptr<SshStatusPoller::Run> &run, const PollTarget &target,
              const StatusOptions &options)
{
#ifdef __linux__
    // Sixteen key exchanges at once on two cores would starve the window's thread (at +5
    // it still waited over 100 ms for a CPU): the pollers are background work and take
    // only what the window leaves, at the lowest priority (Linux: a nice value per thread).
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 19);
#endif
    DeployOptions connectOptions;
    connectOptions.knownHostsFile = options.knownHostsFile;
    connectOptions.connectTimeout = options.connectTimeout;
    const std::chrono::seconds interval(options.interval);
    QByteArray command = privilege(target) + "sh -s --";
    for (const QString &name : target.interfaces)
        command += ' ' + ShellQuote::word(name);
    const QByteArray script = StatusPoll::script();

    std::unique_ptr<SshSession> session;
    int failures = 0;
    Clock::time_point next = Clock::now();
    while (!run->stopped) {
        QString reason;
        std::optional<HostSample> sample;
        if (!session) {
            session = std::make_unique<SshSession>(target);
            if (const auto failure = session->connect(connectOptions, [](DeployStep, const QString &) {})) {
                reason = failure->reason;
                if (failure->problem == DeployResult::Problem::HostKey && reason.startsWith(QLatin1String("unknown host key")))
                    reason = QStringLiteral("unknown host key: status never accepts one by itself (deploy once, or add it to "
                                            "known_hosts after checking it)");
                session.reset();
            } else {
                // A poll that sends nothing for a whole interval (3 s at least, for slow
                // sudo or shell start-up): the path is dead.
                session->setCommandTimeout(std::max(3, options.interval) * 1000);
            }
        }
        if (session) {
            QByteArray out;
            QByteArray err;
            const int status = session->run(command, script, &out, &err);
            if (status == -1) {
                reason = QStringLiteral("the connection was lost");
                session.reset();
            } else if (status != 0) {
                const QString message = QString::fromUtf8(err).trimmed().left(300);
                reason = message.contains(QLatin1String("password")) || message.contains(QLatin1String("terminal is required"))
                    ? QStringLiteral("%1 wants a password; allow it without one (sudo -n / doas -n)").arg(target.sudoCmd)
                    : QStringLiteral("the poll failed (exit status %1): %2").arg(status).arg(message);
            } else {
                QString error;
                sample = StatusPoll::parse(out, &error);
                if (!sample)
                    reason = QStringLiteral("unreadable output: %1").arg(error);
            }
        }
        if (run->stopped)
            break;
        if (!sample)
            qCDebug(lcStatus) << target.host << "unreachable:" << reason;
        QMetaObject::invokeMethod(
            poller,
            [poller, run, host = target.host, sample, reason] {
                if (run->stopped)
                    return;
                if (sample)
                    emit poller->polled(host, *sample);
                else
                    emit poller->unreachable(host, reason);
            },
            Qt::QueuedConnection);
        // On time while it answers (a slow poll does not try to catch up); after a failure,
        // wait 1, 2, 4 ... intervals, a minute at most.
        const Clock::time_point now = Clock::now();
        if (sample) {
            failures = 0;
            next = std::max(next + interval, now);
        } else {
            const auto longest = std::max<std::chrono::seconds>(interval, std::chrono::seconds(60));
            next = now + std::min<std::chrono::seconds>(interval * (1 << std::min(failures++, 6)), longest);
        }
        if (!run->sleepUntil(next))
            break;
    }
    session.reset();
    OPENSSL_thread_stop();
}

} // namespace

SshStatusPoller::SshStatusPoller(QObject *parent)
    : StatusPoller(parent)
{
    qRegisterMetaType<HostSample>();
}

SshStatusPoller::~SshStatusPoller()
{
    stop();
    reap(true);
}

void SshStatusPoller::start(const QList<PollTarget> &targets, const StatusOptions &options)
{
    stop();
    reap(false);
    m_run = std::make_shared<Run>();
    for (const PollTarget &target : targets) {
        m_run->running++;
        m_threads.emplace_back(m_run, std::thread([this, run = m_run, target, options] {
                                   pollHost(this, run, target, options);
                                   run->running--;
                               }));
    }
}

void SshStatusPoller::stop()
{
    if (!m_run)
        return;
    {
        std::lock_guard lock(m_run->mutex);
        m_run->stopped = true;
    }
    m_run->wake.notify_all();
    m_run.reset();
}

void SshStatusPoller::reap(bool all)
{
    // Threads of earlier runs that have finished are joined now; the rest (all=true) waited for.
    for (auto it = m_threads.begin(); it != m_threads.end();) {
        if (all || it->first->stopped) {
            if (all || it->first->running == 0) {
                it->second.join();
                it = m_threads.erase(it);
                continue;
            }
        }
        ++it;
    }
}
