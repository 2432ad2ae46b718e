// Tests of the link-status board: peers matched by public key, both ends, rates, restarts.
#include "keystore.h"
#include "linkstatus.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"

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
    void perPeerInterfaces();
    void ownClockDecidesAge();
    void interfaceDownTakesLinkDown();
    void unreachableHostJudgedFromOtherEnd();
    void ratesFromConsecutivePolls();

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
    // The router was never asked and node2 cannot be: nothing is known of their link.
    QCOMPARE(find(links, QStringLiteral("router"), QStringLiteral("node2")).state, LinkState::Unknown);
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
    QCOMPARE(link.rxRateA, 0.0);

    node1.now = Now + 5;
    node1.interfaces[QStringLiteral("wg0")].transfer[node2Key] = {15'000, 2'000};
    board.update(index(QStringLiteral("node1")), node1);
    link = find(board.links(), QStringLiteral("node1"), QStringLiteral("node2"));
    QVERIFY(link.viewA->traffic);
    QCOMPARE(link.rxRateA, 1000.0);
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

QTEST_GUILESS_MAIN(tst_LinkStatus)
#include "tst_linkstatus.moc"
