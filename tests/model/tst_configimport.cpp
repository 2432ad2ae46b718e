// Tests of ConfigImport: generated configs read back into a project with the same meaning,
// the layouts it finds, and the losses it refuses with their file and line.
#include "configimport.h"
#include "importsupport.h"
#include "keystore.h"
#include "planner.h"
#include "openbsdhostname.h"
#include "projectfile.h"
#include "seedtool.h"
#include "syntheticmesh.h"
#include "testsupport.h"
#include "validator.h"
#include "wgquick.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class tst_ConfigImport : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void openBsdHostname();
    void routerWrittenByHand();
    void hubOfAWebUi();
    void loneLanHost();
    void inconsistenciesAreFindings();
    void sshTargets_data();
    void sshTargets();
    void zipExport();
    void badArchivesAndFiles();
    void generatedConfigsComeBackTheSame_data();
    void generatedConfigsComeBackTheSame();
    void layouts();
    void freeBsdFromItsFolder();
    void lossesNameFileAndLine();
    void unreadableConfigsFail();
    void seedToolTrees_data();
    void seedToolTrees();
    void addressLessHostsNeedAgreeingPeers();
};

namespace {

/// A synthetic mesh of the generation benchmark with \a seed's changes of every kind the
/// import must infer: keepalives, links without a PSK, extra routes, endpoints by name,
/// a port of its own, peers left out on one side.
Project randomMesh(int hosts, quint32 seed)
{
    ProjectFile::LoadError error;
    auto project = ProjectFile::parse(SyntheticMesh::makeProject(hosts).yaml, QStringLiteral("synthetic.yaml"), &error);
    if (!project || seed == 0)
        return project.value_or(Project{});
    QRandomGenerator random(seed);
    const Planner planner(*project);
    QList<std::pair<qsizetype, qsizetype>> linked;
    for (qsizetype a = 0; a < project->hosts.size(); ++a) {
        for (qsizetype b = a + 1; b < project->hosts.size(); ++b) {
            if (planner.hasPeer(a, b) && planner.hasPeer(b, a))
                linked.append({a, b});
        }
    }
    int subnet = 0;
    for (const auto &[a, b] : std::as_const(linked)) {
        LinkSettings link;
        link.a = project->hosts[a].name;
        link.b = project->hosts[b].name;
        switch (random.bounded(8)) {
        case 0:
            link.keepalive = 5 + int(random.bounded(50));
            break;
        case 1:
            link.presharedKey = false;
            break;
        case 2:
            link.atB.allowedIps = {QStringLiteral("172.16.%1.0/24").arg(subnet++)};
            break;
        case 3:
            if (planner.hasEndpoint(a, b))
                link.atB.endpoint = QStringLiteral("%1.vpn.example.net:51999").arg(link.b);
            break;
        case 4: // a is left out by b alone: a still lists b
            if (project->hosts[b].role() == Host::Role::Lan && project->hosts[a].role() == Host::Role::Lan)
                project->hosts[b].excludePeers.append(link.a);
            break;
        default:
            break;
        }
        LinkSettings plain;
        plain.a = link.a;
        plain.b = link.b;
        if (!(link == plain))
            project->links.append(link);
    }
    for (Host &host : project->hosts) {
        if (host.role() == Host::Role::Lan && random.bounded(6) == 0)
            host.meshInterface().listenPort = 52000 + int(random.bounded(100));
    }
    return *project;
}

std::optional<Project> loadProject(const QString &relative)
{
    ProjectFile::LoadError error;
    auto project = ProjectFile::load(TestSupport::sourcePath(relative), &error);
    if (!project)
        qWarning("%s", qPrintable(error.toString()));
    return project;
}

/// Every host's interfaces as \a planner makes them, by "HOST/IFACE", in a form that
/// compares by meaning (peers by public key, AllowedIPs as sets).
QMap<QString, InterfaceConfig> meaning(const Project &project, const KeyStore &keys)
{
    const Planner planner(project);
    QMap<QString, InterfaceConfig> out;
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        if (project.hosts[i].isExternal())
            continue;
        for (const PlannedInterface &planned : planner.planAll(i, keys))
            out.insert(planned.host + QLatin1Char('/') + planned.interfaceName, WgQuick::canonical(planned.config));
    }
    return out;
}

/// Every key of \a project by what it belongs to: a host's interface, or the pair of
/// public keys that shares a PSK.
QMap<QString, QString> keysByPairing(const Project &project, const KeyStore &keys)
{
    const Planner planner(project);
    QMap<QString, QString> out;
    for (const QString &id : planner.keyIds())
        out.insert(QStringLiteral("private ") + id, keys.privateKey(id));
    for (const auto &[a, b] : planner.presharedKeyPairs()) {
        QStringList pair{*WireGuardKeys::publicKey(keys.privateKey(a)), *WireGuardKeys::publicKey(keys.privateKey(b))};
        pair.sort();
        out.insert(QStringLiteral("psk ") + pair.join(QLatin1Char(' ')), keys.presharedKey(a, b));
    }
    return out;
}

QStringList lossTexts(const QList<ConfigImport::Loss> &losses)
{
    QStringList out;
    for (const ConfigImport::Loss &loss : losses)
        out.append(loss.toString());
    return out;
}

} // namespace

void tst_ConfigImport::roundTrip_data()
{
    QTest::addColumn<Project>("original");
    QTest::newRow("homelab example") << loadProject(QStringLiteral("resources/examples/homelab-mesh.yaml")).value_or(Project{});
    QTest::newRow("router example") << loadProject(QStringLiteral("resources/examples/homelab-k8s-router.yaml")).value_or(Project{});
    QTest::newRow("overrides of every kind") << loadProject(QStringLiteral("tests/data/import-mesh.yaml")).value_or(Project{});
    QTest::newRow("synthetic 6") << randomMesh(6, 0);
    QTest::newRow("synthetic 60") << randomMesh(60, 0);
    for (const quint32 seed : {1u, 2u, 3u, 4u, 5u, 6u})
        QTest::addRow("random 24, seed %u", seed) << randomMesh(24, seed);
}

void tst_ConfigImport::roundTrip()
{
    // Generate every host's files as the hosts keep them, import them, generate again:
    // every interface means the same, and every key is the same key of the same thing.
    QFETCH(Project, original);
    QVERIFY(!original.hosts.isEmpty());
    KeyStore keys;
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeHostFiles(original, keys, dir.path()));
    QString error;
    const auto sources = ConfigImport::collect({dir.path()}, {}, nullptr, &error);
    QVERIFY2(sources, qPrintable(error));
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(lossTexts(imported->losses).join(QLatin1Char('\n')), QString());
    QCOMPARE(imported->project.hosts.size(), original.hosts.size());
    const QMap<QString, InterfaceConfig> was = meaning(original, keys);
    const QMap<QString, InterfaceConfig> now = meaning(imported->project, imported->keys);
    QCOMPARE(now.keys(), was.keys());
    for (auto it = was.cbegin(); it != was.cend(); ++it)
        QVERIFY2(now.value(it.key()) == it.value(), qPrintable(it.key()));
    QCOMPARE(keysByPairing(imported->project, imported->keys), keysByPairing(original, keys));
    // Where the files are and what they are say FreeBSD and OpenBSD; the rest reads as Linux.
    for (const Host &host : original.hosts)
        QCOMPARE(imported->project.host(host.name)->os, host.isFreeBsd() || host.isOpenBsd() ? host.os : QStringLiteral("Linux"));
}

