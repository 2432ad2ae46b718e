// Tests of the planner: every generation rule, on a project shaped like a real home-lab mesh.
#include "configfiles.h"
#include "outputtarget.h"
#include "hostconfigs.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "validator.h"
#include "wgquick.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_Planner : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void peers_data();
    void peers();
    void exclusionsResolveEveryList();
    void externalHostIsListedNotPlanned();
    void addressAndMtuAsWritten();
    void endpoints_data();
    void endpoints();
    void keepalive_data();
    void keepalive();
    void allowedIps_data();
    void allowedIps();
    void interfaceSection_data();
    void interfaceSection();
    void roamingListenPortOnlyWhenSet();
    void exitsOrderTheDefaultRoute();
    void presharedKeysMatchOnBothSides();
    void gatewayProfiles();
    void openBsdHostnameFile();
    void linkSettingsOverrideRules();
    void defaultsAreSettable();
    void generatedFilesPassWgQuick();
    void threadCopiesPlanTheSame_data();
    void threadCopiesPlanTheSame();

private:
    PlannedInterface plan(const QString &host) const
    {
        return Planner(m_project).plan(m_project.indexOf(host), m_keys);
    }
    const PeerConfig *peer(const PlannedInterface &planned, const QString &name) const
    {
        for (const PeerConfig &p : planned.config.peers) {
            if (p.name == name)
                return &p;
        }
        return nullptr;
    }

    Project m_project;
    KeyStore m_keys;
};

void tst_Planner::initTestCase()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/data/rules-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
    const Planner planner(m_project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
}

void tst_Planner::peers_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QStringList>("peers");
    QTest::newRow("LAN host: the other LAN hosts and the gateways") << "alpha" << QStringList{"beta", "gamma", "edge1", "edge2"};
    QTest::newRow("gateway: everyone else, roaming clients too")
        << "edge1" << QStringList{"alpha", "beta", "gamma", "edge2", "roamer", "handset", "bsdlaptop"};
    QTest::newRow("roaming client: only the gateways") << "roamer" << QStringList{"edge1", "edge2"};
    QTest::newRow("gateway: false client: only the gateways") << "bsdlaptop" << QStringList{"edge1", "edge2"};
}

void tst_Planner::peers()
{
    QFETCH(QString, host);
    QFETCH(QStringList, peers);
    QStringList names;
    for (const PeerConfig &p : plan(host).config.peers)
        names.append(p.name);
    QCOMPARE(names, peers); // in file order
}

