// How long the calling thread's event loop goes without running a 10 ms timer, and for the
// longest such gap, how much of it the thread spent running and how much waiting for a CPU
// that other processes held (Linux: /proc/thread-self/schedstat). A gap the thread spent
// waiting, or that the machine's own host took from its CPUs (steal, /proc/stat), is the
// machine's load, not the program's work: longestOwn() is the longest gap without them,
// what a block of the thread's own (work, or a blocking call) makes long.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <algorithm>

#include <unistd.h>

class EventLoopGapMeter
{
public:
    struct Gap
    {
        qint64 ms = 0;         ///< the longest time between two ticks
        qint64 endedAt = 0;    ///< ms after start() or reset() when it ended
        qint64 runningMs = -1; ///< of it, on a CPU (-1: the OS does not say)
        qint64 waitingMs = -1; ///< of it, runnable but waiting for a CPU
        qint64 stolenMs = -1;  ///< CPU time the machine's host took in it (every CPU's, summed)
        /// The gap less its waiting and stolen time: the thread's own.
        qint64 ownMs() const { return std::max<qint64>(0, ms - std::max<qint64>(waitingMs, 0) - std::max<qint64>(stolenMs, 0)); }
    };

    EventLoopGapMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, [this] { tick(); });
    }

    void start()
    {
        m_clock.start();
        reset();
        m_timer.start(10);
    }
    void stop() { m_timer.stop(); }
    /// Forgets the gaps so far, and what the caller did before calling this.
    void reset()
    {
        m_since = m_last = m_clock.elapsed();
        m_lastSched = readSchedstat();
        m_lastSteal = readStealMs();
        m_gap = {};
        m_own = {};
    }
    /// The time since the last tick was the caller's (a screenshot), not the event loop's.
    void skip()
    {
        m_last = m_clock.elapsed();
        m_lastSched = readSchedstat();
        m_lastSteal = readStealMs();
    }
    /// The longest gap by the clock.
    const Gap &longest() const { return m_gap; }
    /// The gap whose own time (ownMs()) was the longest.
    const Gap &longestOwn() const { return m_own; }

private:
    struct Sched
    {
        qint64 runNs = -1;
        qint64 waitNs = -1;
    };

    static Sched readSchedstat()
    {
        QFile file(QStringLiteral("/proc/thread-self/schedstat"));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        const QList<QByteArray> words = file.readAll().simplified().split(' ');
        if (words.size() < 2)
            return {};
        return {words[0].toLongLong(), words[1].toLongLong()};
    }

    /// Steal time of all CPUs so far, in ms (-1: the OS does not say).
    static qint64 readStealMs()
    {
        QFile file(QStringLiteral("/proc/stat"));
        if (!file.open(QIODevice::ReadOnly))
            return -1;
        const QList<QByteArray> words = file.readLine().simplified().split(' ');
        const long hz = sysconf(_SC_CLK_TCK);
        if (words.size() < 9 || words[0] != "cpu" || hz <= 0)
            return -1;
        return words[8].toLongLong() * 1000 / hz;
    }

    void tick()
    {
        const qint64 now = m_clock.elapsed();
        const Sched sched = readSchedstat();
        const qint64 steal = readStealMs();
        Gap gap;
        gap.ms = now - m_last;
        gap.endedAt = now - m_since;
        const bool known = sched.runNs >= 0 && m_lastSched.runNs >= 0;
        gap.runningMs = known ? (sched.runNs - m_lastSched.runNs) / 1000000 : -1;
        gap.waitingMs = known ? (sched.waitNs - m_lastSched.waitNs) / 1000000 : -1;
        gap.stolenMs = steal >= 0 && m_lastSteal >= 0 ? steal - m_lastSteal : -1;
        if (gap.ms > m_gap.ms)
            m_gap = gap;
        if (gap.ownMs() > m_own.ownMs())
            m_own = gap;
        m_last = now;
        m_lastSched = sched;
        m_lastSteal = steal;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_since = 0;
    qint64 m_last = 0;
    Sched m_lastSched;
    qint64 m_lastSteal = -1;
    Gap m_gap;
    Gap m_own;
};