void tst_ConfigImport::openBsdHostname()
{
    // A hostname.wg0 written by hand: several options to a line, a netmask or a length,
    // a peer named by wgdescr; a !command has no field, and is named with its line.
    const QString key = WireGuardKeys::generatePrivateKey();
    const QString peer = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    const QByteArray text = "# the gateway\n"
                            "wgkey " + key.toLatin1() + " wgport 51820\n"
                            "inet 10.8.0.1/24\n"
                            "inet6 fd08::1 64\n"
                            "mtu 1400\n"
                            "wgpeer " + peer.toLatin1() + " wgaip 10.8.0.2/32 wgendpoint 2001:db8::2 51821 wgpka 25 wgdescr \"laptop\"\n"
                            "!route add 192.168.9.0/24 10.8.0.2\n"
                            "up\n";
    QString error;
    const auto parsed = OpenBsdHostname::parse(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->config.privateKey, key);
    QCOMPARE(parsed->config.listenPort, 51820);
    QCOMPARE(parsed->config.addresses, QStringList({QStringLiteral("10.8.0.1/24"), QStringLiteral("fd08::1/64")}));
    QCOMPARE(parsed->config.mtu, 1400);
    QCOMPARE(parsed->config.peers.size(), 1);
    QCOMPARE(parsed->config.peers[0].name, QStringLiteral("laptop"));
    QCOMPARE(parsed->config.peers[0].endpoint, QStringLiteral("[2001:db8::2]:51821"));
    QCOMPARE(parsed->config.peers[0].persistentKeepalive, 25);
    QCOMPARE(parsed->peerLines, QList<int>{6});
    QCOMPARE(parsed->unsupported.size(), 1);
    QCOMPARE(parsed->unsupported.front().first, 7);
    // What write() makes reads back as what it was made from.
    PlannedInterface planned;
    planned.ipv4Address = QStringLiteral("10.8.0.1/24");
    planned.config = parsed->config;
    planned.config.addresses.clear();
    const auto again = OpenBsdHostname::parse(OpenBsdHostname::write(planned));
    QVERIFY(again);
    QCOMPARE(again->config.addresses, QStringList{QStringLiteral("10.8.0.1/24")});
    QCOMPARE(again->config.peers, parsed->config.peers);
    // Bad values are refused with their line.
    QVERIFY(!OpenBsdHostname::parse("wgkey " + key.toLatin1() + "\nwgport 99999\n", &error));
    QCOMPARE(error, QStringLiteral("line 2: wgport takes a port from 1 to 65535"));
    QVERIFY(!OpenBsdHostname::parse("wgkey " + key.toLatin1() + "\ninet 10.8.0.1 255.0.255.0\n", &error));
    QVERIFY(error.startsWith(QLatin1String("line 2: ")));
    QVERIFY(!OpenBsdHostname::parse("inet 10.8.0.1/24\nup\n", &error));
    QCOMPARE(error, QStringLiteral("no wgkey line: the interface has no private key"));

    // Imported, the !command is a loss at its line; the rest is an OpenBSD host.
    const QString gwKey = WireGuardKeys::generatePrivateKey();
    const QByteArray gw = "wgkey " + gwKey.toLatin1() + "\nwgport 51820\ninet 10.8.0.1 255.255.255.0 NONE\n"
                          "wgpeer " + WireGuardKeys::publicKey(key)->toLatin1() + " wgaip 10.8.0.2/32\n!echo hello\nup\n";
    const QByteArray laptop = "[Interface]\nPrivateKey = " + key.toLatin1() + "\nAddress = 10.8.0.2/32\n\n[Peer]\nPublicKey = "
                            + WireGuardKeys::publicKey(gwKey)->toLatin1() + "\nAllowedIPs = 10.8.0.0/24\nEndpoint = 198.51.100.8:51820\n";
    ConfigImport::Source source{QStringLiteral("gw"), QStringLiteral("wg0"), QStringLiteral("gw/hostname.wg0"), gw};
    source.format = ConfigImport::Format::OpenBsdHostname;
    source.os = QStringLiteral("OpenBSD");
    const auto imported = ConfigImport::build({source, {QStringLiteral("laptop"), QStringLiteral("wg0"), QStringLiteral("laptop.conf"), laptop}}, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(lossTexts(imported->losses).join(QLatin1Char('\n')), QStringLiteral("gw/hostname.wg0:5: '!echo hello' has no field in the project"));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->os, QStringLiteral("OpenBSD"));
    QCOMPARE(imported->project.network.ipv4->toString(), QStringLiteral("10.8.0.0/24"));
}

void tst_ConfigImport::routerWrittenByHand()
{
    // The router article's router, written by hand: wg0 and wg1, one node each, Table = off
    // and its own route lines, both tunnels allowing the service range. Its lines are kept
    // as written on every interface; the nodes' overlapping AllowedIPs become link routes.
    QByteArray files[4];
    QString priv[4];
    for (QString &key : priv)
        key = WireGuardKeys::generatePrivateKey();
    auto pub = [&](int k) { return WireGuardKeys::publicKey(priv[k])->toLatin1(); };
    for (int n = 0; n < 2; ++n) {
        files[n] = "[Interface]\nPrivateKey = " + priv[n].toLatin1() + "\nAddress = 10.99.0." + QByteArray::number(n + 1)
                 + "/32\nListenPort = " + QByteArray::number(51820 + n) + "\nTable = off\nMTU = 1432\n"
                 + "PostUp = ip route add 10.96.0.0/24 dev %i metric " + QByteArray::number(100 + n) + "\n\n[Peer]\nPublicKey = "
                 + pub(2 + n) + "\nAllowedIPs = 10.99.0." + QByteArray::number(11 + n) + "/32, 10.96.0.0/24\nEndpoint = 203.0.113."
                 + QByteArray::number(41 + n) + ":51820\n";
        files[2 + n] = "[Interface]\nPrivateKey = " + priv[2 + n].toLatin1() + "\nAddress = 10.99.0." + QByteArray::number(11 + n)
                     + "/32\nListenPort = 51820\n\n[Peer]\nPublicKey = " + pub(n) + "\nAllowedIPs = 10.99.0." + QByteArray::number(n + 1)
                     + "/32, 192.168.1.0/24\n"
                     + "Endpoint = 198.51.100.7:" + QByteArray::number(51820 + n) + "\n";
    }
    const QList<ConfigImport::Source> sources{
        {QStringLiteral("router"), QStringLiteral("wg0"), QStringLiteral("router/wg0.conf"), files[0]},
        {QStringLiteral("router"), QStringLiteral("wg1"), QStringLiteral("router/wg1.conf"), files[1]},
        {QStringLiteral("node1"), QStringLiteral("wg0"), QStringLiteral("node1/wg0.conf"), files[2]},
        {QStringLiteral("node2"), QStringLiteral("wg0"), QStringLiteral("node2/wg0.conf"), files[3]},
    };
    QString error;
    const auto imported = ConfigImport::build(sources, &error);
    QVERIFY2(imported, qPrintable(error));
    // Each interface has its own route line, which one set of kept lines cannot say.
    QCOMPARE(lossTexts(imported->losses).join(QLatin1Char('\n')),
             QStringLiteral("router/wg1.conf:7: postup lines differ: the file has ip route add 10.96.0.0/24 dev %i metric 101, "
                            "the project gives ip route add 10.96.0.0/24 dev %i metric 100"));
    const Host *router = imported->project.host(QStringLiteral("router"));
    QVERIFY(router && router->router);
    QVERIFY(router->router->interfacePerPeer);
    QCOMPARE(router->router->basePort, 51820);
    QCOMPARE(router->router->uplinkMtu, 1492);
    QCOMPARE(router->meshInterface().table, QStringLiteral("off"));
    QCOMPARE(imported->keys.privateKey(QStringLiteral("router/wg1")), priv[1]);
    const LinkSettings *link = imported->project.linkSettings(QStringLiteral("router"), QStringLiteral("node2"));
    QVERIFY(link);
    QCOMPARE(link->end(QStringLiteral("node2")).allowedIps, QStringList{QStringLiteral("10.96.0.0/24")});
    QCOMPARE(link->end(QStringLiteral("router")).allowedIps, QStringList{QStringLiteral("192.168.1.0/24")});
    // The same metric on both: nothing lost.
    QList<ConfigImport::Source> same = sources;
    same[1].text.replace("metric 101", "metric 100");
    const auto clean = ConfigImport::build(same, &error);
    QVERIFY2(clean, qPrintable(error));
    QCOMPARE(lossTexts(clean->losses), QStringList());
    // Two interfaces that are not one per peer are not a router: refused by name.
    QList<ConfigImport::Source> two = sources;
    two[1].interfaceName = QStringLiteral("wg5");
    QVERIFY(!ConfigImport::build(two, &error));
    QVERIFY2(error.startsWith(QLatin1String("router/wg")) && error.contains(QLatin1String("not one per peer")), qPrintable(error));
}

