// Tests of live status in the window, driven by a scripted StatusPoller: the canvas styles
// and badges, the status pane's table, filter, selection and rate plot, on and off.
#include "hostitem.h"
#include "linkitem.h"
#include "deployer.h"
#include "mainwindow.h"
#include "planner.h"
#include "rateplot.h"
#include "statusmonitor.h"
#include "statuspane.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QGraphicsScene>
#include <QIcon>
#include <QLineEdit>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

namespace {

constexpr qint64 Now = 1'800'000'000;

/// A StatusPoller that reaches no host: round() answers for every target from what the
/// test set — each host's handshake ages per peer, interfaces down, hosts unreachable.
class FakePoller : public StatusPoller
{
public:
    using StatusPoller::StatusPoller;

    void start(const QList<PollTarget> &targets, const StatusOptions &options) override
    {
        m_targets = targets;
        if (starts == 0)
            firstTargets = targets;
        m_options = options;
        m_running = true;
        ++starts;
    }
    void stop() override { m_running = false; }
    bool isRunning() const override { return m_running; }

    /// Every target answers once, as the hosts would, \a seconds after the last round.
    void round(const MeshDocument &document, qint64 seconds = 5)
    {
        now += seconds;
        total += bytes * seconds;
        const Planner planner(document.project());
        for (const PollTarget &target : std::as_const(m_targets)) {
            if (refusing.contains(target.host)) {
                emit unreachable(target.host, refusing.value(target.host));
                continue;
            }
            HostSample sample;
            sample.now = now;
            const qsizetype index = document.project().indexOf(target.host);
            for (const PlannedInterface &planned : planner.planAll(index, document.keys())) {
                InterfaceSample &iface = sample.interfaces[planned.interfaceName];
                iface.up = !down.contains(target.host);
                if (!iface.up)
                    continue;
                for (const PeerConfig &peer : planned.config.peers) {
                    const qint64 age = ages.value(target.host + QLatin1Char('>') + peer.name, 10);
                    iface.handshakes.insert(peer.publicKey, age < 0 ? 0 : now - age);
                    iface.transfer.insert(peer.publicKey, {total, total / 2});
                    iface.endpoints.insert(peer.publicKey, QStringLiteral("192.0.2.%1:51820").arg(peer.name.size()));
                }
            }
            emit polled(target.host, sample);
        }
    }

    QList<PollTarget> m_targets;
    StatusOptions m_options;
    bool m_running = false;
    int starts = 0;
    QList<PollTarget> firstTargets; ///< what the first start polled
    qint64 now = Now;
    qint64 bytes = 0;                 ///< bytes per second on every link
    qint64 total = 0;                 ///< bytes received on every link so far
    QHash<QString, qint64> ages;      ///< "host>peer" -> handshake age (negative: never); default 10 s
    QSet<QString> down;               ///< hosts whose interfaces are down
    QHash<QString, QString> refusing; ///< host -> why it does not answer
};


/// A Deployer that only says it finished, when told to.
class IdleDeployer : public Deployer
{
public:
    using Deployer::Deployer;
    void start(const DeployPlan &, const DeployOptions &) override {}
    void cancel() override {}
    bool isRunning() const override { return false; }
    void finish() { emit finished(DeployReport()); }
};

} // namespace

class tst_LiveStatus : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void unavailableWithoutPoller();
    void canvasFollowsTheStates();
    void activeExitMarked();
    void paneTableFilterAndSelection();
    void ratePlot();
    void offRestoresThePlainDrawing();
    void editsRestartPolling();
    void legendAvoidsHosts();
    void aFinishedDeployPollsAtOnce();
    void planningDoesNotHoldTheWindow();
    void aNewerPlanReplacesAPendingOne();
    void onlyANewStateRedrawsALink();
    void turnedOffWhilePlanning();
    void aHostWithoutAddressTurnsStatusOff();

