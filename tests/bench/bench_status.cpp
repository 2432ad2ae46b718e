// Benchmark: what live status costs the application. Opens PROJECT in the main window,
// turns Live Status on (the SSH poller, as the application runs it) and measures, over
// the run, the process's CPU time per minute and its resident memory at every minute, and
// the longest time the window's event loop went without running a 10 ms timer: while Live
// Status is switched on and first drawn, and afterwards while the hosts are polled.
// Run by tests/bench/bench-status.sh inside the testbed's controller namespace.
//
//   bench_status PROJECT KNOWN_HOSTS [--interval S] [--minutes M]
#include "gapmeter.h"
#include "mainwindow.h"
#include "sshstatuspoller.h"
#include "statusmonitor.h"
#include "statuspane.h"
#include "topologyscene.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QSpinBox>
#include <QTimer>

#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>

namespace {

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// Resident set size in KiB, from /proc/self/status.
long residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLong();
    }
    return -1;
}

/// Bytes the program has allocated and not freed (every malloc arena): what a leak grows.
long heapKiB()
{
    return long(mallinfo2().uordblks / 1024);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList arguments = app.arguments().mid(1);
    if (arguments.size() < 2) {
        std::fprintf(stderr, "usage: bench_status PROJECT KNOWN_HOSTS [--interval S] [--minutes M]\n");
        return 2;
    }
    const int interval = arguments.contains(QStringLiteral("--interval"))
        ? arguments.value(arguments.indexOf(QStringLiteral("--interval")) + 1).toInt() : 5;
    const int minutes = arguments.contains(QStringLiteral("--minutes"))
        ? arguments.value(arguments.indexOf(QStringLiteral("--minutes")) + 1).toInt() : 1;

    SshStatusPoller poller;
    MainWindow window(nullptr, nullptr, &poller);
    if (!window.openFile(arguments[0]))
        return 1;
    window.resize(1400, 900);
    window.show();
    // The window's own first frame is not what is measured: let it be drawn first.
    {
        QElapsedTimer drawn;
        drawn.start();
        while (drawn.elapsed() < 500)
            app.processEvents(QEventLoop::AllEvents, 50);
    }
    window.statusPane()->findChild<QLineEdit *>(QStringLiteral("statusKnownHosts"))->setText(arguments[1]);
    window.statusPane()->findChild<QSpinBox *>(QStringLiteral("statusInterval"))->setValue(interval);
    // The event loop's longest gaps: in the first second (switching on, the first picture,
    // the first answers), then while polling.
    EventLoopGapMeter gaps;
    EventLoopGapMeter::Gap startGap;
    gaps.start();
    QTimer::singleShot(1000, [&] {
        startGap = gaps.longest();
        gaps.reset();
    });
    QElapsedTimer toggle;
    toggle.start();
    window.action(QStringLiteral("liveStatus"))->trigger();
    const qint64 toggleMs = toggle.elapsed();
    if (!window.statusMonitor()->isRunning())
        return 1;
    const int links = int(window.scene()->linkItemCount());
    const auto hosts = window.document()->project().hosts.size();

    // Wait (a minute at most) until every link has a state, then measure minute by minute.
    const auto judged = [&] {
        const QHash<LinkState, int> counts = window.scene()->liveStateCounts();
        int sum = 0;
        for (const int n : counts)
            sum += n;
        return sum - counts.value(LinkState::Unknown);
    };
    QElapsedTimer clock;
    clock.start();
    {
        QEventLoop wait;
        QTimer check;
        QObject::connect(&check, &QTimer::timeout, &wait, [&] {
            if (judged() == links || clock.elapsed() > 60000)
                wait.quit();
        });
        check.start(100);
        wait.exec();
    }
    const auto states = [&] {
        const QHash<LinkState, int> counts = window.scene()->liveStateCounts();
        return QStringLiteral("%1 alive, %2 idle, %3 down, %4 one-sided")
            .arg(counts.value(LinkState::Alive))
            .arg(counts.value(LinkState::Idle))
            .arg(counts.value(LinkState::Down))
            .arg(counts.value(LinkState::OneSided))
            .toStdString();
    };
    std::printf("%lld hosts, %d links, every link judged after %.1f s: %s\n", qlonglong(hosts), links, double(clock.elapsed()) / 1000,
                states().c_str());
    std::printf("minute  cpu-s  %%-of-one-core  rss-KiB  heap-KiB  links\n");
    std::fflush(stdout);
    int minute = 0;
    double cpu = cpuSeconds();
    const long rssStart = residentKiB();
    const long heapStart = heapKiB();
    long rssPeak = rssStart;
    double cpuTotal = 0;
    QTimer every;
    QObject::connect(&every, &QTimer::timeout, [&] {
        const double now = cpuSeconds();
        const long rss = residentKiB();
        rssPeak = std::max(rssPeak, rss);
        cpuTotal += now - cpu;
        std::printf("%6d  %5.2f  %13.2f  %7ld  %8ld  %s\n", ++minute, now - cpu, 100 * (now - cpu) / 60, rss, heapKiB(),
                    states().c_str());
        std::fflush(stdout);
        cpu = now;
        if (minute >= minutes)
            app.quit();
    });
    every.start(60000);
    app.exec();
    std::printf("summary: %d min, polling every %d s: CPU %.2f%% of one core on average (target < 5%%); RSS %ld KiB after the "
                "first picture, %ld KiB at the end, peak %ld KiB; heap in use %ld KiB after the first picture, %ld KiB at the end\n",
                minute, interval, 100 * cpuTotal / (60.0 * minute), rssStart, residentKiB(), rssPeak, heapStart, heapKiB());
    const EventLoopGapMeter::Gap pollingGap = gaps.longest();
    std::printf("event loop: longest gap %lld ms in the first second (switching Live Status on: the action itself %lld ms; the "
                "window redrawn with its status pane; the first answers), of which the window's thread ran %lld ms and waited "
                "%lld ms for a CPU; %lld ms afterwards while polling (%.1f s in; ran %lld ms, waited %lld ms)\n",
                startGap.ms, toggleMs, startGap.runningMs, startGap.waitingMs, pollingGap.ms, 1 + double(pollingGap.endedAt) / 1000,
                pollingGap.runningMs, pollingGap.waitingMs);
    return 0;
}