void tst_Planner::addressAndMtuAsWritten()
{
    // subnet_route gives a Linux host's Address the subnet's length; mtu: auto leaves out
    // the MTU the rule would write (a roaming client's 1420, a router's); a router's kept
    // lines go on every one of its interfaces. All of it saves and reads back.
    const QByteArray yaml = "network: {ipv4: '10.5.0.0/24'}\n"
                            "hosts:\n"
                            "  hub:\n    os: Linux\n    internet: {ip: '198.51.100.1'}\n    wg0: {ip: '10.5.0.1', subnet_route: true}\n"
                            "  phone:\n    os: Android\n    wg0: {ip: '10.5.0.2', mtu: auto}\n"
                            "  laptop:\n    os: Linux\n    wg0: {ip: '10.5.0.3'}\n"
                            "  edge:\n    os: Linux\n    internet: {ip: '198.51.100.9'}\n"
                            "    wg0: {ip: '10.5.0.9', mtu: auto, post_up: ['logger up %i']}\n"
                            "    router: {interface_per_peer: true, tunnel_range: '10.5.1.0/28'}\n"
                            "    exclude_peers: [phone, laptop]\n";
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("p.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    QVERIFY(project->host(QStringLiteral("hub"))->meshInterface().subnetRoute);
    QCOMPARE(project->host(QStringLiteral("phone"))->meshInterface().mtu, 0);
    const QByteArray saved = ProjectFile::serialize(*project);
    QVERIFY(saved.contains("subnet_route: true"));
    QVERIFY(saved.contains("mtu: auto"));
    QCOMPARE(*ProjectFile::parse(saved, QStringLiteral("again.yaml"), &error), *project);
    const Planner planner(*project);
    KeyStore keys;
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QCOMPARE(planner.plan(0, keys).config.addresses, QStringList{QStringLiteral("10.5.0.1/24")});
    QCOMPARE(planner.plan(1, keys).config.mtu, std::nullopt);
    QCOMPARE(planner.plan(2, keys).config.mtu, 1420);
    QCOMPARE(planner.plan(2, keys).config.addresses, QStringList{QStringLiteral("10.5.0.3")});
    const QList<PlannedInterface> edge = planner.planAll(3, keys);
    QCOMPARE(edge.size(), 1);
    QCOMPARE(edge.front().config.mtu, std::nullopt);
    QCOMPARE(edge.front().config.postUp.value(edge.front().config.postUp.size() - 1), QStringLiteral("logger up %i"));
}

void tst_Planner::exclusionsResolveEveryList()
{
    // 200 hosts: long lists (a bit per host), short ones (a sorted list), unknown names,
    // duplicates, a host naming itself, two hosts of one name (the first counts).
    Project project;
    for (int i = 0; i < 200; ++i) {
        Host host;
        host.name = QStringLiteral("h%1").arg(i);
        project.hosts.append(host);
    }
    project.hosts[198].name = QStringLiteral("h7");
    QStringList &dense = project.hosts[0].excludePeers;
    for (int i = 1; i < 200; i += 2)
        dense.append(QStringLiteral("h%1").arg(i));
    project.hosts[1].excludePeers = {QStringLiteral("h0"), QStringLiteral("nowhere"), QStringLiteral("h150"),
                                     QStringLiteral("h0"), QStringLiteral("h1"), QStringLiteral("gone"), QStringLiteral("nowhere")};
    project.hosts[2].excludePeers = {QStringLiteral("h7")};
    for (int i = 3; i < 200; i += 3)
        project.hosts[50].excludePeers.prepend(QStringLiteral("h%1").arg(i));

    const Exclusions exclusions(project);
    QCOMPARE(exclusions.size(), project.hosts.size());
    for (qsizetype host = 0; host < project.hosts.size(); ++host) {
        QList<qint32> expected;
        for (const QString &name : project.hosts[host].excludePeers) {
            const qsizetype peer = project.indexOf(name);
            if (peer >= 0 && !expected.contains(qint32(peer)))
                expected.append(qint32(peer));
        }
        std::sort(expected.begin(), expected.end());
        const auto excluded = exclusions.excluded(host);
        QCOMPARE(QList<qint32>(excluded.begin(), excluded.end()), expected);
        for (qsizetype peer = 0; peer < project.hosts.size(); ++peer) {
            if (exclusions.excludes(host, peer) != expected.contains(qint32(peer)))
                QFAIL(qPrintable(QStringLiteral("h%1 excludes h%2: %3").arg(host).arg(peer).arg(exclusions.excludes(host, peer))));
        }
    }
    QCOMPARE(exclusions.unknown(1), (QStringList{QStringLiteral("nowhere"), QStringLiteral("gone"), QStringLiteral("nowhere")}));
    QVERIFY(exclusions.unknown(0).isEmpty());
    QVERIFY(exclusions.excludes(2, 7));
    QVERIFY(!exclusions.excludes(2, 198));

    // A planner given these exclusions answers as one that resolved its own.
    const Planner shared(project, std::make_shared<const Exclusions>(project));
    const Planner own(project);
    for (qsizetype host = 0; host < project.hosts.size(); ++host)
        QCOMPARE(shared.peersOf(host), own.peersOf(host));
    QVERIFY(!own.hasPeer(0, 1) && own.hasPeer(0, 2) && !own.hasPeer(1, 1));
}

void tst_Planner::externalHostIsListedNotPlanned()
{
    // An external host (an import's peer that no imported config was): its peers list it by
    // its own public key; it gets no key of ours and no config.
    const QString theirs = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    const QByteArray yaml = "hosts:\n"
                            "  gw:\n    os: Linux\n    internet: {ip: '198.51.100.1'}\n    wg0: {ip: '10.5.0.1'}\n"
                            "  partner:\n    os: Linux\n    public_key: '" + theirs.toLatin1() + "'\n"
                            "    internet: {ip: '203.0.113.50'}\n    wg0: {ip: '10.5.0.9'}\n";
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("p.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    QVERIFY(project->host(QStringLiteral("partner"))->isExternal());
    QCOMPARE(*ProjectFile::parse(ProjectFile::serialize(*project), QStringLiteral("again.yaml"), &error), *project);
    const Planner planner(*project);
    QCOMPARE(planner.keyIds(), QStringList{QStringLiteral("gw")});
    KeyStore keys;
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const PlannedInterface gw = planner.plan(0, keys);
    QCOMPARE(gw.config.peers.size(), 1);
    QCOMPARE(gw.config.peers.front().publicKey, theirs);
    QCOMPARE(gw.config.peers.front().endpoint, QStringLiteral("203.0.113.50:56709"));
    QTemporaryDir dir;
    HostConfigs::Summary summary;
    QString why;
    QVERIFY2(HostConfigs::generate(*project, keys, dir.filePath(QStringLiteral("p.keys")), dir.path(), {}, &summary, &why), qPrintable(why));
    QCOMPARE(summary.hosts, 1);
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("gw/wg0.conf"))));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("partner"))));
    QVERIFY(!HostConfigs::generate(*project, keys, dir.filePath(QStringLiteral("p.keys")), dir.path(), {1}, &summary, &why));
    QCOMPARE(why, QStringLiteral("partner is external: its owner configures it; Meshwright knows only its public key"));
    // Nothing of ours reaches it.
    Project deployed = *project;
    deployed.hosts[1].ssh = SshSettings{};
    QStringList found;
    for (const Diagnostic &d : Validator::validate(deployed))
        found.append(d.toString());
    QVERIFY(found.contains(QStringLiteral("error: partner: an external host is configured by its owner: it cannot have ssh settings")));
    QVERIFY(!ProjectFile::parse(QByteArray(yaml).replace(theirs.toLatin1(), "not-a-key"), QStringLiteral("p.yaml"), &error));
    QCOMPARE(error.message, QStringLiteral("partner.public_key is not a WireGuard key (44 characters of base64)"));
}