void tst_ConfigImport::hubOfAWebUi()
{
    // A hub and its clients as a web UI writes them: the hub's Address with the subnet's
    // length and its own iptables NAT lines, clients sending everything through it with an
    // Address of the same length, DNS, no MTU, no keepalive, and a PSK on some peers only.
    QString key[3];
    for (QString &k : key)
        k = WireGuardKeys::generatePrivateKey();
    auto pub = [&](int k) { return WireGuardKeys::publicKey(key[k])->toLatin1(); };
    const QString psk = WireGuardKeys::generatePresharedKey();
    const QByteArray hub = "[Interface]\n"
                           "PrivateKey = " + key[0].toLatin1() + "\n"
                           "Address = 10.8.0.1/24\n"
                           "ListenPort = 51820\n"
                           "PostUp = iptables -t nat -A POSTROUTING -s 10.8.0.0/24 -o eth0 -j MASQUERADE; iptables -A INPUT -p udp -m udp --dport 51820 -j ACCEPT; iptables -A FORWARD -i wg0 -j ACCEPT; iptables -A FORWARD -o wg0 -j ACCEPT;\n"
                           "PostDown = iptables -t nat -D POSTROUTING -s 10.8.0.0/24 -o eth0 -j MASQUERADE; iptables -D INPUT -p udp -m udp --dport 51820 -j ACCEPT; iptables -D FORWARD -i wg0 -j ACCEPT; iptables -D FORWARD -o wg0 -j ACCEPT;\n"
                           "\n"
                           "# Client: phone (5d5b0e52)\n"
                           "[Peer]\n"
                           "PublicKey = " + pub(1) + "\n"
                           "PresharedKey = " + psk.toLatin1() + "\n"
                           "AllowedIPs = 10.8.0.2/32\n"
                           "\n"
                           "# Client: laptop (0c6c4e1b)\n"
                           "[Peer]\n"
                           "PublicKey = " + pub(2) + "\n"
                           "AllowedIPs = 10.8.0.3/32\n";
    auto client = [&](int k, const QByteArray &presharedKey) {
        return "[Interface]\nPrivateKey = " + key[k].toLatin1() + "\nAddress = 10.8.0." + QByteArray::number(k + 1)
            + "/24\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = " + pub(0) + "\n"
            + (presharedKey.isEmpty() ? QByteArray() : "PresharedKey = " + presharedKey + "\n")
            + "AllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 0\nEndpoint = 203.0.113.5:51820\n";
    };
    const QList<ConfigImport::Source> sources{
        {QStringLiteral("hub"), QStringLiteral("wg0"), QStringLiteral("hub/wg0.conf"), hub},
        {QStringLiteral("phone"), QStringLiteral("wg0"), QStringLiteral("phone.conf"), client(1, psk.toLatin1())},
        {QStringLiteral("laptop"), QStringLiteral("wg0"), QStringLiteral("laptop.conf"), client(2, {})},
    };
    QString error;
    const auto imported = ConfigImport::build(sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(lossTexts(imported->losses).join(QLatin1Char('\n')), QString());
    const Project &project = imported->project;
    const Host *gateway = project.host(QStringLiteral("hub"));
    QCOMPARE(gateway->role(), Host::Role::Internet);
    QVERIFY(gateway->meshInterface().subnetRoute);
    QCOMPARE(gateway->meshInterface().postUp.size(), 1); // its own NAT, as written
    QVERIFY(gateway->ownForwarding);                     // and none of Meshwright's beside it
    QVERIFY(project.host(QStringLiteral("phone"))->gateway);
    QCOMPARE(project.defaults.dns, QStringList{QStringLiteral("1.1.1.1")});
    QVERIFY(!project.linkSettings(QStringLiteral("hub"), QStringLiteral("laptop"))->presharedKey);
    QCOMPARE(imported->keys.presharedKey(QStringLiteral("hub"), QStringLiteral("phone")), psk);
    // The same estate, saved and read back, plans the same.
    const auto reread = ProjectFile::parse(ProjectFile::serialize(project), QStringLiteral("p.yaml"), nullptr);
    QVERIFY(reread);
    QCOMPARE(*reread, project);

    // The clients dial the hub by name: from the files alone its address is unknown, and a
    // note says so; read over SSH at its address, it is a gateway there that the clients
    // keep dialling by name.
    QList<ConfigImport::Source> byName = sources;
    for (ConfigImport::Source &source : byName)
        source.text.replace("Endpoint = 203.0.113.5:51820", "Endpoint = vpn.example.com:51820");
    const auto unknown = ConfigImport::build(byName, &error);
    QVERIFY2(unknown, qPrintable(error));
    // Nobody dials it at an address: a roaming host that keeps its port, dialled by name.
    QCOMPARE(lossTexts(unknown->losses).join(QLatin1Char('\n')), QString());
    QCOMPARE(unknown->project.host(QStringLiteral("hub"))->role(), Host::Role::Roaming);
    QCOMPARE(unknown->project.host(QStringLiteral("hub"))->meshInterface().listenPort, 51820);
    QVERIFY(unknown->notes.contains(QStringLiteral("hub: dialled by name only (vpn.example.com:51820), and no config says its address: "
                                                   "import it over SSH, or give it its internet address in the project")));
    byName[0].reachedAt = QStringLiteral("203.0.113.5");
    const auto reached = ConfigImport::build(byName, &error);
    QVERIFY2(reached, qPrintable(error));
    QCOMPARE(lossTexts(reached->losses).join(QLatin1Char('\n')), QString());
    QCOMPARE(reached->project.host(QStringLiteral("hub"))->internet->ip, QStringLiteral("203.0.113.5"));
    QCOMPARE(reached->project.linkSettings(QStringLiteral("hub"), QStringLiteral("phone"))->end(QStringLiteral("hub")).endpoint,
             QStringLiteral("vpn.example.com:51820"));
}

void tst_ConfigImport::inconsistenciesAreFindings()
{
    // What the configs say that cannot work is named with its file and line, and kept as it
    // is: a peer one side lists alone, one prefix on two peers, an endpoint inside its own
    // peer's AllowedIPs.
    QString key[3];
    for (QString &k : key)
        k = WireGuardKeys::generatePrivateKey();
    auto pub = [&](int k) { return WireGuardKeys::publicKey(key[k])->toLatin1(); };
    const QByteArray alpha = "[Interface]\nPrivateKey = " + key[0].toLatin1() + "\nAddress = 10.1.0.1/32\nListenPort = 51820\n"
                             "\n[Peer]\nPublicKey = " + pub(1) + "\nAllowedIPs = 10.1.0.2/32, 10.9.0.0/24\nEndpoint = 192.168.1.2:51820\n"
                             "\n[Peer]\nPublicKey = " + pub(2) + "\nAllowedIPs = 10.1.0.3/32, 10.9.0.0/24, 192.168.1.0/24\n"
                             "Endpoint = 192.168.1.3:51820\n";
    const QByteArray beta = "[Interface]\nPrivateKey = " + key[1].toLatin1() + "\nAddress = 10.1.0.2/32\nListenPort = 51820\n";
    const QByteArray gamma = "[Interface]\nPrivateKey = " + key[2].toLatin1() + "\nAddress = 10.1.0.3/32\nListenPort = 51820\n"
                             "\n[Peer]\nPublicKey = " + pub(0) + "\nAllowedIPs = 10.1.0.1/32\nEndpoint = 192.168.1.1:51820\n";
    QString error;
    const auto imported = ConfigImport::build({{QStringLiteral("alpha"), QStringLiteral("wg0"), QStringLiteral("alpha.conf"), alpha},
                                               {QStringLiteral("beta"), QStringLiteral("wg0"), QStringLiteral("beta.conf"), beta},
                                               {QStringLiteral("gamma"), QStringLiteral("wg0"), QStringLiteral("gamma.conf"), gamma}},
                                              &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(lossTexts(imported->findings), QStringList({
        QStringLiteral("alpha.conf:6: alpha lists beta as a peer, but beta does not list alpha: the tunnel cannot come up"),
        QStringLiteral("alpha.conf:13: peer gamma: 10.9.0.0/24 is peer beta's too; WireGuard routes it to the last one only"),
        QStringLiteral("alpha.conf:14: peer gamma: its endpoint 192.168.1.3:51820 is inside its own AllowedIPs (192.168.1.0/24): "
                       "the tunnel would carry its own packets"),
    }));
}

void tst_ConfigImport::loneLanHost()
{
    // The only LAN host: no peer dials it, so its files alone make it a roaming client. It
    // keeps its ListenPort, but a roaming client routes the mesh to its first gateway, which
    // its file does not: a loss, with a note that says what to do. Reached over SSH at its
    // LAN address, it is a LAN host there, and nothing is lost.
    const Project original = randomMesh(5, 0);
    KeyStore keys;
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeHostFiles(original, keys, dir.path()));
    QString error;
    auto sources = ConfigImport::collect({dir.path()}, {}, nullptr, &error);
    QVERIFY2(sources, qPrintable(error));
    const auto fromFiles = ConfigImport::build(*sources, &error);
    QVERIFY2(fromFiles, qPrintable(error));
    const QString lost = lossTexts(fromFiles->losses).join(QLatin1Char('\n'));
    QVERIFY2(lost.contains(QLatin1String("lan-1/etc/wireguard/wg0.conf:10: peer gw-a: AllowedIPs")), qPrintable(lost));
    QVERIFY2(!lost.contains(QLatin1String("ListenPort")), qPrintable(lost));
    QCOMPARE(fromFiles->project.host(QStringLiteral("lan-1"))->role(), Host::Role::Roaming);
    QCOMPARE(fromFiles->project.host(QStringLiteral("lan-1"))->meshInterface().listenPort, 56709);
    QVERIFY(fromFiles->notes.join(QLatin1Char('\n'))
                .contains(QLatin1String("lan-1: listens on port 56709 all the same, which it keeps (listen_port); if it is a LAN host")));
    for (ConfigImport::Source &source : *sources) {
        if (source.host == QLatin1String("lan-1"))
            source.reachedAt = original.host(QStringLiteral("lan-1"))->lan->ip;
    }
    const auto overSsh = ConfigImport::build(*sources, &error);
    QVERIFY2(overSsh, qPrintable(error));
    QCOMPARE(lossTexts(overSsh->losses), QStringList());
    QCOMPARE(overSsh->project.host(QStringLiteral("lan-1"))->role(), Host::Role::Lan);
    QCOMPARE(overSsh->project.host(QStringLiteral("lan-1"))->lan->ip, original.host(QStringLiteral("lan-1"))->lan->ip);
}

void tst_ConfigImport::sshTargets_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed"); // NAME|USER|ADDRESS|PORT, or the error
    QTest::newRow("address") << "192.168.1.10" << "||192.168.1.10|22";
    QTest::newRow("all of it") << "nas=root@192.168.1.10:2222" << "nas|root|192.168.1.10|2222";
    QTest::newRow("a name") << "admin@vpn.example.net" << "|admin|vpn.example.net|22";
    QTest::newRow("bare IPv6") << "ops@fd00::1" << "|ops|fd00::1|22";
    QTest::newRow("IPv6 and port") << "gw=[2001:db8::1]:2200" << "gw||2001:db8::1|2200";
    QTest::newRow("bad port") << "root@host:70000" << "--ssh 'root@host:70000': the port must be 1 to 65535";
    QTest::newRow("bad name") << "../x=root@host" << "--ssh '../x=root@host': '../x' is not a host name";
    QTest::newRow("spaces") << "root@a host" << "--ssh 'root@a host' is not [NAME=][USER@]HOST[:PORT]";
}