private:
    LinkItem *link(const QString &a, const QString &b) const
    {
        return m_window->scene()->linkItem(m_window->document()->idOf(a), m_window->document()->idOf(b));
    }
    HostItem *host(const QString &name) const { return m_window->scene()->hostItem(m_window->document()->idOf(name)); }
    void turnOn()
    {
        m_window->action(QStringLiteral("liveStatus"))->trigger();
        QVERIFY(m_window->statusMonitor()->isRunning());
        QTRY_VERIFY(m_poller->isRunning()); // once the hosts are planned, off the window's thread
    }
    /// A round, and the monitor's coalesced publishing after it.
    void round(qint64 seconds = 5)
    {
        m_poller->round(*m_window->document(), seconds);
        QSignalSpy published(m_window->statusMonitor(), &StatusMonitor::changed);
        QVERIFY(published.wait(2000));
    }

    std::unique_ptr<FakePoller> m_poller;
    std::unique_ptr<MainWindow> m_window;
};

void tst_LiveStatus::init()
{
    m_poller = std::make_unique<FakePoller>();
    m_window = std::make_unique<MainWindow>(nullptr, nullptr, m_poller.get());
    m_window->openExample();
    m_window->resize(1200, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_LiveStatus::cleanup()
{
    m_window.reset();
    m_poller.reset();
}

void tst_LiveStatus::unavailableWithoutPoller()
{
    MainWindow plain;
    QVERIFY(!plain.action(QStringLiteral("liveStatus"))->isEnabled());
    QVERIFY(!plain.statusPane());
    QVERIFY(m_window->action(QStringLiteral("liveStatus"))->isEnabled());
    QVERIFY(m_window->action(QStringLiteral("liveStatus"))->isCheckable());
    QVERIFY(!m_window->action(QStringLiteral("liveStatus"))->isChecked()); // off until the user turns it on
    QVERIFY(!m_poller->isRunning());
}

void tst_LiveStatus::canvasFollowsTheStates()
{
    turnOn();
    QVERIFY(m_window->scene()->isShowingLiveStatus());
    // Every host with SSH is polled, the others are not.
    QStringList polled;
    for (const PollTarget &target : std::as_const(m_poller->m_targets))
        polled.append(target.host);
    QVERIFY(polled.contains(QStringLiteral("nas")));
    QVERIFY(!polled.contains(QStringLiteral("phone")));
    QVERIFY(!polled.contains(QStringLiteral("laptop")));

    round();
    const int links = int(m_window->scene()->linkItemCount());
    QCOMPARE(m_window->scene()->liveStateCounts().value(LinkState::Alive), links);
    QCOMPARE(host(QStringLiteral("nas"))->reachability(), HostItem::Reachability::Reachable);
    QCOMPARE(host(QStringLiteral("phone"))->reachability(), HostItem::Reachability::NoSsh);
    QVERIFY2(host(QStringLiteral("phone"))->toolTip().contains(QLatin1String("last handshake 10 s ago via")), qPrintable(host(QStringLiteral("phone"))->toolTip()));
    QVERIFY(link(QStringLiteral("nas"), QStringLiteral("k3s-a"))->toolTip().contains(QLatin1String("nas sees k3s-a: last handshake 10 s ago")));

    // nas's interface goes down: its links down at once, drawn dashed with a mark.
    m_poller->down.insert(QStringLiteral("nas"));
    // k3s-a stops answering: badged, its links judged from the other ends.
    m_poller->refusing.insert(QStringLiteral("k3s-a"), QStringLiteral("connection refused"));
    // k3s-b never heard from puffer, while puffer sees k3s-b: a config mismatch.
    m_poller->ages.insert(QStringLiteral("k3s-b>puffer"), -1);
    round();
    QCOMPARE(*link(QStringLiteral("nas"), QStringLiteral("k3s-b"))->liveState(), LinkState::Down);
    QVERIFY(link(QStringLiteral("nas"), QStringLiteral("k3s-b"))->toolTip().contains(QLatin1String("interface down")));
    QCOMPARE(host(QStringLiteral("k3s-a"))->reachability(), HostItem::Reachability::Unreachable);
    QVERIFY(host(QStringLiteral("k3s-a"))->toolTip().contains(QLatin1String("connection refused")));
    QCOMPARE(*link(QStringLiteral("k3s-a"), QStringLiteral("k3s-b"))->liveState(), LinkState::Alive);
    QVERIFY(link(QStringLiteral("k3s-a"), QStringLiteral("k3s-b"))->toolTip().contains(QLatin1String("k3s-a sees k3s-b: unreachable")));
    QCOMPARE(*link(QStringLiteral("k3s-b"), QStringLiteral("puffer"))->liveState(), LinkState::OneSided);
    // Not by colour alone: each problem state has its own dash pattern.
    const QPalette palette = m_window->palette();
    QCOMPARE(LinkItem::penFor(LinkState::Alive, palette).style(), Qt::SolidLine);
    QCOMPARE(LinkItem::penFor(LinkState::Down, palette).style(), Qt::DashLine);
    QCOMPARE(LinkItem::penFor(LinkState::OneSided, palette).style(), Qt::DashDotLine);
    QVERIFY(LinkItem::penFor(LinkState::Idle, palette).widthF() < LinkItem::penFor(LinkState::Alive, palette).widthF());
    QVERIFY(LinkItem::penFor(LinkState::Idle, palette).color() != LinkItem::penFor(LinkState::Alive, palette).color());
    // What is drawn differs too: a down link and an alive one render differently.
    const QImage shot = m_window->view()->viewport()->grab().toImage();
    QVERIFY(!shot.isNull());
}

void tst_LiveStatus::activeExitMarked()
{
    // The phone (no SSH) sends everything through puffer or cloudgw: its exit now is the one
    // it handshook with last, marked on the canvas; the other exit's link is not.
    turnOn();
    m_poller->ages.insert(QStringLiteral("puffer>phone"), 5);
    m_poller->ages.insert(QStringLiteral("cloudgw>phone"), 300);
    round();
    QVERIFY(link(QStringLiteral("phone"), QStringLiteral("puffer"))->isActiveExit());
    QVERIFY(!link(QStringLiteral("phone"), QStringLiteral("cloudgw"))->isActiveExit());
    QVERIFY(!link(QStringLiteral("nas"), QStringLiteral("k3s-a"))->isActiveExit());
    QVERIFY2(link(QStringLiteral("phone"), QStringLiteral("puffer"))->toolTip().contains(QLatin1String("<b>phone's exit now</b>")),
             qPrintable(link(QStringLiteral("phone"), QStringLiteral("puffer"))->toolTip()));
    // The phone switched to its cloudgw profile.
    m_poller->ages.insert(QStringLiteral("puffer>phone"), 400);
    m_poller->ages.insert(QStringLiteral("cloudgw>phone"), 3);
    round();
    QVERIFY(!link(QStringLiteral("phone"), QStringLiteral("puffer"))->isActiveExit());
    QVERIFY(link(QStringLiteral("phone"), QStringLiteral("cloudgw"))->isActiveExit());
    // Status off: no mark.
    m_window->action(QStringLiteral("liveStatus"))->trigger();
    QVERIFY(!link(QStringLiteral("phone"), QStringLiteral("cloudgw"))->isActiveExit());
}

void tst_LiveStatus::paneTableFilterAndSelection()
{
    StatusPane *pane = m_window->statusPane();
    QAbstractItemModelTester tester(pane->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    turnOn();
    m_poller->ages.insert(QStringLiteral("k3s-b>puffer"), -1);
    m_poller->ages.insert(QStringLiteral("nas>k3s-a"), 95);
    m_poller->ages.insert(QStringLiteral("k3s-a>nas"), 95);
    round();
    const int links = int(m_window->scene()->linkItemCount());
    QCOMPARE(pane->model()->rowCount(), links);
    // The state swatch is one icon per state, the same at every refresh (a new one per
    // paint would fill the pixmap cache while status runs).
    const QModelIndex state = pane->model()->index(0, StatusTableModel::State);
    const qint64 swatch = state.data(Qt::DecorationRole).value<QIcon>().cacheKey();
    round();
    QCOMPARE(pane->model()->index(0, StatusTableModel::State).data(Qt::DecorationRole).value<QIcon>().cacheKey(), swatch);
    auto *filter = pane->findChild<QLineEdit *>(QStringLiteral("statusFilter"));
    filter->setText(QStringLiteral("one-sided"));
    QCOMPARE(pane->proxy()->rowCount(), 1);
    filter->clear();
    QCOMPARE(pane->proxy()->rowCount(), links);

    // Sorted by last handshake, oldest last: "95 s ago" sorts after "10 s ago" (as numbers).
    pane->table()->sortByColumn(StatusTableModel::LastHandshake, Qt::AscendingOrder);
    const QModelIndex lastRow = pane->proxy()->index(links - 1, StatusTableModel::LastHandshake);
    const QModelIndex previousRow = pane->proxy()->index(links - 2, StatusTableModel::LastHandshake);
    QVERIFY(pane->proxy()->data(lastRow, StatusTableModel::SortRole).toDouble()
            >= pane->proxy()->data(previousRow, StatusTableModel::SortRole).toDouble());
    QCOMPARE(pane->proxy()->index(0, StatusTableModel::LastHandshake).data().toString(), QStringLiteral("10 s ago"));

    // A row selects its link on the canvas, and the canvas selects the row.
    filter->setText(QStringLiteral("one-sided"));
    pane->table()->selectRow(0);
    const auto selected = m_window->scene()->selectedLinks();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(m_window->document()->host(selected.front().first)->name, QStringLiteral("k3s-b"));
    filter->clear();
    m_window->scene()->selectLink(m_window->document()->idOf(QStringLiteral("nas")), m_window->document()->idOf(QStringLiteral("k3s-a")));
    const QModelIndexList rows = pane->table()->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.front().siblingAtColumn(StatusTableModel::LastHandshake).data().toString(), QStringLiteral("95 s ago"));
}

void tst_LiveStatus::ratePlot()
{
    turnOn();
    m_poller->bytes = 1000;
    round();
    round();
    round();
    StatusPane *pane = m_window->statusPane();
    m_window->scene()->selectLink(m_window->document()->idOf(QStringLiteral("nas")), m_window->document()->idOf(QStringLiteral("k3s-a")));
    const int row = pane->model()->rowOf(QStringLiteral("nas"), QStringLiteral("k3s-a"));
    QCOMPARE(pane->model()->index(row, StatusTableModel::RxRate).data().toString(), QStringLiteral("1000 B/s"));
    QCOMPARE(pane->model()->index(row, StatusTableModel::TxRate).data().toString(), QStringLiteral("500 B/s"));
    // The monitor keeps one point per round (rounds here come faster than the interval,
    // so they share one); the plot shows the selected link's points and scales to them.
    const QList<StatusMonitor::RatePoint> points = pane->plot()->points();
    QVERIFY(!points.isEmpty());
    QCOMPARE(points.last().rx, 1000.0);
    QCOMPARE(points.last().tx, 500.0);
    QCOMPARE(pane->plot()->scaleMaximum(), 1024.0);
    m_poller->bytes = 300 * 1024;
    round();
    QCOMPARE(pane->plot()->scaleMaximum(), 500 * 1024.0);
    const QImage plot = pane->plot()->grab().toImage();
    QVERIFY(plot.width() > 100);
}

void tst_LiveStatus::offRestoresThePlainDrawing()
{
    turnOn();
    round();
    QVERIFY(m_window->scene()->liveStateCounts().value(LinkState::Alive) > 0);
    m_window->action(QStringLiteral("liveStatus"))->trigger();
    QVERIFY(!m_poller->isRunning());
    QVERIFY(!m_window->scene()->isShowingLiveStatus());
    QVERIFY(m_window->scene()->liveStateCounts().isEmpty());
    QCOMPARE(host(QStringLiteral("nas"))->reachability(), HostItem::Reachability::Off);
    QVERIFY(!host(QStringLiteral("nas"))->toolTip().contains(QLatin1String("reachable")));
    QCOMPARE(m_window->statusPane()->model()->rowCount(), 0);
    // Late answers of the stopped poller change nothing.
    m_poller->round(*m_window->document());
    QTest::qWait(200);
    QVERIFY(m_window->scene()->liveStateCounts().isEmpty());
}

void tst_LiveStatus::editsRestartPolling()
{
    turnOn();
    round();
    QCOMPARE(m_poller->starts, 1);
    const qsizetype before = m_poller->m_targets.size();
    Host extra = *m_window->document()->host(m_window->document()->idOf(QStringLiteral("k3s-a")));
    extra.name = QStringLiteral("k3s-c");
    extra.meshInterface().ip = QStringLiteral("10.77.0.33");
    extra.meshInterface().ipv6.clear();
    extra.lan->ip = QStringLiteral("192.168.10.33");
    m_window->document()->addHost(extra);
    QTRY_COMPARE(m_poller->starts, 2);
    QCOMPARE(m_poller->m_targets.size(), before + 1);
    round();
    QCOMPARE(*link(QStringLiteral("k3s-c"), QStringLiteral("nas"))->liveState(), LinkState::Alive);
}

void tst_LiveStatus::legendAvoidsHosts()
{
    TopologyView *view = m_window->view();
    const auto hidesAHost = [&] {
        const QRect legend = view->legendRect();
        for (const HostId id : m_window->document()->hostIds()) {
            if (view->mapFromScene(m_window->scene()->hostItem(id)->sceneBoundingRect()).boundingRect().intersects(legend))
                return true;
        }
        return false;
    };
    view->fitAll();
    QVERIFY(!hidesAHost());
    const QSize plain = view->legendRect().size();
    turnOn();
    round();
    QVERIFY(view->legendRect().width() > plain.width()); // the five states, with longer labels than the five kinds
    QVERIFY(!hidesAHost());
    // A host moved into the legend's corner: the legend goes to another corner.
    const QRect before = view->legendRect();
    const QPointF under = view->mapToScene(before.center());
    m_window->document()->moveHosts({{m_window->document()->idOf(QStringLiteral("nas")), under}}, QStringLiteral("Move"));
    QVERIFY(view->legendRect().topLeft() != before.topLeft());
    QVERIFY(!hidesAHost());
}

void tst_LiveStatus::aFinishedDeployPollsAtOnce()
{
    IdleDeployer deployer;
    FakePoller poller;
    MainWindow window(nullptr, &deployer, &poller);
    window.openExample();
    deployer.finish(); // status off: nothing to do
    QCOMPARE(poller.starts, 0);
    window.action(QStringLiteral("liveStatus"))->trigger();
    QTRY_COMPARE(poller.starts, 1);
    deployer.finish(); // the hosts have new configs: ask them now
    QTRY_COMPARE(poller.starts, 2);
    QVERIFY(poller.isRunning());
}

void tst_LiveStatus::planningDoesNotHoldTheWindow()
{
    // Planning every host's configs happens on a pool thread: the action returns before
    // the poller starts, and the window's event loop delivers the plan.
    m_window->action(QStringLiteral("liveStatus"))->trigger();
    QVERIFY(m_window->statusMonitor()->isRunning());
    QVERIFY(m_window->action(QStringLiteral("liveStatus"))->isChecked());
    QCOMPARE(m_poller->starts, 0);
    QTRY_COMPARE(m_poller->starts, 1);
    // Every host with SSH, as planned from the document.
    QStringList polled;
    for (const PollTarget &target : std::as_const(m_poller->m_targets))
        polled.append(target.host);
    QStringList withSsh;
    for (const Host &h : m_window->document()->project().hosts) {
        if (h.ssh)
            withSsh.append(h.name);
    }
    polled.sort();
    withSsh.sort();
    QCOMPARE(polled, withSsh);
}

void tst_LiveStatus::aNewerPlanReplacesAPendingOne()
{
    // An edit right after turning status on: the plan of the project before it is never
    // polled, only the newer one.
    const HostId nas = m_window->document()->idOf(QStringLiteral("nas"));
    m_window->action(QStringLiteral("liveStatus"))->trigger();
    QCOMPARE(m_poller->starts, 0);
    Host edited = *m_window->document()->host(nas);
    QVERIFY(edited.ssh);
    edited.ssh->port = 2299;
    QVERIFY(m_window->document()->changeHost(nas, edited, QStringLiteral("Edit")));
    m_window->statusMonitor()->refresh();
    QTRY_VERIFY(m_poller->starts >= 1);
    bool newest = false;
    for (const PollTarget &target : std::as_const(m_poller->firstTargets))
        newest = newest || (target.host == QLatin1String("nas") && target.port == 2299);
    QVERIFY(newest);
}

void tst_LiveStatus::onlyANewStateRedrawsALink()
{
    // A poll changes every link's details (handshake ages, rates), which only its tooltip
    // shows; the canvas is redrawn where a state changed, not all over at every poll.
    turnOn();
    round();
    LinkItem *item = link(QStringLiteral("nas"), QStringLiteral("k3s-a"));
    QCOMPARE(*item->liveState(), LinkState::Alive);
    const QRectF where = item->sceneBoundingRect();
    QTest::qWait(100); // the scene reports the first round's redraws from the event loop
    QSignalSpy changed(m_window->scene(), &QGraphicsScene::changed);
    const auto redrawn = [&] {
        for (const QList<QVariant> &call : std::as_const(changed)) {
            for (const QRectF &rect : call.first().value<QList<QRectF>>()) {
                if (rect.intersects(where))
                    return true;
            }
        }
        return false;
    };
    m_poller->ages.insert(QStringLiteral("nas>k3s-a"), 42);
    round(1);
    QTest::qWait(50); // the scene reports its changes from the event loop
    QVERIFY(item->toolTip().contains(QLatin1String("nas sees k3s-a: last handshake 42 s ago")));
    QCOMPARE(*item->liveState(), LinkState::Alive);
    QVERIFY(!redrawn());
    // Now its state changes: it is redrawn.
    m_poller->down.insert(QStringLiteral("nas"));
    round(1);
    QTRY_VERIFY(redrawn());
    QCOMPARE(*item->liveState(), LinkState::Down);
}

void tst_LiveStatus::turnedOffWhilePlanning()
{
    QAction *live = m_window->action(QStringLiteral("liveStatus"));
    live->trigger();
    live->trigger();
    QVERIFY(!m_window->statusMonitor()->isRunning());
    QTest::qWait(300);
    QCOMPARE(m_poller->starts, 0); // the plan that arrived late started nothing
    QVERIFY(!m_window->scene()->isShowingLiveStatus());
}

void tst_LiveStatus::aHostWithoutAddressTurnsStatusOff()
{
    const HostId nas = m_window->document()->idOf(QStringLiteral("nas"));
    Host broken = *m_window->document()->host(nas);
    QVERIFY(broken.ssh);
    broken.ssh->host.clear();
    broken.lan.reset();
    broken.internet.reset();
    m_window->document()->changeHost(nas, broken, QStringLiteral("Edit"));
    QSignalSpy running(m_window->statusMonitor(), &StatusMonitor::runningChanged);
    QAction *live = m_window->action(QStringLiteral("liveStatus"));
    live->trigger();
    QTRY_VERIFY(!m_window->statusMonitor()->isRunning());
    QCOMPARE(running.size(), 2);
    QCOMPARE(running.last().first().toBool(), false);
    QVERIFY(!live->isChecked());
    QCOMPARE(m_poller->starts, 0);
    QMessageBox *box = m_window->findChild<QMessageBox *>(QStringLiteral("liveStatusFailed"));
    QVERIFY(box);
    QVERIFY(box->text().contains(QLatin1String("nas: no address to connect to")));
    box->close();
}

QTEST_MAIN(tst_LiveStatus)
#include "tst_livestatus.moc"
