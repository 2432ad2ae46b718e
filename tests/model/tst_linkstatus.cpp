// Tests of the link-status board: peers matched by public key, both ends, rates, restarts.
#include "keystore.h"
#include "linkstatus.h"
#include "planner.h"
#include "projectfile.h"
#include "statusreport.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr qint64 Now = 1'800'000'000;

} // namespace

class tst_LinkStatus : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyLinkOnce();
    void peersMatchedByPublicKey();
    void pendingRotationStillMatchesTheRunningKey();
    void perPeerInterfaces();
    void ownClockDecidesAge();
    void interfaceDownTakesLinkDown();
    void unreachableHostJudgedFromOtherEnd();
    void ratesFromConsecutivePolls();
    void pollOutputParsed();
    void pollOutputRefused_data();
    void pollOutputRefused();
    void pollScriptInAShell();
    void needsAttention();
    void reportTable();
    void reportJson();
    void ageAndRateTexts();
    void activeExitMarked();

private:
    QString pub(const QString &keyId) const { return m_keys.publicKey(keyId); }
    qsizetype index(const QString &host) const { return m_project.indexOf(host); }
    /// An interface that is up and has seen each of \a peers (public key -> handshake time).
    static InterfaceSample seen(const QHash<QString, qint64> &peers)
    {
        InterfaceSample sample;
        sample.up = true;
        sample.handshakes = peers;
        for (auto it = peers.cbegin(); it != peers.cend(); ++it) {
            sample.transfer.insert(it.key(), {0, 0});
            sample.endpoints.insert(it.key(), QString());
        }
        return sample;
    }
    static LinkStatus find(const QList<LinkStatus> &links, const QString &a, const QString &b)
    {
        for (const LinkStatus &link : links) {
            if ((link.a == a && link.b == b) || (link.a == b && link.b == a))
                return link;
        }
        return {};
    }
    /// Feeds node1 and node2 a fresh handshake with each other and the router.
    void nodesSeeEachOther(LinkStatusBoard &board, qint64 now = Now) const
    {
        HostSample node1{now, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("router/wg0")), now - 10}, {pub(QStringLiteral("node2")), now - 20}})}}};
        HostSample node2{now, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("router/wg1")), now - 30}, {pub(QStringLiteral("node1")), now - 20}})}}};
        board.update(index(QStringLiteral("node1")), node1);
        board.update(index(QStringLiteral("node2")), node2);
    }

    Project m_project;
    KeyStore m_keys;
};

void tst_LinkStatus::initTestCase()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
    const Planner planner(m_project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
}

void tst_LinkStatus::everyLinkOnce()
{
    const LinkStatusBoard board(m_project, m_keys);
    const QList<LinkStatus> links = board.links();
    QStringList pairs;
    for (const LinkStatus &link : links) {
        pairs.append(link.a + QLatin1Char('-') + link.b);
        QCOMPARE(link.state, LinkState::Unknown); // nobody asked yet
        QVERIFY(!link.viewA && !link.viewB);
    }
    // The nodes exclude the phone: no link there.
    QCOMPARE(pairs, QStringList({"router-node1", "router-node2", "router-phone", "node1-node2"}));
    QVERIFY(find(links, QStringLiteral("router"), QStringLiteral("phone")).keepalive);
}

void tst_LinkStatus::peersMatchedByPublicKey()
{
    LinkStatusBoard board(m_project, m_keys);
    // node1 knows a stranger with a fresh handshake and node2 under a stale key: neither
    // counts for the link node1-node2, which node1 must see under node2's current key.
    KeyStore stranger;
    stranger.ensure({QStringLiteral("x")}, {});
    HostSample node1{Now, {{QStringLiteral("wg0"), seen({{stranger.publicKey(QStringLiteral("x")), Now - 1}})}}};
    HostSample node2{Now, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("node1")), Now - 5}})}}};
    board.update(index(QStringLiteral("node1")), node1);
    board.update(index(QStringLiteral("node2")), node2);
    LinkStatus link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(link.viewA && link.viewB);
    QVERIFY(!link.viewA->handshakeAge);
    QCOMPARE(link.viewB->handshakeAge, 5);
    QCOMPARE(link.state, LinkState::OneSided);

    node1.interfaces[QStringLiteral("wg0")] = seen({{pub(QStringLiteral("node2")), Now - 7}});
    board.update(index(QStringLiteral("node1")), node1);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.viewA->handshakeAge, 7);
    QCOMPARE(link.state, LinkState::Alive);
}