void tst_ConfigImport::sshTargets()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    QString error;
    const auto target = ConfigImport::parseSshTarget(text, &error);
    const QString got = target ? QStringList{target->host, target->user, target->address, QString::number(target->port)}.join(QLatin1Char('|')) : error;
    QCOMPARE(got, parsed);
}

void tst_ConfigImport::zipExport()
{
    // The tunnels the WireGuard app exports: NAME.conf files in a zip, deflated or stored.
    const Project project = randomMesh(5, 0);
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QList<ImportSupport::ZipFile> files;
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        if (project.hosts[i].isOpenBsd())
            continue; // its tunnel is in hostname.wg0, not in an app's export
        files.append({project.hosts[i].name + QLatin1String(".conf"), WgQuick::write(planner.plan(i, keys).config), i % 2 == 0});
    }
    files.append({QStringLiteral("README.txt"), "not a config"});
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tunnels.zip")), ImportSupport::makeZip(files)));
    QStringList notes;
    QString error;
    const auto sources = ConfigImport::collect({dir.filePath(QStringLiteral("tunnels.zip"))}, {}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    QCOMPARE(sources->size(), files.size() - 1);
    for (qsizetype k = 0; k < sources->size(); ++k) {
        QCOMPARE(sources->at(k).host + QLatin1String(".conf"), files[k].name);
        QCOMPARE(sources->at(k).text, files[k].data);
        QCOMPARE(sources->at(k).path, dir.filePath(QStringLiteral("tunnels.zip:")) + files[k].name);
    }
}

