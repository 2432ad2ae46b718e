// Tests of the router pattern: one interface per peer, explicit routes, MTU/MSS, loop guard.
#include "hostconfigs.h"
#include "configfiles.h"
#include "outputtarget.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "validator.h"
#include "wgquick.h"

#include <QTemporaryDir>
#include <QTest>

class tst_RouterPattern : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void mtuAndMss_data();
    void mtuAndMss();
    void oneInterfacePerPeer();
    void explicitRoutesLeaveBgpOut();
    void nodesReachTheirOwnInterface();
    void keysPerInterface();
    void roundTrip();
    void loopGuard();
    void routerChecks_data();
    void routerChecks();
    void generatedConfigsPassWgQuick();
    void openBsdRouterGetsPfRules();

private:
    const PeerConfig *peer(const PlannedInterface &planned, const QString &name) const
    {
        for (const PeerConfig &p : planned.config.peers) {
            if (p.name == name)
                return &p;
        }
        return nullptr;
    }
    QList<PlannedInterface> plan(const QString &host)
    {
        return Planner(m_project).planAll(m_project.indexOf(host), m_keys);
    }

    Project m_project;
    KeyStore m_keys;
};

void tst_RouterPattern::initTestCase()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-k8s-router.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
    QCOMPARE(Validator::validate(m_project), QList<Diagnostic>());
    const Planner planner(m_project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
}

void tst_RouterPattern::mtuAndMss_data()
{
    QTest::addColumn<int>("uplink");
    QTest::addColumn<bool>("outerV6");
    QTest::addColumn<int>("mtu");
    QTest::addColumn<int>("mss4");
    QTest::addColumn<int>("mss6");
    QTest::newRow("Ethernet, IPv4 outer") << 1500 << false << 1440 << 1400 << 1380;
    QTest::newRow("Ethernet, IPv6 outer") << 1500 << true << 1420 << 1380 << 1360;
    QTest::newRow("PPPoE, IPv4 outer") << 1492 << false << 1432 << 1392 << 1372;
    QTest::newRow("PPPoE, IPv6 outer") << 1492 << true << 1412 << 1372 << 1352;
}

void tst_RouterPattern::mtuAndMss()
{
    QFETCH(int, uplink);
    QFETCH(bool, outerV6);
    QFETCH(int, mtu);
    QTEST(TunnelMtu::mtu(uplink, outerV6), "mtu");
    QTEST(TunnelMtu::mss(mtu, false), "mss4");
    QTEST(TunnelMtu::mss(mtu, true), "mss6");

    // What a router with these settings writes.
    Project project = m_project;
    RouterSettings &router = *project.hosts[project.indexOf(QStringLiteral("router"))].router;
    router.uplinkMtu = uplink;
    router.outerIpv6 = outerV6;
    KeyStore keys = m_keys;
    const QList<PlannedInterface> interfaces = Planner(project).planAll(project.indexOf(QStringLiteral("router")), keys);
    QCOMPARE(interfaces.front().config.mtu, mtu);
    const QString postUp = interfaces.front().config.postUp.join(QLatin1Char('\n'));
    QVERIFY(postUp.contains(QStringLiteral("iptables -t mangle -A FORWARD -o %i -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss %1")
                                .arg(TunnelMtu::mss(mtu, false))));
    QVERIFY(postUp.contains(QStringLiteral("ip6tables -t mangle -A FORWARD -i %i -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss %1")
                                .arg(TunnelMtu::mss(mtu, true))));
}