void tst_LinkStatus::pendingRotationStillMatchesTheRunningKey()
{
    // node2's keys are rotated but not deployed yet: node1 still runs node2's old key, and
    // the link is alive under it (and under the new one once the deploy is done).
    KeyStore keys = m_keys;
    const QString old = keys.publicKey(QStringLiteral("node2"));
    keys.rotate(QStringLiteral("node2"));
    LinkStatusBoard board(m_project, keys);
    HostSample node1{Now, {{QStringLiteral("wg0"), seen({{old, Now - 4}})}}};
    HostSample node2{Now, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("node1")), Now - 4}})}}};
    board.update(index(QStringLiteral("node1")), node1);
    board.update(index(QStringLiteral("node2")), node2);
    QCOMPARE(find(board.links(), QStringLiteral("node1"), QStringLiteral("node2")).state, LinkState::Alive);
    node1.interfaces[QStringLiteral("wg0")] = seen({{keys.publicKey(QStringLiteral("node2")), Now - 2}});
    board.update(index(QStringLiteral("node1")), node1);
    const LinkStatus link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.state, LinkState::Alive);
    QCOMPARE(link.viewA->handshakeAge, 2);
}

void tst_LinkStatus::perPeerInterfaces()
{
    LinkStatusBoard board(m_project, m_keys);
    // The router faces node2 on wg1, under the key of that interface.
    HostSample router{Now, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("node1")), Now - 10}})},
                            {QStringLiteral("wg1"), seen({{pub(QStringLiteral("node2")), Now - 30}})},
                            {QStringLiteral("wg2"), seen({{pub(QStringLiteral("phone")), Now - 12}})}}};
    router.interfaces[QStringLiteral("wg2")].endpoints.insert(pub(QStringLiteral("phone")), QStringLiteral("192.0.2.80:40312"));
    board.update(index(QStringLiteral("router")), router);
    nodesSeeEachOther(board);
    const QList<LinkStatus> links = board.links();
    const LinkStatus toNode2 = find(links, QStringLiteral("router"), QStringLiteral("node2"));
    QCOMPARE(toNode2.interfaceA, QStringLiteral("wg1"));
    QCOMPARE(toNode2.interfaceB, QStringLiteral("wg0"));
    QCOMPARE(toNode2.viewA->handshakeAge, 30);
    QCOMPARE(toNode2.state, LinkState::Alive);
    // The phone has no SSH: its link is judged from the router's view of it alone.
    const LinkStatus toPhone = find(links, QStringLiteral("router"), QStringLiteral("phone"));
    QCOMPARE(toPhone.interfaceA, QStringLiteral("wg2"));
    QVERIFY(!toPhone.viewB);
    QCOMPARE(toPhone.viewA->handshakeAge, 12);
    QCOMPARE(toPhone.endpointSeenByA, QStringLiteral("192.0.2.80:40312"));
    QCOMPARE(toPhone.state, LinkState::Alive);
    for (const LinkStatus &link : links)
        QVERIFY2(link.state == LinkState::Alive, qPrintable(link.a + QLatin1Char('-') + link.b));
}

void tst_LinkStatus::ownClockDecidesAge()
{
    LinkStatusBoard board(m_project, m_keys);
    // node2's clock runs an hour ahead; its handshake times are in its own time.
    nodesSeeEachOther(board);
    const qint64 skewed = Now + 3600;
    HostSample node2{skewed, {{QStringLiteral("wg0"), seen({{pub(QStringLiteral("node1")), skewed - 179}})}}};
    board.update(index(QStringLiteral("node2")), node2);
    LinkStatus link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.viewB->handshakeAge, 179);
    QCOMPARE(link.state, LinkState::Alive);
    node2.interfaces[QStringLiteral("wg0")].handshakes[pub(QStringLiteral("node1"))] = skewed - 181;
    board.update(index(QStringLiteral("node2")), node2);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.viewB->handshakeAge, 181);
    QCOMPARE(link.state, LinkState::OneSided);
}