void tst_ConfigImport::badArchivesAndFiles()
{
    // Each refused with one message naming the file; nothing is read past the limits.
    QTemporaryDir dir;
    const QByteArray config = "[Interface]\nPrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\nAddress = 10.1.0.1\n";
    const auto refusal = [&](const QString &name, const QByteArray &bytes) {
        const QString path = dir.filePath(name);
        if (!ImportSupport::writeFile(path, bytes))
            return QStringLiteral("cannot write");
        QString error;
        if (ConfigImport::collect({path}, {}, nullptr, &error))
            return QStringLiteral("accepted");
        return error.startsWith(path + QLatin1String(": ")) ? error.mid(path.size() + 2) : error;
    };
    // A zip bomb: 50 MiB of zeros that deflate to a few KiB, claiming 100 bytes.
    const QByteArray zeros(50 * 1024 * 1024, '\0');
    QCOMPARE(refusal(QStringLiteral("bomb.zip"), ImportSupport::makeZip({{QStringLiteral("a.conf"), zeros, true, 100}})),
             QStringLiteral("a.conf: unpacks to more than 1048576 bytes (a zip bomb?)"));
    QCOMPARE(refusal(QStringLiteral("lies.zip"), ImportSupport::makeZip({{QStringLiteral("a.conf"), config, true, 10}})),
             QStringLiteral("a.conf: damaged (its size or CRC is not what the archive says)"));
    QCOMPARE(refusal(QStringLiteral("locked.zip"), ImportSupport::makeZip({{QStringLiteral("a.conf"), config, false, -1, true}})),
             QStringLiteral("a.conf: encrypted; export the tunnels without a password"));
    QByteArray cut = ImportSupport::makeZip({{QStringLiteral("a.conf"), config}});
    QCOMPARE(refusal(QStringLiteral("cut.zip"), cut.left(cut.size() / 2)), QStringLiteral("not a zip archive (no end of central directory)"));
    QByteArray flipped = ImportSupport::makeZip({{QStringLiteral("a.conf"), config, false}});
    flipped[40] = char(flipped[40] ^ 0x20); // inside the stored data
    QCOMPARE(refusal(QStringLiteral("flipped.zip"), flipped), QStringLiteral("a.conf: damaged (its size or CRC is not what the archive says)"));
    QCOMPARE(refusal(QStringLiteral("empty.zip"), ImportSupport::makeZip({{QStringLiteral("notes.txt"), "hello"}})),
             QStringLiteral("no WireGuard config (*.conf, hostname.wgN) in the archive"));
    // A 100 MB file where a config should be: refused before it is read.
    {
        QFile big(dir.filePath(QStringLiteral("big.conf")));
        QVERIFY(big.open(QIODevice::WriteOnly));
        QVERIFY(big.resize(100 * 1000 * 1000)); // sparse: costs no disk
    }
    QString error;
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("big.conf"))}, {}, nullptr, &error));
    QCOMPARE(error, dir.filePath(QStringLiteral("big.conf")) + QStringLiteral(": larger than 1 MiB; not a WireGuard config"));
}

void tst_ConfigImport::generatedConfigsComeBackTheSame_data()
{
    QTest::addColumn<QString>("layout");
    QTest::newRow("HOST/wg0.conf") << QStringLiteral("%1/wg0.conf");
    QTest::newRow("NAME.conf") << QStringLiteral("%1.conf");
    QTest::newRow("dist tree") << QStringLiteral("dist/%1/etc/wireguard/wg0.conf");
}

void tst_ConfigImport::generatedConfigsComeBackTheSame()
{
    // Every host's config generated from a project with overrides of every kind, read back:
    // no loss, the same keys, and the imported project plans every host the same.
    QFETCH(QString, layout);
    ProjectFile::LoadError loadError;
    const auto original = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml")), &loadError);
    QVERIFY2(original, qPrintable(loadError.toString()));
    KeyStore keys;
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeEstate(*original, keys, dir.path(), layout));
    const Planner planner(*original);

    QStringList notes;
    QString error;
    const auto sources = ConfigImport::collect({dir.path()}, {}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    QCOMPARE(sources->size(), original->hosts.size());
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QStringList losses;
    for (const ConfigImport::Loss &loss : imported->losses)
        losses.append(loss.toString());
    QCOMPARE(losses, QStringList());

    const Project &project = imported->project;
    const Planner again(project);
    for (qsizetype i = 0; i < original->hosts.size(); ++i) {
        const Host &was = original->hosts[i];
        const qsizetype at = project.indexOf(was.name);
        QVERIFY2(at >= 0, qPrintable(was.name));
        QCOMPARE(project.hosts[at].role(), was.role());
        QCOMPARE(imported->keys.privateKey(was.name), keys.privateKey(was.name));
        QCOMPARE(WgQuick::canonical(again.plan(at, imported->keys).config), WgQuick::canonical(planner.plan(i, keys).config));
    }
    // What the rules could not say came back as overrides, and nothing else did.
    const LinkSettings *nasKube = project.linkSettings(QStringLiteral("nas"), QStringLiteral("kube"));
    QVERIFY(nasKube);
    QCOMPARE(nasKube->keepalive, 7);
    QCOMPARE(nasKube->end(QStringLiteral("kube")).allowedIps, QStringList{QStringLiteral("10.42.0.0/16")});
    const LinkSettings *edgeNas = project.linkSettings(QStringLiteral("edge"), QStringLiteral("nas"));
    QVERIFY(edgeNas);
    QVERIFY(!edgeNas->presharedKey);
    QCOMPARE(edgeNas->end(QStringLiteral("edge")).endpoint, QStringLiteral("vpn.example.net:51820"));
    QCOMPARE(project.links.size(), 2);
    QCOMPARE(project.defaults.listenPort, 51820);
    QCOMPARE(project.host(QStringLiteral("backup"))->meshInterface().listenPort, 51999);
    QVERIFY(!project.host(QStringLiteral("laptop"))->gateway);
    QVERIFY(project.host(QStringLiteral("phone"))->gateway);
    QCOMPARE(project.defaults.dns, QStringList{QStringLiteral("9.9.9.9")});
    // The project is one the user can save and open again as it is.
    const auto reread = ProjectFile::parse(ProjectFile::serialize(project), QStringLiteral("imported.yaml"), &loadError);
    QVERIFY2(reread, qPrintable(loadError.toString()));
    QCOMPARE(*reread, project);
}

void tst_ConfigImport::layouts()
{
    QTemporaryDir dir;
    const QByteArray config = "[Interface]\nPrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\nAddress = 10.1.0.1\n";
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("flat/alpha.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/beta/wg0.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/beta/wg0-alpha.conf")), config)); // a profile
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("tree/notes/readme.conf.txt")), "not a config"));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/gamma/etc/wireguard/wg0.conf")), config));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("single/delta/wg0.conf")), config));
    QStringList notes;
    QString error;
    const auto sources = ConfigImport::collect({dir.filePath(QStringLiteral("flat")), dir.filePath(QStringLiteral("tree")),
                                                dir.filePath(QStringLiteral("dist")), dir.filePath(QStringLiteral("single/delta/wg0.conf"))},
                                               {{QStringLiteral("gamma"), QStringLiteral("gw")}}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    QStringList hosts;
    for (const ConfigImport::Source &source : *sources)
        hosts.append(source.host + QLatin1Char('/') + source.interfaceName);
    QCOMPARE(hosts, QStringList({QStringLiteral("alpha/wg0"), QStringLiteral("beta/wg0"), QStringLiteral("gw/wg0"), QStringLiteral("delta/wg0")}));
    QCOMPARE(notes.size(), 1);
    QVERIFY(notes.front().endsWith(QLatin1String("a profile of wg0.conf, left out")));
    // A folder named relative to the current one, as on a command line.
    const QString current = QDir::currentPath();
    QDir::setCurrent(dir.path());
    const auto relative = ConfigImport::collect({QStringLiteral("tree")}, {}, nullptr, &error);
    QDir::setCurrent(current);
    QVERIFY2(relative, qPrintable(error));
    QCOMPARE(relative->size(), 1);
    QCOMPARE(relative->front().host, QStringLiteral("beta"));
    // A file too large to be a config is refused by name.
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("big/huge.conf")), QByteArray(2 * 1024 * 1024, 'a')));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("big"))}, {}, &notes, &error));
    QCOMPARE(error, dir.filePath(QStringLiteral("big/huge.conf")) + QStringLiteral(": larger than 1 MiB; not a WireGuard config"));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("tree/notes"))}, {}, &notes, &error));
    QVERIFY(error.endsWith(QLatin1String("no WireGuard config (*.conf, hostname.wgN) in it")));
    QVERIFY(!ConfigImport::collect({dir.filePath(QStringLiteral("missing"))}, {}, &notes, &error));
    QVERIFY(error.endsWith(QLatin1String("no such file or folder")));
}