void tst_RouterPattern::oneInterfacePerPeer()
{
    const QList<PlannedInterface> router = plan(QStringLiteral("router"));
    QCOMPARE(router.size(), 3);
    const QStringList peers{QStringLiteral("node1"), QStringLiteral("node2"), QStringLiteral("phone")};
    for (int slot = 0; slot < 3; ++slot) {
        const PlannedInterface &iface = router[slot];
        QCOMPARE(iface.interfaceName, QStringLiteral("wg%1").arg(slot));
        QCOMPARE(iface.config.listenPort, 51820 + slot);
        QCOMPARE(iface.config.addresses, QStringList{QStringLiteral("10.99.0.%1/32").arg(slot + 1)});
        QCOMPARE(iface.config.peers.size(), 1);
        QCOMPARE(iface.config.peers.front().name, peers[slot]);
        QCOMPARE(iface.config.table, QStringLiteral("off"));
        QCOMPARE(iface.config.mtu, 1432);
        QVERIFY(iface.config.postUp.contains(QStringLiteral("sysctl -q -w net.ipv4.ip_forward=1")));
    }
    // Both node interfaces carry the service range: overlapping AllowedIPs across interfaces.
    QVERIFY(router[0].config.peers.front().allowedIps.contains(QStringLiteral("10.96.0.0/24")));
    QVERIFY(router[1].config.peers.front().allowedIps.contains(QStringLiteral("10.96.0.0/24")));
    QCOMPARE(router[0].config.peers.front().endpoint, QStringLiteral("203.0.113.41:56709"));
    const QList<ConfigFiles::File> files = OutputTargets::interfaceFiles(router[1]);
    QCOMPARE(files.front().relativePath, QStringLiteral("router/wg1.conf"));
}

void tst_RouterPattern::explicitRoutesLeaveBgpOut()
{
    const QList<PlannedInterface> router = plan(QStringLiteral("router"));
    QCOMPARE(router[0].config.postUp.filter(QStringLiteral("route")),
             QStringList({QStringLiteral("ip -4 route replace 10.99.0.11/32 dev %i"), QStringLiteral("ip -4 route replace 10.42.1.0/24 dev %i")}));
    QCOMPARE(router[1].config.postUp.filter(QStringLiteral("route")),
             QStringList({QStringLiteral("ip -4 route replace 10.99.0.12/32 dev %i"), QStringLiteral("ip -4 route replace 10.42.2.0/24 dev %i")}));
    // The phone's interface: its address only (it routes the mesh subnet, not its own).
    QCOMPARE(router[2].config.postUp.filter(QStringLiteral("route")), QStringList{QStringLiteral("ip -4 route replace 10.99.0.13/32 dev %i")});
    for (const PlannedInterface &iface : router) {
        for (const QString &line : iface.config.postUp)
            QVERIFY2(!line.contains(QLatin1String("10.96.0.0")), qPrintable(line)); // left to BGP
    }
}

void tst_RouterPattern::nodesReachTheirOwnInterface()
{
    const PlannedInterface node1 = plan(QStringLiteral("node1")).front();
    const PeerConfig *router1 = peer(node1, QStringLiteral("router"));
    QVERIFY(router1);
    QCOMPARE(router1->allowedIps, QStringList({QStringLiteral("10.99.0.1/32"), QStringLiteral("192.168.1.0/24")}));
    QCOMPARE(router1->endpoint, QStringLiteral("198.51.100.7:51820"));
    const PlannedInterface node2 = plan(QStringLiteral("node2")).front();
    const PeerConfig *router2 = peer(node2, QStringLiteral("router"));
    QVERIFY(router2);
    QCOMPARE(router2->allowedIps, QStringList({QStringLiteral("10.99.0.2/32"), QStringLiteral("192.168.1.0/24")}));
    QCOMPARE(router2->endpoint, QStringLiteral("198.51.100.7:51821"));
    const PlannedInterface phone = plan(QStringLiteral("phone")).front();
    QCOMPARE(phone.config.mtu, 1420); // an explicit MTU: the Android app would pick 1280
    const PeerConfig *router3 = peer(phone, QStringLiteral("router"));
    QVERIFY(router3);
    QCOMPARE(router3->endpoint, QStringLiteral("198.51.100.7:51822"));
    QCOMPARE(router3->persistentKeepalive, 25);
    QVERIFY(phone.config.postUp.isEmpty());
}