void tst_LinkStatus::interfaceDownTakesLinkDown()
{
    LinkStatusBoard board(m_project, m_keys);
    nodesSeeEachOther(board);
    // `wg show wg0` failed on node2: whatever node1 remembers, the link is down.
    board.update(index(QStringLiteral("node2")), HostSample{Now, {{QStringLiteral("wg0"), InterfaceSample{}}}});
    LinkStatus link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(!link.viewB->interfaceUp);
    QCOMPARE(link.state, LinkState::Down);
    // Missing altogether: the same.
    board.update(index(QStringLiteral("node2")), HostSample{Now, {}});
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.state, LinkState::Down);
    QCOMPARE(find(board.links(), QStringLiteral("router"), QStringLiteral("node2")).state, LinkState::Down);
}

void tst_LinkStatus::unreachableHostJudgedFromOtherEnd()
{
    LinkStatusBoard board(m_project, m_keys);
    nodesSeeEachOther(board);
    board.unreachable(index(QStringLiteral("node2")));
    QVERIFY(!board.isReachable(index(QStringLiteral("node2"))));
    QVERIFY(board.isReachable(index(QStringLiteral("node1"))));
    const QList<LinkStatus> links = board.links();
    const LinkStatus link = find(links, QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(!link.viewB);
    QCOMPARE(link.state, LinkState::Alive); // node1 still sees fresh handshakes
    // The router has no SSH: its link to node1 is seen, turned round, from node1's side.
    const auto routerNode1 = find(links, QStringLiteral("router"), QStringLiteral("node1")).traffic();
    QVERIFY(routerNode1 && !routerNode1->fromA);
    // The router was never asked and node2 cannot be: nothing is known of their link.
    QCOMPARE(find(links, QStringLiteral("router"), QStringLiteral("node2")).state, LinkState::Unknown);
    QVERIFY(!find(links, QStringLiteral("router"), QStringLiteral("node2")).traffic());
}

void tst_LinkStatus::ratesFromConsecutivePolls()
{
    LinkStatusBoard board(m_project, m_keys);
    const QString node2Key = pub(QStringLiteral("node2"));
    HostSample node1{Now, {{QStringLiteral("wg0"), seen({{node2Key, Now - 10}})}}};
    node1.interfaces[QStringLiteral("wg0")].transfer[node2Key] = {10'000, 2'000};
    board.update(index(QStringLiteral("node1")), node1);
    LinkStatus link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.viewA->rxBytes, 10'000);
    QVERIFY(!link.viewA->traffic); // one poll says nothing about traffic
    QVERIFY(!link.viewA->ratesKnown);
    QCOMPARE(link.rxRateA, 0.0);

    node1.now = Now + 5;
    node1.interfaces[QStringLiteral("wg0")].transfer[node2Key] = {15'000, 2'000};
    board.update(index(QStringLiteral("node1")), node1);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(link.viewA->traffic);
    QVERIFY(link.viewA->ratesKnown);
    QCOMPARE(link.rxRateA, 1000.0);
    QCOMPARE(link.traffic()->rx, 1000.0); // a's side: what node1 received from node2
    QVERIFY(link.traffic()->fromA);
    QCOMPARE(link.txRateA, 0.0);

    // The interface restarted: counters began again from zero.
    node1.now = Now + 10;
    node1.interfaces[QStringLiteral("wg0")].transfer[node2Key] = {500, 100};
    board.update(index(QStringLiteral("node1")), node1);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QCOMPARE(link.rxRateA, 100.0);
    QCOMPARE(link.txRateA, 20.0);

    // Quiet since: no traffic, and an old handshake on a link without keepalive is idle.
    node1.now = Now + 400;
    board.update(index(QStringLiteral("node1")), node1);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(!link.viewA->traffic);
    QVERIFY(!link.keepalive);
    QCOMPARE(link.state, LinkState::Idle);
}

namespace {

const QByteArray KeyA = QByteArray(43, 'A') + '=';
const QByteArray KeyB = QByteArray(42, 'B') + "E=";

/// What the poll script prints for wg0 (two peers) and a wg1 that is down.
QByteArray pollOutput()
{
    return "@now 1800000000\n"
           "@interface wg0\n"
           "@latest-handshakes\n" + KeyA + "\t1799999990\n" + KeyB + "\t0\n"
           "@transfer\n" + KeyA + "\t1000\t2000\n" + KeyB + "\t0\t0\n"
           "@endpoints\n" + KeyA + "\t192.0.2.1:51820\n" + KeyB + "\t(none)\n"
           "@interface wg1\n"
           "@down\n"
           "@end\n";
}

} // namespace

void tst_LinkStatus::pollOutputParsed()
{
    QString error;
    const auto sample = StatusPoll::parse(pollOutput(), &error);
    QVERIFY2(sample, qPrintable(error));
    QCOMPARE(sample->now, 1'800'000'000);
    QCOMPARE(sample->interfaces.size(), 2);
    const InterfaceSample wg0 = sample->interfaces.value(QStringLiteral("wg0"));
    QVERIFY(wg0.up);
    QCOMPARE(wg0.handshakes.value(QString::fromLatin1(KeyA)), 1'799'999'990);
    QCOMPARE(wg0.handshakes.value(QString::fromLatin1(KeyB)), 0);
    QCOMPARE(wg0.transfer.value(QString::fromLatin1(KeyA)), std::make_pair(qint64(1000), qint64(2000)));
    QCOMPARE(wg0.endpoints.value(QString::fromLatin1(KeyA)), QStringLiteral("192.0.2.1:51820"));
    QCOMPARE(wg0.endpoints.value(QString::fromLatin1(KeyB)), QString());
    QVERIFY(sample->interfaces.contains(QStringLiteral("wg1")));
    QVERIFY(!sample->interfaces.value(QStringLiteral("wg1")).up);
    // An interface without peers has empty sections.
    const auto empty = StatusPoll::parse("@now 5\n@interface wg0\n@latest-handshakes\n@transfer\n@endpoints\n@end\n");
    QVERIFY(empty && empty->interfaces.value(QStringLiteral("wg0")).up);
}

void tst_LinkStatus::pollOutputRefused_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QString>("error");
    const QByteArray good = pollOutput();
    QTest::newRow("nothing") << QByteArray() << QStringLiteral("line 1: no output");
    QTest::newRow("no clock") << good.mid(good.indexOf("@interface")) << QStringLiteral("line 1: expected the host's clock first");
    QTest::newRow("clock not a number") << QByteArray("@now soon\n@end\n") << QStringLiteral("line 1: expected the host's clock first");
    QTest::newRow("cut short") << good.left(good.indexOf("@interface wg1")) << QStringLiteral("cut short");
    QTest::newRow("cut inside a line") << good.left(good.indexOf("\t1000")) << QStringLiteral("cut short");
    QTest::newRow("bad handshake line") << QByteArray(good).replace("\t1799999990", "\tyesterday")
                                        << QStringLiteral("in latest-handshakes from line 4: line 1: not a time");
    QTest::newRow("not a key") << QByteArray(good).replace(KeyA + "\t1000", "rm -rf /\t1000")
                               << QStringLiteral("in transfer from line 7: line 1: not a public key");
    QTest::newRow("banner before") << "Welcome to host!\n" + good << QStringLiteral("line 1: unexpected output outside a section");
    QTest::newRow("unknown marker") << QByteArray(good).replace("@transfer", "@private-key") << QStringLiteral("unexpected marker 'private-key'");
    QTest::newRow("repeated interface") << QByteArray(good).replace("@interface wg1", "@interface wg0")
                                        << QStringLiteral("a missing or repeated interface name");
    QTest::newRow("output after the end") << good + "@now 7\n" << QStringLiteral("output after the end");
    QTest::newRow("section before an interface") << QByteArray("@now 5\n@transfer\n@end\n") << QStringLiteral("unexpected marker 'transfer'");
    QTest::newRow("too big") << QByteArray("@now 5\n") + QByteArray(4 * 1024 * 1024, 'x') << QStringLiteral("line 0: more than");
}

void tst_LinkStatus::pollOutputRefused()
{
    QFETCH(QByteArray, output);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!StatusPoll::parse(output, &why));
    QVERIFY2(why.contains(error), qPrintable(why));
}

void tst_LinkStatus::pollScriptInAShell()
{
    // The script, run by a real shell against a fake wg: wg0 answers, wg9 does not exist.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile wg(dir.filePath(QStringLiteral("wg")));
    QVERIFY(wg.open(QIODevice::WriteOnly));
    wg.write("#!/bin/sh\n"
             "[ \"$1\" = show ] && [ \"$2\" = wg0 ] || { echo \"Unable to access interface: No such device\" >&2; exit 1; }\n"
             "case \"$3\" in\n"
             "latest-handshakes) printf '" + KeyA + "\\t1799999990\\n' ;;\n"
             "transfer) printf '" + KeyA + "\\t10\\t20\\n' ;;\n"
             "endpoints) printf '" + KeyA + "\\t[2001:db8::1]:51820\\n' ;;\n"
             "allowed-ips) printf '" + KeyA + "\\t10.0.0.1/32 0.0.0.0/0 ::/0\\n' ;;\n"
             "*) exit 2 ;;\n"
             "esac\n");
    wg.close();
    wg.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QProcess shell;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PATH"), dir.path() + QLatin1String(":/usr/bin:/bin"));
    shell.setProcessEnvironment(environment);
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-s"), QStringLiteral("--"), QStringLiteral("wg0"), QStringLiteral("wg9")});
    shell.write(StatusPoll::script());
    shell.closeWriteChannel();
    QVERIFY(shell.waitForFinished(10000));
    QCOMPARE(shell.exitCode(), 0);
    const QByteArray output = shell.readAllStandardOutput();
    QVERIFY2(!output.contains("show") && !output.contains("dump"), output.constData());
    QString error;
    const auto sample = StatusPoll::parse(output, &error);
    QVERIFY2(sample, qPrintable(error + QLatin1Char('\n') + QString::fromUtf8(output)));
    QVERIFY(qAbs(sample->now - QDateTime::currentSecsSinceEpoch()) < 60);
    const InterfaceSample wg0 = sample->interfaces.value(QStringLiteral("wg0"));
    QVERIFY(wg0.up);
    QCOMPARE(wg0.transfer.value(QString::fromLatin1(KeyA)), std::make_pair(qint64(10), qint64(20)));
    QCOMPARE(wg0.endpoints.value(QString::fromLatin1(KeyA)), QStringLiteral("[2001:db8::1]:51820"));
    QCOMPARE(wg0.exitKey, QString::fromLatin1(KeyA)); // the peer that holds the default route
    QVERIFY(!sample->interfaces.value(QStringLiteral("wg9")).up);
    QVERIFY(!StatusPoll::script().contains("dump") && !StatusPoll::script().contains("showconf"));
}

void tst_LinkStatus::needsAttention()
{
    LinkStatusBoard board(m_project, m_keys);
    QVERIFY(board.hasSsh(index(QStringLiteral("node1"))));
    QVERIFY(!board.hasSsh(index(QStringLiteral("phone"))));
    nodesSeeEachOther(board);
    const QList<LinkStatus> links = board.links();
    QVERIFY(!find(links, QStringLiteral("node1"), QStringLiteral("node2")).needsAttention);
    // The router has SSH but has not answered: its links cannot be known, and that matters.
    const LinkStatus routerNode2 = find(links, QStringLiteral("router"), QStringLiteral("node2"));
    QCOMPARE(routerNode2.state, LinkState::Alive); // node2 sees the router
    for (const LinkStatus &link : links) {
        const bool sshEnd = board.hasSsh(index(link.a)) || board.hasSsh(index(link.b));
        const bool expected = link.state == LinkState::Down || link.state == LinkState::OneSided
            || (link.state == LinkState::Unknown && sshEnd);
        QCOMPARE(link.needsAttention, expected);
    }
}

void tst_LinkStatus::reportTable()
{
    LinkStatusBoard board(m_project, m_keys);
    nodesSeeEachOther(board);
    board.unreachable(index(QStringLiteral("node2")));
    const QList<LinkStatus> links = board.links();
    const QList<HostStatus> hosts = StatusReport::hosts(board, {{QStringLiteral("node2"), QStringLiteral("connection refused")}});
    const QString table = StatusReport::table(links, hosts);
    const QStringList lines = table.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.front().startsWith(QLatin1String("HOST")), qPrintable(table));
    QCOMPARE(lines.size(), links.size() + 1 /* header */ + 1 /* node2 */ + 1 /* summary */);
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("\\nnode1 +node2 +alive +20 s ago +unreachable "))), qPrintable(table));
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("\\nrouter +node1 +alive +no ssh +10 s ago "))), qPrintable(table));
    // The router has no SSH and node2 does not answer: unknown, and that needs attention.
    QVERIFY2(table.contains(QRegularExpression(QStringLiteral("\\nrouter +node2 +unknown ! +no ssh +unreachable "))), qPrintable(table));
    QVERIFY(table.contains(QLatin1String("\nnode2: unreachable (connection refused)\n")));
    QVERIFY(!StatusReport::healthy(links));
    QVERIFY2(lines.back().startsWith(QLatin1String("4 links: 2 alive, 2 unknown; links marked ! need attention")), qPrintable(lines.back()));
}