void tst_ConfigImport::freeBsdFromItsFolder()
{
    // A FreeBSD host's config lives in /usr/local/etc/wireguard, and its Address carries
    // the subnet's length: read from there, it is a FreeBSD host again, with no loss.
    const QByteArray yaml = "hosts:\n"
                            "  vault:\n    os: FreeBSD\n    internet: {ip: '198.51.100.5'}\n    wg0: {ip: '10.6.0.5'}\n"
                            "  gw:\n    os: Linux\n    internet: {ip: '198.51.100.6'}\n    wg0: {ip: '10.6.0.1'}\n";
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("p.yaml"), &loadError);
    QVERIFY2(project, qPrintable(loadError.toString()));
    KeyStore keys;
    const Planner planner(*project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/vault/usr/local/etc/wireguard/wg0.conf")),
                                     WgQuick::write(planner.plan(0, keys).config)));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("dist/gw/etc/wireguard/wg0.conf")), WgQuick::write(planner.plan(1, keys).config)));
    QString error;
    const auto sources = ConfigImport::collect({dir.filePath(QStringLiteral("dist"))}, {}, nullptr, &error);
    QVERIFY2(sources, qPrintable(error));
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QVERIFY(imported->losses.isEmpty());
    QCOMPARE(imported->project.host(QStringLiteral("vault"))->os, QStringLiteral("FreeBSD"));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->os, QStringLiteral("Linux"));
    // The same file taken for a Linux host's: a Linux host whose Address routes the subnet.
    ConfigImport::Source asLinux = sources->front().host == QLatin1String("vault") ? sources->front() : sources->back();
    asLinux.path = QStringLiteral("vault.conf");
    const ConfigImport::Source gw = sources->front().host == QLatin1String("gw") ? sources->front() : sources->back();
    const auto linux = ConfigImport::build({asLinux, gw}, &error);
    QVERIFY2(linux, qPrintable(error));
    QCOMPARE(lossTexts(linux->losses), QStringList());
    QCOMPARE(linux->project.host(QStringLiteral("vault"))->os, QStringLiteral("Linux"));
    QVERIFY(linux->project.host(QStringLiteral("vault"))->meshInterface().subnetRoute);
    QVERIFY(!linux->project.host(QStringLiteral("gw"))->meshInterface().subnetRoute);
    asLinux.os = QStringLiteral("FreeBSD"); // as an import over SSH learns it
    const auto freeBsd = ConfigImport::build({asLinux, gw}, &error);
    QVERIFY2(freeBsd, qPrintable(error));
    QCOMPARE(lossTexts(freeBsd->losses), QStringList());
    QVERIFY(!freeBsd->project.host(QStringLiteral("vault"))->meshInterface().subnetRoute);
}

void tst_ConfigImport::lossesNameFileAndLine()
{
    // Two hand-written configs: keepalives the two ends disagree on are named with their
    // file and line; a PostUp line is kept as written; a peer that is none of the two
    // becomes an external host.
    const QString a = WireGuardKeys::generatePrivateKey();
    const QString b = WireGuardKeys::generatePrivateKey();
    const QString stranger = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    const QByteArray alpha = "[Interface]\n"
                             "PrivateKey = " + a.toLatin1() + "\n"
                             "Address = 10.1.0.1/32\n"
                             "ListenPort = 51820\n"
                             "PostUp = iptables -A FORWARD -i %i -j ACCEPT\n"
                             "\n"
                             "[Peer]\n"
                             "PublicKey = " + WireGuardKeys::publicKey(b)->toLatin1() + "\n"
                             "AllowedIPs = 10.1.0.2/32\n"
                             "Endpoint = 192.168.1.2:51820\n"
                             "PersistentKeepalive = 15\n"
                             "\n"
                             "[Peer]\n"
                             "PublicKey = " + stranger.toLatin1() + "\n"
                             "AllowedIPs = 10.1.0.9/32\n";
    const QByteArray beta = "[Interface]\n"
                            "PrivateKey = " + b.toLatin1() + "\n"
                            "Address = 10.1.0.2/32\n"
                            "ListenPort = 51820\n"
                            "\n"
                            "[Peer]\n"
                            "PublicKey = " + WireGuardKeys::publicKey(a)->toLatin1() + "\n"
                            "AllowedIPs = 10.1.0.1/32\n"
                            "Endpoint = 192.168.1.1:51820\n"
                            "PersistentKeepalive = 30\n";
    const QList<ConfigImport::Source> sources{{QStringLiteral("alpha"), QStringLiteral("wg0"), QStringLiteral("alpha.conf"), alpha},
                                              {QStringLiteral("beta"), QStringLiteral("wg0"), QStringLiteral("beta.conf"), beta}};
    QString error;
    const auto imported = ConfigImport::build(sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QStringList losses;
    for (const ConfigImport::Loss &loss : imported->losses)
        losses.append(loss.toString());
    QCOMPARE(losses, QStringList({
                         QStringLiteral("alpha.conf:11: peer beta: PersistentKeepalive 15, the project gives 0"),
                         QStringLiteral("beta.conf:10: peer alpha: PersistentKeepalive 30, the project gives 0"),
                     }));
    // Everything the rules can say is said: both are LAN hosts, no PSK on their link.
    QCOMPARE(imported->project.host(QStringLiteral("alpha"))->role(), Host::Role::Lan);
    QVERIFY(!imported->project.linkSettings(QStringLiteral("alpha"), QStringLiteral("beta"))->presharedKey);
    QCOMPARE(imported->keys.privateKey(QStringLiteral("beta")), b);
    const Host *external = imported->project.host(QStringLiteral("external-1"));
    QVERIFY(external);
    QCOMPARE(external->publicKey, stranger);
    QCOMPARE(external->meshInterface().ip, QStringLiteral("10.1.0.9"));
    QVERIFY(external->excludePeers.contains(QStringLiteral("beta"))); // only alpha lists it
    QVERIFY(!imported->keys.hasPrivateKey(QStringLiteral("external-1")));
    QCOMPARE(imported->project.host(QStringLiteral("alpha"))->meshInterface().postUp,
             QStringList{QStringLiteral("iptables -A FORWARD -i %i -j ACCEPT")});
    const auto reread = ProjectFile::parse(ProjectFile::serialize(imported->project), QStringLiteral("p.yaml"), nullptr);
    QVERIFY(reread);
    QCOMPARE(*reread, imported->project);
}

void tst_ConfigImport::unreadableConfigsFail()
{
    QString error;
    const QByteArray noKey = "[Interface]\nAddress = 10.1.0.1\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), noKey}}, &error));
    QCOMPARE(error, QStringLiteral("a.conf: no valid PrivateKey: Meshwright manages a host only with its private key"));
    const QByteArray key = "[Interface]\nPrivateKey = " + WireGuardKeys::generatePrivateKey().toLatin1() + "\nAddress = 10.1.0.1\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), key},
                                  {QStringLiteral("b"), QStringLiteral("wg0"), QStringLiteral("b.conf"), key}},
                                 &error));
    QCOMPARE(error, QStringLiteral("b.conf: the same private key as a.conf"));
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), "[Interface]\nBogus\n"}}, &error));
    QVERIFY(error.startsWith(QLatin1String("a.conf: line 2")));
    const QByteArray noPeerKey = key + "\n[Peer]\nAllowedIPs = 10.1.0.2/32\n";
    QVERIFY(!ConfigImport::build({{QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), noPeerKey}}, &error));
    QCOMPARE(error, QStringLiteral("a.conf:5: a [Peer] without a valid PublicKey"));
    QVERIFY(!ConfigImport::build({{QStringLiteral("../x"), QStringLiteral("wg0"), QStringLiteral("x.conf"), key}}, &error));
    QVERIFY(error.contains(QLatin1String("--name ../x=NAME")));
}