void tst_RouterPattern::keysPerInterface()
{
    const Planner planner(m_project);
    QStringList ids = planner.keyIds();
    ids.sort();
    QCOMPARE(ids, QStringList({"node1", "node2", "phone", "router/wg0", "router/wg1", "router/wg2"}));
    const QList<PlannedInterface> router = plan(QStringLiteral("router"));
    QCOMPARE(router[0].config.privateKey, m_keys.privateKey(QStringLiteral("router/wg0")));
    QVERIFY(router[0].config.privateKey != router[1].config.privateKey);
    const PlannedInterface node1 = plan(QStringLiteral("node1")).front();
    const PeerConfig *seenByNode1 = peer(node1, QStringLiteral("router"));
    QVERIFY(seenByNode1);
    QCOMPARE(seenByNode1->publicKey, m_keys.publicKey(QStringLiteral("router/wg0")));
    QCOMPARE(seenByNode1->presharedKey, router[0].config.peers.front().presharedKey);
    QVERIFY(KeyBase64::isValid(seenByNode1->presharedKey.toBase64()));
    QCOMPARE(router[1].config.peers.front().publicKey, m_keys.publicKey(QStringLiteral("node2")));
}

void tst_RouterPattern::roundTrip()
{
    const QByteArray saved = ProjectFile::serialize(m_project);
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    const auto reloaded = ProjectFile::parse(saved, QStringLiteral("saved.yaml"), &error, &warnings);
    QVERIFY2(reloaded, qPrintable(error.toString() + QLatin1Char('\n') + QString::fromUtf8(saved)));
    QVERIFY(warnings.isEmpty());
    QCOMPARE(*reloaded, m_project);
    QVERIFY(saved.contains("    router:\n      interface_per_peer: true\n      tunnel_range: '10.99.0.0/28'\n      routes: explicit\n"));
    Project defaults = m_project;
    defaults.hosts[1].router = RouterSettings{};
    defaults.links[0].encryptPublicAddress = true;
    const auto again = ProjectFile::parse(ProjectFile::serialize(defaults), QStringLiteral("d.yaml"), &error);
    QVERIFY2(again, qPrintable(error.toString()));
    QCOMPARE(*again, defaults);
}

void tst_RouterPattern::loopGuard()
{
    // Encrypting node1's public address through the tunnel while reaching it at that very
    // address loops; the fix the router article describes is a second, unencrypted address.
    Project project = m_project;
    project.links[0].encryptPublicAddress = true;
    QStringList found;
    for (const Diagnostic &d : Validator::validate(project))
        found.append(d.toString());
    QCOMPARE(found, QStringList{QStringLiteral("error: router -> node1: the endpoint 203.0.113.41 lies inside AllowedIPs 203.0.113.41/32 "
                                               "of the same peer: a routing loop. Reach the peer through an address outside the tunnel "
                                               "(e.g. its IPv6 address)")});
    project.links[0].end(QStringLiteral("node1")).endpoint = QStringLiteral("[2001:db8:41::abcd]:56709");
    QCOMPARE(Validator::validate(project), QList<Diagnostic>());
    KeyStore keys = m_keys;
    const QList<PlannedInterface> router = Planner(project).planAll(project.indexOf(QStringLiteral("router")), keys);
    QCOMPARE(router[0].config.peers.front().endpoint, QStringLiteral("[2001:db8:41::abcd]:56709"));
    QVERIFY(router[0].config.postUp.contains(QStringLiteral("ip -4 route replace 203.0.113.41/32 dev %i")));
}

void tst_RouterPattern::routerChecks_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("range too small") << "range" << "error: router: tunnel_range 10.99.0.0/31 has room for 0 interfaces, but router has 3 peers";
    QTest::newRow("wg0 not the first address") << "wg0" << "error: router: with one interface per peer, wg0's address must be the first of tunnel_range 10.99.0.0/28 (10.99.0.1)";
    QTest::newRow("interface address taken") << "clash" << "error: router -> node2: interface wg1's address 10.99.0.2 is also the mesh address of node1; move tunnel_range or that host";
    QTest::newRow("tiny uplink") << "mtu" << "error: router: an uplink MTU of 1300 leaves a tunnel MTU below 1280, too small for IPv6";
}