void tst_LinkStatus::reportJson()
{
    LinkStatusBoard board(m_project, m_keys);
    nodesSeeEachOther(board);
    const QList<LinkStatus> links = board.links();
    const QJsonObject json = StatusReport::json(links, StatusReport::hosts(board, {}), QDateTime::fromSecsSinceEpoch(Now));
    QCOMPARE(json.value(QStringLiteral("time")).toString(), QStringLiteral("2027-01-15T08:00:00Z"));
    QCOMPARE(json.value(QStringLiteral("ok")).toBool(), StatusReport::healthy(links));
    const QJsonArray array = json.value(QStringLiteral("links")).toArray();
    QCOMPARE(array.size(), links.size());
    QJsonObject link;
    for (const QJsonValue &value : array) {
        if (value[QStringLiteral("a")] == QStringLiteral("node1") && value[QStringLiteral("b")] == QStringLiteral("node2"))
            link = value.toObject();
    }
    QCOMPARE(link.value(QStringLiteral("state")).toString(), QStringLiteral("alive"));
    const QJsonArray ends = link.value(QStringLiteral("ends")).toArray();
    QCOMPARE(ends.size(), 2);
    QCOMPARE(ends[0][QStringLiteral("host")].toString(), QStringLiteral("node1"));
    QCOMPARE(ends[0][QStringLiteral("latestHandshakeAge")].toInt(), 20);
    QCOMPARE(ends[1][QStringLiteral("peer")].toString(), QStringLiteral("node1"));
    QCOMPARE(ends[1][QStringLiteral("interfaceUp")].toBool(), true);
    QVERIFY(ends[0][QStringLiteral("rxRate")].isNull()); // one poll: no rate yet
    const int counted = json[QStringLiteral("counts")][QStringLiteral("alive")].toInt() + json[QStringLiteral("counts")][QStringLiteral("unknown")].toInt()
        + json[QStringLiteral("counts")][QStringLiteral("down")].toInt() + json[QStringLiteral("counts")][QStringLiteral("idle")].toInt()
        + json[QStringLiteral("counts")][QStringLiteral("one-sided")].toInt();
    QCOMPARE(counted, int(links.size()));
    // An end that was never asked has no view, only who and whether it can be reached.
    for (const QJsonValue &value : array) {
        for (const QJsonValue &end : value[QStringLiteral("ends")].toArray()) {
            if (!end[QStringLiteral("reachable")].toBool())
                QVERIFY(!end.toObject().contains(QStringLiteral("latestHandshakeAge")));
        }
    }
}