void tst_ConfigImport::seedToolTrees_data()
{
    QTest::addColumn<QList<SeedTool::Host>>("hosts");
    QTest::addColumn<QString>("layout"); // how the tree is handed over: "dist", "folders" or "files"
    QTest::addColumn<bool>("hostnameFiles"); // the OpenBSD hosts' hostname.wg0 as the article writes it
    ProjectFile::LoadError error;
    const QString f3sPath = TestSupport::sourcePath(QStringLiteral("../shared/fixtures/f3s-mesh.yaml"));
    const auto f3s = QFile::exists(f3sPath) ? ProjectFile::load(f3sPath, &error) : std::nullopt;
    const QList<SeedTool::Host> f3sHosts = f3s ? SeedTool::fromProject(*f3s) : QList<SeedTool::Host>{};
    QTest::newRow("f3s fixture, dist/") << f3sHosts << "dist" << false;
    QTest::newRow("f3s fixture, dist/ and hostname.wg0") << f3sHosts << "dist" << true;
    QTest::newRow("f3s fixture, HOST/wg0.conf") << f3sHosts << "folders" << true;
    for (const quint32 seed : {1u, 2u, 3u, 4u, 5u, 6u})
        QTest::addRow("random 12, seed %u", seed) << SeedTool::randomMesh(12, seed) << "dist" << (seed % 2 == 0);
    QTest::newRow("random 27, OpenBSD gateways") << SeedTool::randomMesh(27, 11) << "dist" << false;
    QTest::newRow("IPv4 only, seed 3") << SeedTool::randomMesh(9, 3, false) << "dist" << false;
    QTest::newRow("IPv4 only, seed 8, HOST.conf") << SeedTool::randomMesh(9, 8, false) << "files" << false;
}