void tst_RouterPattern::routerChecks()
{
    QFETCH(QString, change);
    QFETCH(QString, expected);
    Project project = m_project;
    Host &router = project.hosts[project.indexOf(QStringLiteral("router"))];
    if (change == QLatin1String("range"))
        router.router->tunnelRange = IpPrefix::parse(QStringLiteral("10.99.0.0/31"));
    else if (change == QLatin1String("wg0"))
        router.meshInterface().ip = QStringLiteral("10.99.0.5");
    else if (change == QLatin1String("clash"))
        project.hosts[project.indexOf(QStringLiteral("node1"))].meshInterface().ip = QStringLiteral("10.99.0.2");
    else
        router.router->uplinkMtu = 1300;
    QStringList found;
    for (const Diagnostic &d : Validator::validate(project))
        found.append(d.toString());
    QVERIFY2(found.contains(expected), qPrintable(found.join(QLatin1Char('\n'))));
}

void tst_RouterPattern::generatedConfigsPassWgQuick()
{
    QTemporaryDir dir;
    KeyStore keys;
    HostConfigs::Summary summary;
    QString error;
    QVERIFY2(HostConfigs::generate(m_project, keys, dir.filePath(QStringLiteral("mesh.keys")), dir.filePath(QStringLiteral("out")), {}, &summary, &error),
             qPrintable(error));
    QCOMPARE(summary.files, 6); // router wg0..wg2, node1, node2, phone
    const QString why = TestSupport::wgQuickUnavailable();
    for (const char *file : {"router/wg0.conf", "router/wg1.conf", "router/wg2.conf", "node1/wg0.conf", "phone/wg0.conf"}) {
        const QString path = dir.filePath(QStringLiteral("out/") + QLatin1String(file));
        const auto parsed = WgQuick::parse(TestSupport::readFile(path), &error);
        QVERIFY2(parsed, qPrintable(QLatin1String(file) + QLatin1String(": ") + error));
        if (why.isEmpty()) {
            const QString stripError = TestSupport::wgQuickStrip(path);
            QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
        }
    }
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
}

void tst_RouterPattern::openBsdRouterGetsPfRules()
{
    // A gateway as in the f3s mesh: OpenBSD, NAT for the roaming clients' traffic.
    ProjectFile::LoadError error;
    auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY(project);
    Host &puffer = project->hosts[project->indexOf(QStringLiteral("puffer"))];
    puffer.router = RouterSettings{};
    puffer.router->forwarding = true;
    puffer.router->nat = true;
    KeyStore keys;
    const QList<PlannedInterface> planned = HostConfigs::planHost(*project, keys, project->indexOf(QStringLiteral("puffer")));
    QCOMPARE(planned.size(), 1);
    QVERIFY(planned.front().config.postUp.isEmpty()); // OpenBSD has no wg-quick PostUp
    const QList<ConfigFiles::File> files = OutputTargets::interfaceFiles(planned.front());
    QCOMPARE(files.last().relativePath, QStringLiteral("puffer/pf-meshwright.conf"));
    const QByteArray pf = files.last().content;
    QVERIFY(pf.contains("\npass in on egress proto udp to port { 56709 }\npass on wg0\n"));
    QVERIFY(pf.contains("\nmatch out on egress inet from 10.77.0.0/24 to any nat-to (egress)\n"));
    QVERIFY(pf.contains("\nmatch out on egress inet6 from fd77:77::/64 to any nat-to (egress)\n"));
    // The phone's QR payload never holds forwarding or NAT rules.
    const QList<PlannedInterface> phone = HostConfigs::planHost(*project, keys, project->indexOf(QStringLiteral("phone")));
    QVERIFY(phone.front().config.postUp.isEmpty());
}

QTEST_APPLESS_MAIN(tst_RouterPattern)
#include "tst_routerpattern.moc"