void tst_LinkStatus::ageAndRateTexts()
{
    QCOMPARE(StatusPoll::ageText(std::nullopt), QStringLiteral("never"));
    QCOMPARE(StatusPoll::ageText(12), QStringLiteral("12 s ago"));
    QCOMPARE(StatusPoll::ageText(119), QStringLiteral("119 s ago"));
    QCOMPARE(StatusPoll::ageText(181), QStringLiteral("3 min ago"));
    QCOMPARE(StatusPoll::ageText(3 * 3600), QStringLiteral("3 h ago"));
    QCOMPARE(StatusPoll::ageText(3 * 86400), QStringLiteral("3 d ago"));
    QCOMPARE(StatusPoll::rateText(0), QStringLiteral("0 B/s"));
    QCOMPARE(StatusPoll::rateText(812.4), QStringLiteral("812 B/s"));
    QCOMPARE(StatusPoll::rateText(1229), QStringLiteral("1.2 KiB/s"));
    QCOMPARE(StatusPoll::rateText(3.4 * 1024 * 1024), QStringLiteral("3.4 MiB/s"));
}

void tst_LinkStatus::activeExitMarked()
{
    // The bundled example: the laptop (SSH) and the phone (none) send everything through
    // puffer, then cloudgw.
    ProjectFile::LoadError loadError;
    auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &loadError);
    QVERIFY2(project, qPrintable(loadError.toString()));
    const QString laptop = QStringLiteral("laptop");
    project->hosts[project->indexOf(laptop)].ssh = SshSettings{};
    KeyStore keys;
    const Planner planner(*project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const QList<PlannedInterface> planned = planner.planAll(project->indexOf(laptop), keys);
    QHash<QString, QString> keyOf; // the laptop's peers' keys, by name
    for (const PeerConfig &peer : planned.front().config.peers)
        keyOf.insert(peer.name, peer.publicKey);

    // A poll of the laptop as its watchdog left it: cloudgw holds the default route.
    const QByteArray output = "@now " + QByteArray::number(Now) + "\n@interface wg0\n@latest-handshakes\n"
        + keyOf.value(QStringLiteral("puffer")).toLatin1() + "\t" + QByteArray::number(Now - 200) + "\n"
        + keyOf.value(QStringLiteral("cloudgw")).toLatin1() + "\t" + QByteArray::number(Now - 5) + "\n@transfer\n@endpoints\n@exit "
        + keyOf.value(QStringLiteral("cloudgw")).toLatin1()
        + "\n@failover active=cloudgw\n@failover since=" + QByteArray::number(Now - 90)
        + "\n@failover switches=1\n@failover last=puffer -> cloudgw: puffer missed 3 probes\n@end\n";
    QString error;
    const auto sample = StatusPoll::parse(output, &error);
    QVERIFY2(sample, qPrintable(error));
    QCOMPARE(sample->interfaces.value(QStringLiteral("wg0")).failover.value(QStringLiteral("last")),
             QStringLiteral("puffer -> cloudgw: puffer missed 3 probes"));
    QVERIFY(!StatusPoll::parse("@now 5\n@interface wg0\n@failover nonsense\n@end\n"));

    LinkStatusBoard board(*project, keys);
    board.update(project->indexOf(laptop), *sample);
    // puffer, polled, saw the phone 20 s ago; cloudgw has not seen it for an hour.
    const auto gatewaySample = [&](const QString &gateway, qint64 phoneSeen) {
        const QList<PlannedInterface> own = planner.planAll(project->indexOf(gateway), keys);
        QHash<QString, qint64> handshakes;
        for (const PeerConfig &peer : own.front().config.peers) {
            if (peer.name == QLatin1String("phone"))
                handshakes.insert(peer.publicKey, Now - phoneSeen);
        }
        return HostSample{Now, {{QStringLiteral("wg0"), seen(handshakes)}}};
    };
    board.update(project->indexOf(QStringLiteral("puffer")), gatewaySample(QStringLiteral("puffer"), 20));
    board.update(project->indexOf(QStringLiteral("cloudgw")), gatewaySample(QStringLiteral("cloudgw"), 3600));
    const QList<LinkStatus> links = board.links();
    QStringList marked;
    for (const LinkStatus &link : links) {
        if (!link.exitOf.isEmpty())
            marked.append(link.a + QLatin1Char('-') + link.b + QLatin1Char(':') + link.exitOf);
    }
    std::sort(marked.begin(), marked.end());
    QCOMPARE(marked, QStringList({"cloudgw-laptop:laptop", "puffer-phone:phone"}));
    const LinkStatus laptopLink = find(links, laptop, QStringLiteral("cloudgw"));
    QCOMPARE(laptopLink.exitDetail, QStringLiteral("holds laptop's default route; failover watchdog: 1 switch, last 90 s ago (puffer -> "
                                                   "cloudgw: puffer missed 3 probes)"));
    QCOMPARE(find(links, QStringLiteral("phone"), QStringLiteral("puffer")).exitDetail,
             QStringLiteral("phone's exit by its latest handshake (20 s ago)"));

    const QList<HostStatus> hosts = StatusReport::hosts(board, {});
    const QString table = StatusReport::table(links, hosts);
    QVERIFY2(table.contains(QStringLiteral("\nlaptop: exit cloudgw (holds laptop's default route; ")), qPrintable(table));
    QVERIFY2(table.contains(QStringLiteral("\nphone: exit puffer (phone's exit by its latest handshake (20 s ago))\n")), qPrintable(table));
    const QJsonObject json = StatusReport::json(links, hosts, QDateTime::fromSecsSinceEpoch(Now));
    int exits = 0;
    for (const QJsonValue &link : json.value(QStringLiteral("links")).toArray())
        exits += link.toObject().value(QStringLiteral("exitOf")).toString() == laptop;
    QCOMPARE(exits, 1);
}

QTEST_GUILESS_MAIN(tst_LinkStatus)
#include "tst_linkstatus.moc"