void tst_Planner::endpoints_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("endpoint");
    QTest::newRow("LAN to LAN: the LAN address") << "alpha" << "beta" << "192.168.50.12:56709";
    QTest::newRow("LAN to gateway: the public address") << "alpha" << "edge1" << "198.51.100.1:56709";
    QTest::newRow("gateway's own listen port") << "alpha" << "edge2" << "203.0.113.2:51820";
    QTest::newRow("gateway to LAN: none, behind NAT") << "edge1" << "alpha" << "";
    QTest::newRow("gateway to gateway") << "edge1" << "edge2" << "203.0.113.2:51820";
    QTest::newRow("gateway to roaming: none") << "edge1" << "roamer" << "";
    QTest::newRow("roaming to gateway") << "handset" << "edge1" << "198.51.100.1:56709";
}

void tst_Planner::endpoints()
{
    QFETCH(QString, host);
    QFETCH(QString, peer);
    QFETCH(QString, endpoint);
    const PlannedInterface planned = plan(host);
    QVERIFY(this->peer(planned, peer));
    QCOMPARE(this->peer(planned, peer)->endpoint, endpoint);
}

void tst_Planner::keepalive_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<int>("keepalive");
    QTest::newRow("LAN to LAN: none") << "alpha" << "gamma" << 0;
    QTest::newRow("LAN to gateway: 25, keeps NAT open") << "beta" << "edge1" << 25;
    QTest::newRow("gateway to LAN: none") << "edge1" << "beta" << 0;
    QTest::newRow("gateway to gateway: none") << "edge2" << "edge1" << 0;
    QTest::newRow("roaming to gateway: 25") << "roamer" << "edge2" << 25;
    QTest::newRow("gateway to roaming: none") << "edge2" << "roamer" << 0;
}