void tst_ConfigImport::seedToolTrees()
{
    // What wireguardmeshgenerator itself wrote imports without a loss: generating the
    // imported project gives every host a wg0.conf of the same meaning with the same keys,
    // and the project says what the tool was told.
    QFETCH(QList<SeedTool::Host>, hosts);
    QFETCH(QString, layout);
    QFETCH(bool, hostnameFiles);
    if (hosts.isEmpty())
        QSKIP("../shared/fixtures/f3s-mesh.yaml is not beside the checkout");
    QTemporaryDir dir;
    QVERIFY(SeedTool::writeTree(hosts, dir.path()));
    const QDir root(dir.path());
    QString importPath = root.filePath(QStringLiteral("dist"));
    QHash<QString, QByteArray> seedFiles; // host -> its wg0.conf as the tool wrote it
    for (const SeedTool::Host &host : std::as_const(hosts)) {
        const QString file = root.filePath(QStringLiteral("dist/%1/etc/wireguard/wg0.conf").arg(host.name));
        seedFiles.insert(host.name, TestSupport::readFile(file));
        QVERIFY(!seedFiles.value(host.name).isEmpty());
        // The article's hand-written hostname.wg0: the addresses, and wg setconf for the rest.
        QByteArray hostname;
        if (host.os == QLatin1String("OpenBSD") && hostnameFiles) {
            hostname = "inet " + host.ip.toLatin1() + " 255.255.255.0 NONE\n";
            if (!host.ipv6.isEmpty())
                hostname += "inet6 " + host.ipv6.toLatin1() + " 64\n";
            hostname += "up\n!/usr/local/bin/wg setconf wg0 /etc/wireguard/wg0.conf\n";
        }
        if (layout == QLatin1String("dist")) {
            if (!hostname.isEmpty())
                QVERIFY(ImportSupport::writeFile(root.filePath(QStringLiteral("dist/%1/etc/hostname.wg0").arg(host.name)), hostname));
        } else if (layout == QLatin1String("folders")) {
            importPath = root.filePath(QStringLiteral("copied"));
            QVERIFY(ImportSupport::writeFile(root.filePath(QStringLiteral("copied/%1/wg0.conf").arg(host.name)), seedFiles.value(host.name)));
            if (!hostname.isEmpty())
                QVERIFY(ImportSupport::writeFile(root.filePath(QStringLiteral("copied/%1/hostname.wg0").arg(host.name)), hostname));
        } else {
            importPath = root.filePath(QStringLiteral("copied"));
            QVERIFY(ImportSupport::writeFile(root.filePath(QStringLiteral("copied/%1.conf").arg(host.name)), seedFiles.value(host.name)));
        }
    }
    QString error;
    QStringList notes;
    const auto sources = ConfigImport::collect({importPath}, {}, &notes, &error);
    QVERIFY2(sources, qPrintable(error));
    const auto imported = ConfigImport::build(*sources, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(lossTexts(imported->losses).join(QLatin1Char('\n')), QString());
    const Project &project = imported->project;
    QCOMPARE(project.hosts.size(), hosts.size());

    // The same meaning: each file as WireGuard holds it (a prefix on the last peer that
    // lists it), against what generate writes now. The one difference made on purpose: a
    // full-tunnel client's exits after the first carry their own addresses, where WireGuard
    // left them nothing (their 0.0.0.0/0 went to the last exit).
    const Planner planner(project);
    for (const SeedTool::Host &seed : std::as_const(hosts)) {
        const qsizetype i = project.indexOf(seed.name);
        QVERIFY2(i >= 0, qPrintable(seed.name));
        const auto was = WgQuick::parse(seedFiles.value(seed.name), &error);
        QVERIFY2(was, qPrintable(error));
        const PlannedInterface now = planner.plan(i, imported->keys);
        InterfaceConfig held = WgQuick::effective(*was);
        int secondExits = 0;
        for (PeerConfig &peer : held.peers) {
            const qsizetype p = project.indexOf(peer.name.section(QLatin1Char('.'), 0, 0));
            if (!peer.allowedIps.isEmpty() || !seed.roaming() || !seed.gateway.value_or(true) || p < 0)
                continue;
            const Host &exit = project.hosts[p];
            peer.allowedIps = {exit.meshInterface().ip + QLatin1String("/32")};
            if (!exit.meshInterface().ipv6.isEmpty())
                peer.allowedIps.append(exit.meshInterface().ipv6 + QLatin1String("/128"));
            ++secondExits;
        }
        QCOMPARE(secondExits, seed.roaming() && seed.gateway.value_or(true) ? qMax(0, int(was->peers.size()) - 1) : 0);
        QVERIFY2(WgQuick::canonical(WgQuick::effective(now.config)) == WgQuick::canonical(held),
                 qPrintable(seed.name + QLatin1Char('\n') + WgQuick::write(now.config)));
        // Its default route stays where WireGuard had it: on the last peer that the tool gave it.
        if (seed.roaming() && seed.gateway.value_or(true) && !was->peers.isEmpty())
            QCOMPARE(planner.exitsOf(i).value(0), project.indexOf(was->peers.back().name.section(QLatin1Char('.'), 0, 0)));
        // The keys are the tool's own.
        QCOMPARE(imported->keys.privateKey(Planner::keyId(project.hosts[i])),
                 QString::fromLatin1(TestSupport::readFile(root.filePath(QStringLiteral("keys/%1/priv.key").arg(seed.name)))).trimmed());
        for (const PeerConfig &peer : now.config.peers) {
            QStringList pair{seed.name, peer.name};
            pair.sort();
            QCOMPARE(peer.presharedKey.toBase64(),
                     QString::fromLatin1(TestSupport::readFile(root.filePath(QStringLiteral("keys/psk/%1.key").arg(pair.join(QLatin1Char('_')))))).trimmed());
        }
        // What the tool was told: the system, the role and addresses, the peers, the gateway.
        const Host &host = project.hosts[i];
        QCOMPARE(host.os, seed.os == QLatin1String("Android") ? QStringLiteral("Linux") : seed.os);
        QCOMPARE(host.lan, seed.lan);
        QCOMPARE(host.internet, seed.internet);
        QCOMPARE(host.meshInterface().ip, seed.ip);
        QCOMPARE(host.meshInterface().ipv6, seed.ipv6);
        QCOMPARE(host.meshInterface().domain, seed.wgDomain);
        QStringList excluded = seed.excludePeers;
        QStringList imported_ = host.excludePeers;
        excluded.sort();
        imported_.sort();
        QCOMPARE(imported_, excluded);
        if (seed.roaming()) {
            QCOMPARE(host.gateway, seed.gateway.value_or(true));
            QCOMPARE(host.meshInterface().listenPort, 56709); // the tool gives every host one
        }
    }
    // OpenBSD hosts' addresses came from their peers (or their hostname.wg0), and say so.
    for (const SeedTool::Host &seed : std::as_const(hosts)) {
        if (seed.os != QLatin1String("OpenBSD"))
            continue;
        const QString from = hostnameFiles && layout != QLatin1String("files") ? QStringLiteral("OpenBSD; the addresses from")
                                                                               : QStringLiteral("%1: mesh address").arg(seed.name);
        const QStringList all = notes + imported->notes;
        QVERIFY2(std::any_of(all.cbegin(), all.cend(), [&](const QString &note) { return note.contains(from); }), qPrintable(all.join('\n')));
    }
    // generate takes it: no finding is an error.
    for (const Diagnostic &finding : Validator::validate(project))
        QVERIFY2(!finding.isError(), qPrintable(finding.message));
    // And the project reads back as it was written.
    const auto reread = ProjectFile::parse(ProjectFile::serialize(project), QStringLiteral("p.yaml"), nullptr);
    QVERIFY(reread);
    QCOMPARE(*reread, project);
}

void tst_ConfigImport::addressLessHostsNeedAgreeingPeers()
{
    // A host without Address takes its mesh address only from peers that all agree on it.
    const QString gw = WireGuardKeys::generatePrivateKey();
    const QString a = WireGuardKeys::generatePrivateKey();
    const QString b = WireGuardKeys::generatePrivateKey();
    const QByteArray gwPub = WireGuardKeys::publicKey(gw)->toLatin1();
    const QByteArray gwConf = "[Interface]\nPrivateKey = " + gw.toLatin1() + "\nListenPort = 51820\n\n[Peer]\nPublicKey = "
                            + WireGuardKeys::publicKey(a)->toLatin1() + "\nAllowedIPs = 10.9.0.2/32\n\n[Peer]\nPublicKey = "
                            + WireGuardKeys::publicKey(b)->toLatin1() + "\nAllowedIPs = 10.9.0.3/32\n";
    auto client = [&](const QString &key, const char *address, const char *gwAddress) {
        return "[Interface]\nPrivateKey = " + key.toLatin1() + "\nAddress = " + address + "\nListenPort = 51820\n\n[Peer]\nPublicKey = " + gwPub
             + "\nAllowedIPs = " + gwAddress + "\nEndpoint = 198.51.100.1:51820\n";
    };
    auto sources = [&](const QByteArray &aConf, const QByteArray &bConf) {
        return QList<ConfigImport::Source>{{QStringLiteral("gw"), QStringLiteral("wg0"), QStringLiteral("gw.conf"), gwConf},
                                           {QStringLiteral("a"), QStringLiteral("wg0"), QStringLiteral("a.conf"), aConf},
                                           {QStringLiteral("b"), QStringLiteral("wg0"), QStringLiteral("b.conf"), bConf}};
    };
    QString error;
    // Agreeing: the address, said in the notes.
    auto imported = ConfigImport::build(sources(client(a, "10.9.0.2", "10.9.0.1/32"), client(b, "10.9.0.3", "10.9.0.1/32")), &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->meshInterface().ip, QStringLiteral("10.9.0.1"));
    QVERIFY(imported->notes.contains(QStringLiteral("gw: mesh address 10.9.0.1 from its 2 peers")));
    // Disagreeing: refused, with both files and lines, never a guess.
    imported = ConfigImport::build(sources(client(a, "10.9.0.2", "10.9.0.1/32"), client(b, "10.9.0.3", "10.9.0.7/32")), &error);
    QVERIFY(!imported);
    QCOMPARE(error, QStringLiteral("gw.conf: no Address, and its peers disagree on its mesh IPv4 address: a.conf:8 allows 10.9.0.1, but "
                                   "b.conf:8 allows 10.9.0.7"));
    // Two host routes on every peer: which is its own is not known.
    imported = ConfigImport::build(sources(client(a, "10.9.0.2", "10.9.0.1/32, 10.9.0.50/32"), client(b, "10.9.0.3", "10.9.0.50/32, 10.9.0.1/32")),
                                   &error);
    QVERIFY(!imported);
    QVERIFY2(error.contains(QLatin1String("several single IPv4 addresses to it (10.9.0.1, 10.9.0.50)")), qPrintable(error));
    // Nobody routes a single address to it (a subnet only): refused at its [Interface].
    imported = ConfigImport::build(sources(client(a, "10.9.0.2", "10.9.0.0/24"), client(b, "10.9.0.3", "10.9.0.0/24")), &error);
    QVERIFY(!imported);
    QCOMPARE(error, QStringLiteral("gw.conf:1: no Address, and no imported peer routes a single IPv4 address (/32) to its public key: its "
                                   "mesh address is not known; add Address = ... to it, or import its peers' configs too"));
    // A hostname.wg0 that leaves its keys to a wg0.conf that is not there says which.
    QTemporaryDir dir;
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("gw/hostname.wg0")),
                                     "inet 10.9.0.1 255.255.255.0 NONE\nup\n!/usr/local/bin/wg setconf wg0 /etc/wireguard/wg0.conf\n"));
    const auto found = ConfigImport::collect({dir.path()}, {}, nullptr, &error);
    QVERIFY2(found, qPrintable(error));
    QVERIFY(!ConfigImport::build(*found, &error));
    QVERIFY2(error.endsWith(QLatin1String("gw/hostname.wg0: it leaves the keys and peers to '!/usr/local/bin/wg setconf wg0 "
                                          "/etc/wireguard/wg0.conf': import the wg0.conf it loads with it, in the same folder or in "
                                          "wireguard/ beside it")),
             qPrintable(error));
    // With it, the two are one interface, and an address the project cannot give is a loss
    // at the hostname.wg0's line.
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("gw/hostname.wg0")),
                                     "inet 10.9.0.1 255.255.255.255 NONE\nup\n!/usr/local/bin/wg setconf wg0 /etc/wireguard/wg0.conf\n"));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("gw/wg0.conf")), gwConf));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("a/wg0.conf")), client(a, "10.9.0.2", "10.9.0.0/24")));
    QVERIFY(ImportSupport::writeFile(dir.filePath(QStringLiteral("b/wg0.conf")), client(b, "10.9.0.3", "10.9.0.0/24")));
    const auto both = ConfigImport::collect({dir.path()}, {}, nullptr, &error);
    QVERIFY2(both, qPrintable(error));
    QCOMPARE(both->size(), 3);
    imported = ConfigImport::build(*both, &error);
    QVERIFY2(imported, qPrintable(error));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->os, QStringLiteral("OpenBSD"));
    QCOMPARE(imported->project.host(QStringLiteral("gw"))->meshInterface().ip, QStringLiteral("10.9.0.1"));
    QCOMPARE(lossTexts(imported->losses),
             QStringList{QDir(dir.path()).filePath(QStringLiteral("gw/hostname.wg0:1: Address 10.9.0.1/32: the project gives 10.9.0.1/24"))});
}

QTEST_GUILESS_MAIN(tst_ConfigImport)
#include "tst_configimport.moc"
