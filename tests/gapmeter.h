// How long the calling thread's event loop goes without running a 10 ms timer, and for the
// longest such gap, how much of it the thread spent running and how much waiting for a CPU
// that other processes held (Linux: /proc/thread-self/schedstat). A gap the thread spent
// waiting is the machine's load, not the program's work.
#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

class EventLoopGapMeter
{
public:
    struct Gap
    {
        qint64 ms = 0;         ///< the longest time between two ticks
        qint64 endedAt = 0;    ///< ms after start() or reset() when it ended
        qint64 runningMs = -1; ///< of it, on a CPU (-1: the OS does not say)
        qint64 waitingMs = -1; ///< of it, runnable but waiting for a CPU
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
        m_gap = {};
    }
    /// The time since the last tick was the caller's (a screenshot), not the event loop's.
    void skip()
    {
        m_last = m_clock.elapsed();
        m_lastSched = readSchedstat();
    }
    const Gap &longest() const { return m_gap; }

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

    void tick()
    {
        const qint64 now = m_clock.elapsed();
        const Sched sched = readSchedstat();
        if (now - m_last > m_gap.ms) {
            m_gap.ms = now - m_last;
            m_gap.endedAt = now - m_since;
            const bool known = sched.runNs >= 0 && m_lastSched.runNs >= 0;
            m_gap.runningMs = known ? (sched.runNs - m_lastSched.runNs) / 1000000 : -1;
            m_gap.waitingMs = known ? (sched.waitNs - m_lastSched.waitNs) / 1000000 : -1;
        }
        m_last = now;
        m_lastSched = sched;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_since = 0;
    qint64 m_last = 0;
    Sched m_lastSched;
    Gap m_gap;
};