void tst_Planner::keepalive()
{
    QFETCH(QString, host);
    QFETCH(QString, peer);
    QFETCH(int, keepalive);
    QCOMPARE(this->peer(plan(host), peer)->persistentKeepalive, keepalive);
}

void tst_Planner::allowedIps_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QStringList>("allowed");
    QTest::newRow("mesh peer: its own addresses") << "alpha" << "beta" << QStringList{"172.30.0.12/32", "fd30::12/128"};
    QTest::newRow("gateway sees a roaming client's address") << "edge1" << "handset" << QStringList{"172.30.0.201/32", "fd30::201/128"};
    QTest::newRow("roaming with gateway: everything") << "roamer" << "edge1" << QStringList{"0.0.0.0/0", "::/0"};
    QTest::newRow("roaming with gateway: the second exit, its own addresses") << "handset" << "edge2" << QStringList{"172.30.0.2/32", "fd30::2/128"};
    QTest::newRow("gateway: false, first gateway: the mesh subnets") << "bsdlaptop" << "edge1" << QStringList{"172.30.0.0/24", "fd30::/64"};
    QTest::newRow("gateway: false, other gateway: its own addresses") << "bsdlaptop" << "edge2" << QStringList{"172.30.0.2/32", "fd30::2/128"};
}

void tst_Planner::allowedIps()
{
    QFETCH(QString, host);
    QFETCH(QString, peer);
    QFETCH(QStringList, allowed);
    QCOMPARE(this->peer(plan(host), peer)->allowedIps, allowed);
}

void tst_Planner::interfaceSection_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QStringList>("addresses");
    QTest::addColumn<int>("listenPort");
    QTest::addColumn<QStringList>("dns");
    QTest::newRow("Linux: bare IPv4, IPv6/64") << "beta" << QStringList{"172.30.0.12", "fd30::12/64"} << 56709 << QStringList{};
    QTest::newRow("FreeBSD: IPv4/24") << "alpha" << QStringList{"172.30.0.11/24", "fd30::11/64"} << 56709 << QStringList{};
    QTest::newRow("OpenBSD: no Address in wg0.conf") << "edge1" << QStringList{} << 56709 << QStringList{};
    QTest::newRow("own listen port") << "edge2" << QStringList{"172.30.0.2", "fd30::2/64"} << 51820 << QStringList{};
    QTest::newRow("roaming with gateway: DNS, no fixed port") << "roamer" << QStringList{"172.30.0.200", "fd30::200/64"} << 0
                                                              << QStringList{"1.1.1.1", "8.8.8.8"};
    QTest::newRow("Android") << "handset" << QStringList{"172.30.0.201", "fd30::201/64"} << 0 << QStringList{"1.1.1.1", "8.8.8.8"};
    QTest::newRow("gateway: false: no DNS") << "bsdlaptop" << QStringList{"172.30.0.202/24", "fd30::202/64"} << 0 << QStringList{};
}

void tst_Planner::interfaceSection()
{
    QFETCH(QString, host);
    QFETCH(QStringList, addresses);
    QFETCH(int, listenPort);
    QFETCH(QStringList, dns);
    const PlannedInterface planned = plan(host);
    QCOMPARE(planned.config.addresses, addresses);
    QCOMPARE(planned.config.listenPort.value_or(0), listenPort);
    QCOMPARE(planned.config.dns, dns);
    QCOMPARE(planned.config.privateKey, m_keys.privateKey(host));
    QVERIFY(KeyBase64::isValid(planned.config.privateKey));
}

