// Live status: a poller's results judged per link, with 10 minutes of rates. No widgets:
// the window's scene and status pane observe it, as they observe the document.
#pragma once

#include "keystore.h"
#include "linkstatus.h"
#include "project.h"
#include "statuspoller.h"
#include "statusreport.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

/// Drives a StatusPoller over a project's hosts with SSH and keeps the judged links.
/// Results are folded in as they arrive and published at most ten times a second
/// (changed()); a change of the project (projectChanged(), which the editor calls on each
/// edit) restarts polling with the new hosts and links.
/// What the poller needs (every host's configs and the links they make) is planned on a
/// thread of its own from a copy of the project, so the window keeps drawing meanwhile; a
/// restart that comes before it is ready replaces it.
class StatusMonitor : public QObject
{
    Q_OBJECT

public:
    /// How far back rates are kept.
    static constexpr qint64 HistoryMsecs = 10 * 60 * 1000;
    /// The history's resolution: one point per slot (the latest poll in it).
    static constexpr qint64 SlotMsecs = 5000;

    struct RatePoint
    {
        qint64 msecs; ///< since the monitor started
        double rx;    ///< bytes per second, as host a received from b (or b sent to a)
        double tx;
    };

    /// What to poll: a project and the keys its hosts should have.
    struct Snapshot
    {
        Project project;
        KeyStore keys;
    };
    /// \a source gives the project as it is now; it is asked at each (re)start, on this
    /// object's thread.
    StatusMonitor(std::function<Snapshot()> source, StatusPoller *poller, QObject *parent = nullptr);

    /// The project changed. Edits come in bursts (a drag, typing): while running, polling
    /// restarts once they settle.
    void projectChanged();

    /// Starts polling; false with the reason (no host has SSH) when it cannot. A reason
    /// found while planning the hosts (one has no address to connect to) comes later, as
    /// failed().
    bool start(QString *error);
    void stop();
    bool isRunning() const { return m_running; }
    /// Polls every host now (after a deploy: links turn green as handshakes arrive).
    void refresh();

    void setOptions(const StatusOptions &options) { m_options = options; }
    const StatusOptions &options() const { return m_options; }

    const QList<LinkStatus> &links() const { return m_links; }
    const QList<HostStatus> &hosts() const { return m_hosts; }
    /// The rates of the link between \a a and \a b over the last ten minutes, oldest first.
    QList<RatePoint> history(const QString &a, const QString &b) const;
    /// Milliseconds since the monitor started (the time base of RatePoint).
    qint64 elapsed() const { return m_clock.elapsed(); }

signals:
    void changed();
    void runningChanged(bool running);
    /// Polling could not start after all; it is off again (runningChanged(false) follows).
    void failed(const QString &reason);

private:
    /// What a run polls, planned off the window's thread.
    struct Prepared
    {
        std::optional<QList<PollTarget>> targets;
        std::shared_ptr<LinkStatusBoard> board;
        QString error;
    };
    static Prepared prepare(const Project &project, KeyStore keys);

    void restart();
    void startPolling();
    void publish();
    void schedulePublish();

    std::function<Snapshot()> m_source;
    StatusPoller *m_poller;
    StatusOptions m_options;
    bool m_running = false;
    std::shared_ptr<LinkStatusBoard> m_board;
    QFutureWatcher<Prepared> m_preparing;
    /// One thread of its own, not the global pool: the raster paint engine splits large
    /// fills over the global pool and waits for them, so a plan there would hold up paints.
    QThreadPool m_planner;
    QHash<QString, QString> m_reasons;
    QList<LinkStatus> m_links;
    QList<HostStatus> m_hosts;
    /// "a\nb" -> a ring of HistoryMsecs / SlotMsecs + 1 slots (msecs < 0: empty), made
    /// whole on first use, so that memory does not grow as the history fills.
    QHash<QString, QList<RatePoint>> m_history;
    QElapsedTimer m_clock;
    qint64 m_lastSweep = 0;
    QTimer m_publish;
    QTimer m_restart;
};