void tst_Planner::roamingListenPortOnlyWhenSet()
{
    // A roaming host listens on no fixed port, unless the project gives it one (an imported
    // estate's, say): then its main profile and its per-gateway profiles say that port, and
    // nobody dials it there all the same.
    Project project = m_project;
    const qsizetype roamer = project.indexOf(QStringLiteral("roamer"));
    QVERIFY(!Planner(project).plan(roamer, m_keys).config.listenPort);
    project.hosts[roamer].meshInterface().listenPort = 56709;
    const Planner planner(project);
    const PlannedInterface planned = planner.plan(roamer, m_keys);
    QCOMPARE(planned.config.listenPort, 56709);
    QVERIFY(!planned.profiles.isEmpty());
    for (const auto &profile : planned.profiles)
        QCOMPARE(profile.second.listenPort, 56709);
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        for (const PeerConfig &peer : planner.plan(i, m_keys).config.peers) {
            if (peer.name == QLatin1String("roamer"))
                QCOMPARE(peer.endpoint, QString());
        }
    }
}

void tst_Planner::exitsOrderTheDefaultRoute()
{
    // WireGuard gives a prefix to one peer only: the first exit holds the default route, the
    // others their own addresses; every exit forwards. The order is the file's, or exits'.
    Project project = m_project;
    const qsizetype roamer = project.indexOf(QStringLiteral("roamer"));
    const qsizetype edge1 = project.indexOf(QStringLiteral("edge1"));
    const qsizetype edge2 = project.indexOf(QStringLiteral("edge2"));
    const QStringList everything{QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")};
    auto check = [&](qsizetype first, qsizetype second) {
        const Planner planner(project);
        QCOMPARE(planner.exitsOf(roamer), QList<qsizetype>({first, second}));
        QCOMPARE(planner.allowedIps(roamer, first), everything);
        QCOMPARE(planner.allowedIps(roamer, second), planner.allowedIps(edge1 == second ? edge2 : edge1, second));
        QVERIFY(planner.isExitGateway(first));
        QVERIFY(planner.isExitGateway(second));
        for (const auto &profile : planner.plan(roamer, m_keys).profiles)
            QCOMPARE(profile.second.peers.front().allowedIps, everything); // each profile: its gateway as the exit
    };
    check(edge1, edge2);
    project.hosts[roamer].exits = {QStringLiteral("edge2"), QStringLiteral("edge1")};
    check(edge2, edge1);
    // An exit it cannot dial (a LAN host behind NAT) is left out; one named alone is the only one.
    project.hosts[roamer].exits = {QStringLiteral("alpha"), QStringLiteral("edge2")};
    const Planner alone(project);
    QCOMPARE(alone.exitsOf(roamer), QList<qsizetype>{edge2});
    QCOMPARE(alone.allowedIps(roamer, edge2), everything);
    QVERIFY(alone.allowedIps(roamer, edge1) != everything);
    // A host that is no full-tunnel client has none.
    QVERIFY(alone.exitsOf(edge1).isEmpty());
    QVERIFY(alone.exitsOf(project.indexOf(QStringLiteral("bsdlaptop"))).isEmpty());
}

void tst_Planner::presharedKeysMatchOnBothSides()
{
    const Planner planner(m_project);
    QSet<QString> seen;
    for (qsizetype h = 0; h < m_project.hosts.size(); ++h) {
        const PlannedInterface a = planner.plan(h, m_keys);
        for (const PeerConfig &p : a.config.peers) {
            const PlannedInterface other = planner.plan(m_project.indexOf(p.name), m_keys);
            const PeerConfig *back = peer(other, a.host);
            QVERIFY2(back, qPrintable(a.host + " -> " + p.name));
            QVERIFY(KeyBase64::isValid(p.presharedKey.toBase64()));
            QVERIFY(back->presharedKey == p.presharedKey);
            QCOMPARE(p.publicKey, m_keys.publicKey(p.name));
            seen.insert(p.presharedKey.toBase64());
        }
    }
    // 10 pairs among the 5 LAN hosts and gateways, 2 x 3 roaming links: one key each.
    QCOMPARE(seen.size(), 16);
    QCOMPARE(Planner(m_project).presharedKeyPairs().size(), 16);
}

void tst_Planner::gatewayProfiles()
{
    const PlannedInterface roamer = plan(QStringLiteral("roamer"));
    QCOMPARE(roamer.profiles.size(), 2);
    QCOMPARE(roamer.profiles[0].first, QStringLiteral("wg0-edge1"));
    QCOMPARE(roamer.profiles[1].first, QStringLiteral("wg0-edge2"));
    for (const auto &[name, profile] : roamer.profiles) {
        QCOMPARE(profile.peers.size(), 1);
        QCOMPARE(QStringLiteral("wg0-") + profile.peers[0].name, name);
        QCOMPARE(profile.peers[0].allowedIps, QStringList({QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")}));
        QCOMPARE(profile.addresses, roamer.config.addresses);
        QCOMPARE(profile.dns, roamer.config.dns);
    }
    // gateway: false: each profile's only gateway carries the mesh subnets.
    const PlannedInterface laptop = plan(QStringLiteral("bsdlaptop"));
    QCOMPARE(laptop.profiles.size(), 2);
    QCOMPARE(laptop.profiles[1].second.peers[0].allowedIps, QStringList({QStringLiteral("172.30.0.0/24"), QStringLiteral("fd30::/64")}));
    QVERIFY(plan(QStringLiteral("alpha")).profiles.isEmpty());
    QVERIFY(plan(QStringLiteral("edge1")).profiles.isEmpty());

    const QList<ConfigFiles::File> files = OutputTargets::interfaceFiles(roamer);
    QStringList paths;
    for (const ConfigFiles::File &file : files)
        paths.append(file.relativePath);
    QCOMPARE(paths, QStringList({QStringLiteral("roamer/wg0.conf"), QStringLiteral("roamer/wg0-edge1.conf"), QStringLiteral("roamer/wg0-edge2.conf")}));
}

void tst_Planner::openBsdHostnameFile()
{
    const PlannedInterface edge1 = plan(QStringLiteral("edge1"));
    const QList<ConfigFiles::File> files = OutputTargets::interfaceFiles(edge1);
    QCOMPARE(files.size(), 3); // and its pf rules: the roaming client's exit gateway
    QCOMPARE(files[1].relativePath, QStringLiteral("edge1/hostname.wg0"));
    QCOMPARE(files[2].relativePath, QStringLiteral("edge1/pf-meshwright.conf"));
    const QList<QByteArray> lines = files[1].content.split('\n');
    QStringList commands;
    for (const QByteArray &line : lines) {
        if (!line.isEmpty() && !line.startsWith('#'))
            commands.append(QString::fromLatin1(line));
    }
    QCOMPARE(commands[0], QStringLiteral("inet 172.30.0.1 255.255.255.0 NONE"));
    QCOMPARE(commands[1], QStringLiteral("inet6 fd30::1 64"));
    QCOMPARE(commands[2], QStringLiteral("wgkey ") + m_keys.privateKey(QStringLiteral("edge1")));
    QCOMPARE(commands[3], QStringLiteral("wgport 56709"));
    QCOMPARE(commands.size(), 4 + 7 + 1);
    QCOMPARE(commands.last(), QStringLiteral("up"));
    const QString alpha = QStringLiteral("wgpeer %1 wgpsk %2 wgaip 172.30.0.11/32 wgaip fd30::11/128")
                              .arg(m_keys.publicKey(QStringLiteral("alpha")), m_keys.presharedKey(QStringLiteral("alpha"), QStringLiteral("edge1")));
    QCOMPARE(commands[4], alpha);
    const QString edge2 = QStringLiteral("wgpeer %1 wgpsk %2 wgaip 172.30.0.2/32 wgaip fd30::2/128 wgendpoint 203.0.113.2 51820")
                              .arg(m_keys.publicKey(QStringLiteral("edge2")), m_keys.presharedKey(QStringLiteral("edge1"), QStringLiteral("edge2")));
    QCOMPARE(commands[7], edge2);
    QVERIFY(OutputTargets::interfaceFiles(plan(QStringLiteral("alpha"))).size() == 1);
}

void tst_Planner::linkSettingsOverrideRules()
{
    Project project = m_project;
    LinkSettings link;
    link.a = QStringLiteral("edge1");
    link.b = QStringLiteral("alpha");
    link.keepalive = 10;
    link.presharedKey = false;
    link.end(QStringLiteral("alpha")).endpoint = QStringLiteral("[2001:db8:50::11]:56709");
    link.end(QStringLiteral("alpha")).allowedIps = {QStringLiteral("192.168.50.0/24")};
    project.links.append(link);
    KeyStore keys = m_keys;
    const Planner planner(project);
    QCOMPARE(planner.presharedKeyPairs().size(), 15);
    const PlannedInterface edge1 = planner.plan(project.indexOf(QStringLiteral("edge1")), keys);
    const PeerConfig *alpha = peer(edge1, QStringLiteral("alpha"));
    QCOMPARE(alpha->endpoint, QStringLiteral("[2001:db8:50::11]:56709"));
    QCOMPARE(alpha->persistentKeepalive, 10);
    QVERIFY(alpha->presharedKey.isEmpty());
    QCOMPARE(alpha->allowedIps, QStringList({QStringLiteral("172.30.0.11/32"), QStringLiteral("fd30::11/128"), QStringLiteral("192.168.50.0/24")}));
    const PlannedInterface alphaPlan = planner.plan(project.indexOf(QStringLiteral("alpha")), keys);
    const PeerConfig *back = peer(alphaPlan, QStringLiteral("edge1"));
    QVERIFY(back->presharedKey.isEmpty());
    QCOMPARE(back->persistentKeepalive, 10);
    QCOMPARE(back->allowedIps, QStringList({QStringLiteral("172.30.0.1/32"), QStringLiteral("fd30::1/128")}));
}

void tst_Planner::defaultsAreSettable()
{
    Project project = m_project;
    project.defaults.listenPort = 51000;
    project.defaults.keepalive = 15;
    project.defaults.dns = {QStringLiteral("9.9.9.9")};
    project.network.ipv4 = IpPrefix::parse(QStringLiteral("172.30.0.0/16"));
    const Planner planner(project);
    const PlannedInterface alpha = planner.plan(project.indexOf(QStringLiteral("alpha")), m_keys);
    QCOMPARE(alpha.config.listenPort, 51000);
    QCOMPARE(alpha.config.addresses.front(), QStringLiteral("172.30.0.11/16"));
    QCOMPARE(peer(alpha, QStringLiteral("beta"))->endpoint, QStringLiteral("192.168.50.12:51000"));
    QCOMPARE(peer(alpha, QStringLiteral("edge1"))->persistentKeepalive, 15);
    QCOMPARE(peer(alpha, QStringLiteral("edge2"))->endpoint, QStringLiteral("203.0.113.2:51820"));
    const PlannedInterface roamer = planner.plan(project.indexOf(QStringLiteral("roamer")), m_keys);
    QCOMPARE(roamer.config.dns, QStringList{QStringLiteral("9.9.9.9")});
    const PlannedInterface laptop = planner.plan(project.indexOf(QStringLiteral("bsdlaptop")), m_keys);
    QCOMPARE(peer(laptop, QStringLiteral("edge1"))->allowedIps.front(), QStringLiteral("172.30.0.0/16"));
}

void tst_Planner::generatedFilesPassWgQuick()
{
    const Planner planner(m_project);
    QTemporaryDir dir;
    QList<ConfigFiles::File> all;
    for (qsizetype h = 0; h < m_project.hosts.size(); ++h)
        all += OutputTargets::interfaceFiles(planner.plan(h, m_keys));
    QString error;
    QVERIFY2(ConfigFiles::write(dir.path(), all, &error), qPrintable(error));
    const QString why = TestSupport::wgQuickUnavailable();
    for (const ConfigFiles::File &file : std::as_const(all)) {
        if (!file.relativePath.endsWith(QLatin1String(".conf")) || file.relativePath.endsWith(QLatin1String("/pf-meshwright.conf")))
            continue;
        const auto parsed = WgQuick::parse(file.content, &error);
        QVERIFY2(parsed, qPrintable(file.relativePath + ": " + error));
        QCOMPARE(WgQuick::write(*parsed, QString()), WgQuick::write(*parsed, QString()));
        if (why.isEmpty()) {
            const QString stripError = TestSupport::wgQuickStrip(dir.filePath(file.relativePath));
            QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
        }
    }
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
}

void tst_Planner::threadCopiesPlanTheSame_data()
{
    // Link settings, external hosts, roaming profiles, a router with one interface per peer.
    QTest::addColumn<QString>("path");
    for (const char *path : {"tests/data/rules-mesh.yaml", "tests/data/import-mesh.yaml", "resources/examples/homelab-mesh.yaml",
                             "resources/examples/homelab-k8s-router.yaml", "resources/examples/two-homes.yaml"})
        QTest::newRow(path) << TestSupport::sourcePath(QLatin1String(path));
}

void tst_Planner::threadCopiesPlanTheSame()
{
    // What a generate thread plans with its own copies of the peers' texts is what the
    // planner gives without them, for every host and every pair.
    QFETCH(QString, path);
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(path, &error);
    QVERIFY2(project, qPrintable(error.toString()));
    const Planner planner(*project);
    KeyStore keys;
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const std::vector<int> numbers = planner.keyNumbers(keys);
    const Planner::Copies copies(planner, &keys, &numbers);
    const Planner::Copies withoutKeys(planner);
    qsizetype peers = 0;
    for (qsizetype host = 0; host < project->hosts.size(); ++host) {
        for (qsizetype peer = 0; peer < project->hosts.size(); ++peer) {
            const QString pair = project->hosts[host].name + QLatin1String(" -> ") + project->hosts[peer].name;
            QVERIFY2(planner.allowedIps(host, peer, &copies) == planner.allowedIps(host, peer), qPrintable(pair));
            QVERIFY2(planner.allowedPrefixes(host, peer, &withoutKeys) == planner.allowedPrefixes(host, peer), qPrintable(pair));
            QVERIFY2(planner.endpoint(host, peer, &copies) == planner.endpoint(host, peer), qPrintable(pair));
        }
        if (project->hosts[host].isExternal())
            continue;
        const QList<PlannedInterface> shared = planner.planAll(host, keys);
        const QList<PlannedInterface> own = planner.planAll(host, keys, &numbers, &copies);
        QCOMPARE(own.size(), shared.size());
        for (qsizetype i = 0; i < own.size(); ++i) {
            QVERIFY2(own[i].config == shared[i].config, qPrintable(project->hosts[host].name));
            QVERIFY2(own[i].profiles == shared[i].profiles, qPrintable(project->hosts[host].name));
            peers += own[i].config.peers.size();
        }
    }
    QVERIFY(peers > 0);
}

QTEST_APPLESS_MAIN(tst_Planner)
#include "tst_planner.moc"
