// Tests of sites and relays: hosts behind two NATs, and roaming clients, reach each other
// through a host both can dial. Which relay, what each end and the relay are given, what
// the validator says when no relay can carry a link, and the project file's keys.
#include "configfiles.h"
#include "deployment.h"
#include "linkstatus.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "validator.h"

#include <QRegularExpression>
#include <QTest>

namespace {

using TestSupport::withHostLines;

/// Two homes behind NAT (home: nas and pi; office: desk and a router that routes its LAN),
/// two gateways on the internet, a roaming laptop.
const char *const TwoSites = R"(hosts:
  nas:
    os: Linux
    lan: {ip: '192.168.1.10'}
    site: home
    wg0: {ip: '10.7.0.10', ipv6: 'fd07::10'}
  pi:
    os: FreeBSD
    lan: {ip: '192.168.1.11'}
    site: home
    wg0: {ip: '10.7.0.11', ipv6: 'fd07::11'}
  desk:
    os: Linux
    lan: {ip: '192.168.1.10'}
    site: office
    wg0: {ip: '10.7.0.20', ipv6: 'fd07::20'}
  router:
    os: Linux
    lan: {ip: '10.0.0.1'}
    site: office
    wg0: {ip: '10.7.0.21'}
    router: {routes: explicit, forwarding: true}
  gw1:
    os: Linux
    internet: {ip: '203.0.113.1'}
    wg0: {ip: '10.7.0.1', ipv6: 'fd07::1'}
  gw2:
    os: OpenBSD
    internet: {ip: '203.0.113.2'}
    wg0: {ip: '10.7.0.2', ipv6: 'fd07::2'}
  laptop:
    os: Linux
    wg0: {ip: '10.7.0.100', ipv6: 'fd07::100'}
links:
  - hosts: [nas, router]
    allowed_ips: {router: ['192.168.50.0/24']}
)";

Project parse(const QByteArray &yaml)
{
    ProjectFile::LoadError error;
    auto project = ProjectFile::parse(yaml, QStringLiteral("sites.yaml"), &error);
    if (!project)
        qFatal("%s", qPrintable(error.toString()));
    return *project;
}


const PeerConfig *peerOf(const PlannedInterface &planned, const QString &name)
{
    for (const PeerConfig &peer : planned.config.peers) {
        if (peer.name == name)
            return &peer;
    }
    return nullptr;
}

QStringList findings(const Project &project)
{
    QStringList found;
    for (const Diagnostic &d : Validator::validate(project))
        found.append(d.toString());
    return found;
}

} // namespace

class tst_Relays : public QObject
{
    Q_OBJECT

private slots:
    void relayChoice_data();
    void relayChoice();
    void relayedEndsAndRelay();
    void routerGetsRelayedRoutes();
    void presharedKeysPerHop();
    void relayForwardsWithoutNat();
    void noSiteKeepsOneLan();
    void findings_data();
    void findings();
    void projectFileKeepsSitesAndRelays();
    void deployVerifiesRelayedLinks();
    void statusJudgesBothHops();
};

void tst_Relays::relayChoice_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<QString>("relay"); // "direct", a host, or "none"

    const QByteArray base(TwoSites);
    QTest::newRow("one site: direct") << base << "nas"
                                      << "pi"
                                      << "direct";
    QTest::newRow("a gateway: direct") << base << "nas"
                                       << "gw2"
                                       << "direct";
    QTest::newRow("two sites: the first internet host") << base << "nas"
                                                        << "desk"
                                                        << "gw1";
    QTest::newRow("... asked the other way") << base << "desk"
                                             << "nas"
                                             << "gw1";
    QTest::newRow("defaults.relays orders them")
        << QByteArray(base).append("defaults: {relays: [gw2, gw1]}\n") << "nas"
        << "desk"
        << "gw2";
    QTest::newRow("a site's relays come first")
        << QByteArray(base).append("sites:\n  office: {relays: [gw2]}\n") << "nas"
        << "desk"
        << "gw2";
    QTest::newRow("the link's own relay") << QByteArray(base).append("  - hosts: [desk, nas]\n    relay: gw2\n") << "nas"
                                          << "desk"
                                          << "gw2";
    QTest::newRow("a relay that is not a peer of both is passed over")
        << withHostLines(base, "gw1", "    exclude_peers: [desk]\n") << "nas"
        << "desk"
        << "gw2";
    QTest::newRow("a roaming client and a LAN host: its gateway") << base << "laptop"
                                                                  << "nas"
                                                                  << "gw1";
    QTest::newRow("... its first exit")
        << withHostLines(base, "laptop", "    exits: [gw2, gw1]\n") << "laptop"
        << "nas"
        << "gw2";
    QTest::newRow("two roaming clients: a gateway")
        << QByteArray(base).replace("links:\n", "  phone:\n    os: Android\n    wg0: {ip: '10.7.0.101'}\nlinks:\n") << "phone"
        << "laptop"
        << "gw1";
    QTest::newRow("no relay can")
        << withHostLines(withHostLines(base, "gw1", "    exclude_peers: [desk]\n"), "gw2", "    exclude_peers: [nas]\n") << "nas"
        << "desk"
        << "none";
    QTest::newRow("excluded: no link at all") << withHostLines(withHostLines(base, "nas", "    exclude_peers: [desk]\n"), "desk",
                                                               "    exclude_peers: [nas]\n")
                                              << "nas"
                                              << "desk"
                                              << "direct";
}

void tst_Relays::relayChoice()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(QString, relay);
    const Project project = parse(yaml);
    const Planner planner(project);
    const qsizetype ia = project.indexOf(a);
    const qsizetype ib = project.indexOf(b);
    const qsizetype found = planner.relayOf(ia, ib);
    QCOMPARE(planner.relayOf(ib, ia), found); // both ends name the same relay
    if (relay == QLatin1String("direct")) {
        QCOMPARE(found, -1);
        QVERIFY(!planner.lacksPath(ia, ib));
    } else if (relay == QLatin1String("none")) {
        QCOMPARE(found, -1);
        QVERIFY(planner.lacksPath(ia, ib));
    } else {
        QCOMPARE(project.hosts.value(found).name, relay);
        QVERIFY(planner.isRelay(found));
    }
}

void tst_Relays::relayedEndsAndRelay()
{
    const Project project = parse(TwoSites);
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const PlannedInterface nas = planner.plan(project.indexOf(QStringLiteral("nas")), keys);
    const PlannedInterface desk = planner.plan(project.indexOf(QStringLiteral("desk")), keys);
    // No peer entry between the two ends; each has the other's addresses on the relay's.
    QVERIFY(!peerOf(nas, QStringLiteral("desk")));
    QVERIFY(!peerOf(desk, QStringLiteral("nas")));
    QVERIFY(peerOf(nas, QStringLiteral("pi"))); // its own site: direct
    QCOMPARE(peerOf(nas, QStringLiteral("gw1"))->allowedIps,
             QStringList({"10.7.0.1/32", "fd07::1/128", "10.7.0.20/32", "fd07::20/128", "10.7.0.21/32", "192.168.50.0/24",
                          "10.7.0.100/32", "fd07::100/128"}));
    QCOMPARE(peerOf(desk, QStringLiteral("gw1"))->allowedIps,
             QStringList({"10.7.0.1/32", "fd07::1/128", "10.7.0.10/32", "fd07::10/128", "10.7.0.11/32", "fd07::11/128",
                          "10.7.0.100/32", "fd07::100/128"}));
    // The second gateway keeps its own addresses only.
    QCOMPARE(peerOf(nas, QStringLiteral("gw2"))->allowedIps, QStringList({"10.7.0.2/32", "fd07::2/128"}));
    QCOMPARE(peerOf(nas, QStringLiteral("gw1"))->persistentKeepalive, 25);
    // The relay is unchanged towards its peers: each is given its own addresses.
    const PlannedInterface gw1 = planner.plan(project.indexOf(QStringLiteral("gw1")), keys);
    QCOMPARE(peerOf(gw1, QStringLiteral("nas"))->allowedIps, QStringList({"10.7.0.10/32", "fd07::10/128"}));
    QCOMPARE(peerOf(gw1, QStringLiteral("desk"))->allowedIps, QStringList({"10.7.0.20/32", "fd07::20/128"}));
    // ... and routes to an end what the far end of a relayed link routes there (the
    // router's LAN, which nas reaches through gw1), or gw1 would send it out of its uplink.
    QCOMPARE(peerOf(gw1, QStringLiteral("router"))->allowedIps, QStringList({"10.7.0.21/32", "192.168.50.0/24"}));
    QCOMPARE(gw1.config.peers.size(), 6);
    // The roaming laptop: its default route and the hosts behind NAT on the same gateway,
    // which the watchdog keeps there when it moves the default route.
    const PlannedInterface laptop = planner.plan(project.indexOf(QStringLiteral("laptop")), keys);
    QVERIFY(!peerOf(laptop, QStringLiteral("nas")));
    QCOMPARE(peerOf(laptop, QStringLiteral("gw1"))->allowedIps.mid(0, 4),
             QStringList({"0.0.0.0/0", "::/0", "10.7.0.10/32", "fd07::10/128"}));
    QVERIFY(laptop.exits.value(0).allowedIps.contains(QStringLiteral("10.7.0.10/32")));
}

void tst_Relays::routerGetsRelayedRoutes()
{
    const Project project = parse(TwoSites);
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const qsizetype router = project.indexOf(QStringLiteral("router"));
    const PlannedInterface planned = planner.plan(router, keys);
    QCOMPARE(planned.config.table, QStringLiteral("off"));
    // Its routes to the far site go into the tunnel, the relay's peer entry allows them.
    const qsizetype gw1 = project.indexOf(QStringLiteral("gw1"));
    QVERIFY(planner.staticRoutes(router, gw1, true).contains(*IpPrefix::parse(QStringLiteral("10.7.0.10/32"))));
    QVERIFY(planned.config.postUp.contains(QStringLiteral("ip -4 route replace 10.7.0.10/32 dev %i")));
    QVERIFY(planned.config.postUp.contains(QStringLiteral("ip -6 route replace fd07::11/128 dev %i")));
    // And nas, at the other end, routes the router's LAN through the relay.
    const PlannedInterface nas = planner.plan(project.indexOf(QStringLiteral("nas")), keys);
    QVERIFY(peerOf(nas, QStringLiteral("gw1"))->allowedIps.contains(QStringLiteral("192.168.50.0/24")));
}

void tst_Relays::presharedKeysPerHop()
{
    const Project project = parse(TwoSites);
    const Planner planner(project);
    const auto pairs = planner.presharedKeyPairs();
    auto has = [&](const char *a, const char *b) {
        return pairs.contains({QString::fromLatin1(a), QString::fromLatin1(b)}) || pairs.contains({QString::fromLatin1(b), QString::fromLatin1(a)});
    };
    QVERIFY(has("nas", "gw1"));
    QVERIFY(has("gw1", "desk"));
    QVERIFY(has("nas", "pi"));
    QVERIFY(!has("nas", "desk")); // relayed: a key per hop, none end to end
    QVERIFY(!has("laptop", "nas"));
    KeyStore keys;
    keys.ensure(planner.keyIds(), pairs);
    const PlannedInterface nas = planner.plan(project.indexOf(QStringLiteral("nas")), keys);
    const PlannedInterface gw1 = planner.plan(project.indexOf(QStringLiteral("gw1")), keys);
    QVERIFY(!peerOf(nas, QStringLiteral("gw1"))->presharedKey.isEmpty());
    QCOMPARE(peerOf(nas, QStringLiteral("gw1"))->presharedKey, peerOf(gw1, QStringLiteral("nas"))->presharedKey);
}

void tst_Relays::relayForwardsWithoutNat()
{
    // gw1 is no exit in this row (the laptop splits its tunnel): it relays, and forwards
    // between its peers, without masquerading.
    const Project project = parse(withHostLines(TwoSites, "laptop", "    gateway: false\n"));
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const qsizetype gw1 = project.indexOf(QStringLiteral("gw1"));
    QVERIFY(planner.isRelay(gw1));
    QVERIFY(!planner.isExitGateway(gw1));
    const Planner::Forwarding forwarding = planner.forwarding(gw1);
    QVERIFY(forwarding.forward && forwarding.relay && !forwarding.nat);
    const QStringList postUp = planner.plan(gw1, keys).config.postUp;
    QVERIFY(postUp.contains(QStringLiteral("sysctl -q -w net.ipv4.ip_forward=1")));
    QVERIFY(postUp.contains(QStringLiteral("sysctl -q -w net.ipv6.conf.all.forwarding=1")));
    QVERIFY(postUp.contains(QStringLiteral("sysctl -q -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.%i.send_redirects=0")));
    // accept_ra=2 before forwarding turns router advertisements off
    const qsizetype ra = postUp.indexOf(QRegularExpression(QStringLiteral(".*accept_ra.*echo 2.*")));
    QVERIFY(ra >= 0);
    QVERIFY(ra < postUp.indexOf(QStringLiteral("sysctl -q -w net.ipv6.conf.all.forwarding=1")));
    const QString nft = postUp.filter(QStringLiteral("nft ")).value(0);
    QVERIFY(nft.contains(QLatin1String("iifname %i accept")));
    QVERIFY(!nft.contains(QLatin1String("masquerade")));
    // The OpenBSD gateway relays nothing here: no pf rules of forwarding.
    QVERIFY(!planner.isRelay(project.indexOf(QStringLiteral("gw2"))));
    // The OpenBSD gateway as the relay: pf passes its tunnel's traffic, without NAT.
    const Project second = parse(QByteArray(TwoSites).append("defaults: {relays: [gw2]}\n"));
    const Planner byGw2(second);
    KeyStore keys2;
    keys2.ensure(byGw2.keyIds(), byGw2.presharedKeyPairs());
    const qsizetype gw2 = second.indexOf(QStringLiteral("gw2"));
    QVERIFY(byGw2.isRelay(gw2));
    const QStringList pf = byGw2.plan(gw2, keys2).pfRules;
    QVERIFY(pf.contains(QStringLiteral("pass on wg0")));
}

void tst_Relays::noSiteKeepsOneLan()
{
    // Without site keys every LAN host is in the one default site: LAN hosts reach each
    // other, nothing is relayed but what roams.
    const Project project = parse(QByteArray(TwoSites).replace("    site: home\n", "").replace("    site: office\n", ""));
    const Planner planner(project);
    QCOMPARE(planner.relayOf(project.indexOf(QStringLiteral("nas")), project.indexOf(QStringLiteral("desk"))), -1);
    QVERIFY(planner.isDirect(project.indexOf(QStringLiteral("nas")), project.indexOf(QStringLiteral("desk"))));
    QCOMPARE(project.siteNames(), QStringList());
}

void tst_Relays::findings_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");
    const QByteArray base(TwoSites);
    const QString note = QStringLiteral("note: gw1: relays nas–desk, nas–router, nas–laptop, pi–desk, pi–router, pi–laptop, and 2 more "
                                        "(no direct path between their ends): it terminates both tunnels, so their traffic is "
                                        "decrypted on gw1");
    QTest::newRow("two sites, relayed") << base << QStringList{note};
    QTest::newRow("no relay both reach")
        << withHostLines(withHostLines(base, "gw1", "    exclude_peers: [desk]\n"), "gw2", "    exclude_peers: [nas]\n")
        << QStringList{
               "error: gw1 -> desk: gw1 excludes desk, but desk still has gw1 as a peer: a broken half link. Add gw1 to desk's exclude_peers, "
               "or remove desk from gw1's",
               "error: gw2 -> nas: gw2 excludes nas, but nas still has gw2 as a peer: a broken half link. Add gw2 to nas's exclude_peers, "
               "or remove nas from gw2's",
               "error: nas -> desk: no direct path (nas is behind the NAT of site 'home', desk is behind the NAT of site 'office') and no relay "
               "that both reach: desk and gw1 are not peers (exclude_peers); nas and gw2 are not peers (exclude_peers); give one of them an "
               "endpoint (a port forward), or name a relay both can dial",
               "note: gw1: relays nas–router, nas–laptop, pi–router, pi–laptop, and router–laptop (no direct path between their ends): it "
               "terminates both tunnels, so their traffic is decrypted on gw1",
               "note: gw2: relays pi–desk and desk–laptop (no direct path between their ends): it terminates both tunnels, so their "
               "traffic is decrypted on gw2"};
    QTest::newRow("a relay that cannot forward")
        << QByteArray(base).append("  - hosts: [nas, desk]\n    relay: pi\n")
        << QStringList{"error: nas -> desk: no direct path (nas is behind the NAT of site 'home', desk is behind the NAT of site 'office') "
                       "and no relay that both reach: pi runs FreeBSD: Meshwright writes forwarding for Linux and OpenBSD relays only; "
                       "give one of them an endpoint (a port forward), or name a relay both can dial",
                       "note: gw1: relays nas–router, nas–laptop, pi–desk, pi–router, pi–laptop, desk–laptop, and 1 more (no direct path "
                       "between their ends): it terminates both tunnels, so their traffic is decrypted on gw1"};
    QTest::newRow("overlapping prefixes on one relay peer")
        << QByteArray(base).append("  - hosts: [nas, desk]\n    allowed_ips: {desk: ['192.168.50.0/25']}\n")
        << QStringList{"error: nas -> gw1: gw1 relays the links to router and desk, whose prefixes 192.168.50.0/24 and 192.168.50.0/25 "
                       "overlap: WireGuard gives an address to one peer only, so one of them cannot be reached through gw1",
                       note};
    QTest::newRow("a relay's MTU larger than an end's")
        << QByteArray(base).replace("wg0: {ip: '10.7.0.20', ipv6: 'fd07::20'}", "wg0: {ip: '10.7.0.20', ipv6: 'fd07::20', mtu: 1380}")
        << QStringList{note, "warning: gw1 -> desk: relays links of desk, whose tunnel MTU is 1380, with a tunnel MTU of 1420: what gw1 "
                             "forwards to desk may not fit its path; set gw1's MTU to 1380"};
}

void tst_Relays::findings()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    QStringList found = ::findings(parse(yaml));
    found.sort();
    expected.sort();
    QCOMPARE(found, expected);
}

void tst_Relays::projectFileKeepsSitesAndRelays()
{
    const QByteArray yaml = QByteArray(TwoSites).append("  - hosts: [desk, nas]\n    relay: gw2\n")
                                .append("defaults:\n  relays: [gw2, gw1]\nsites:\n  office:\n    relays: [gw2]\n  home: {}\n");
    const Project project = parse(yaml);
    QCOMPARE(project.hosts[0].site, QStringLiteral("home"));
    QCOMPARE(project.defaults.relays, QStringList({"gw2", "gw1"}));
    QCOMPARE(project.sites.size(), 2);
    QCOMPARE(project.siteSettings(QStringLiteral("office"))->relays, QStringList{"gw2"});
    QCOMPARE(project.linkSettings(QStringLiteral("nas"), QStringLiteral("desk"))->relay, QStringLiteral("gw2"));
    QCOMPARE(project.siteNames(), QStringList({"home", "office"}));
    const QByteArray written = ProjectFile::serialize(project);
    QVERIFY(written.contains("    site: home\n"));
    QCOMPARE(parse(written), project);

    // Bad names are refused with their line.
    const struct
    {
        QByteArray yaml;
        QString message;
    } bad[] = {
        {QByteArray(TwoSites).append("defaults: {relays: [gw9]}\n"), "defaults.relays: unknown host 'gw9'"},
        {QByteArray(TwoSites).append("  - hosts: [nas, desk]\n    relay: nas\n"), "a link cannot be relayed by one of its own ends"},
        {QByteArray(TwoSites).replace("site: home", "site: 'my home'"), "is not a valid site name"},
        {QByteArray(TwoSites).append("sites:\n  home: {relays: [gw1, gw1]}\n"), "sites.home.relays: 'gw1' is listed twice"},
    };
    for (const auto &[text, message] : bad) {
        ProjectFile::LoadError error;
        QVERIFY(!ProjectFile::parse(text, QStringLiteral("sites.yaml"), &error));
        QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
        QVERIFY2(error.line > 0, qPrintable(error.toString()));
    }
}

void tst_Relays::deployVerifiesRelayedLinks()
{
    // Every host deployed over SSH (the laptop too): the relayed links are verified like
    // the others, by an echo from the end that comes first, through its relay.
    QByteArray yaml(TwoSites);
    for (const char *host : {"nas", "pi", "desk", "router", "gw1", "gw2"})
        yaml = withHostLines(yaml, host, "    ssh: {user: root}\n");
    yaml = withHostLines(yaml, "laptop", "    ssh: {user: root, host: 'laptop.example.net'}\n");
    const Project project = parse(yaml);
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QString error;
    const auto plan = Deployment::plan(project, keys, {}, &error);
    QVERIFY2(plan, qPrintable(error));
    auto find = [&](const QString &a, const QString &b) -> std::optional<DeployLink> {
        for (const DeployLink &link : plan->links) {
            if (link.a == a && link.b == b)
                return link;
        }
        return std::nullopt;
    };
    const auto relayed = find(QStringLiteral("nas"), QStringLiteral("desk"));
    QVERIFY(relayed);
    QCOMPARE(relayed->via, QStringLiteral("gw1"));
    QCOMPARE(relayed->from, QStringLiteral("nas"));
    QCOMPARE(relayed->interfaceName, QStringLiteral("wg0"));
    QCOMPARE(relayed->addresses, QStringList({"10.7.0.20", "fd07::20"}));
    QCOMPARE(relayed->peerKey, keys.publicKey(QStringLiteral("gw1"))); // its handshake is the relay's
    QCOMPARE(relayed->name(), QStringLiteral("nas <-> desk via gw1"));
    const auto direct = find(QStringLiteral("nas"), QStringLiteral("pi"));
    QVERIFY(direct && direct->via.isEmpty());
    QVERIFY(find(QStringLiteral("router"), QStringLiteral("laptop"))); // the router has IPv4 only: one address
    QCOMPARE(find(QStringLiteral("router"), QStringLiteral("laptop"))->addresses, QStringList{"10.7.0.100"});
    // Every linked pair is verified once: 21 pairs of 7 hosts.
    QCOMPARE(plan->links.size(), 21);

    // Deploying one end takes its relay along: the relay forwards what it switches.
    const auto one = Deployment::plan(project, keys, {QStringLiteral("nas")}, &error);
    QVERIFY2(one, qPrintable(error));
    QCOMPARE(one->hostNames(), QStringList({"nas", "gw1"}));

    // A relay that lost one end's address on the far side still shows the link: the check
    // finds it broken, rather than skipping it.
    QList<Deployment::HostFiles> files;
    for (const DeployTarget &target : plan->targets)
        files.append({target.host, target.files});
    for (Deployment::HostFiles &host : files) {
        if (host.host != QLatin1String("desk"))
            continue;
        for (DeployTarget::File &file : host.files)
            file.content.replace(", 10.7.0.10/32, fd07::10/128", "");
    }
    const QList<DeployLink> broken = Deployment::linksBetween(files);
    QVERIFY(std::any_of(broken.cbegin(), broken.cend(), [](const DeployLink &l) { return l.name() == QLatin1String("nas <-> desk via gw1"); }));
}

void tst_Relays::statusJudgesBothHops()
{
    const Project project = parse(TwoSites);
    KeyStore keys;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    LinkStatusBoard board(project, keys);
    // Every host answers with fresh handshakes for its peers; then gw1 loses desk.
    auto sample = [&](const QString &name, const QStringList &stale) {
        HostSample host;
        host.now = 1000;
        InterfaceSample wg0;
        wg0.up = true;
        const qsizetype index = project.indexOf(name);
        for (const PlannedInterface &planned : planner.planAll(index, keys)) {
            for (const PeerConfig &peer : planned.config.peers)
                wg0.handshakes.insert(peer.publicKey, stale.contains(peer.name) ? 0 : 990);
        }
        host.interfaces.insert(QStringLiteral("wg0"), wg0);
        return host;
    };
    for (qsizetype i = 0; i < project.hosts.size(); ++i)
        board.update(i, sample(project.hosts[i].name, {}));
    auto link = [&](const char *a, const char *b) {
        for (const LinkStatus &status : board.links()) {
            if (status.a == QLatin1String(a) && status.b == QLatin1String(b))
                return status;
        }
        return LinkStatus();
    };
    LinkStatus relayed = link("nas", "desk");
    QCOMPARE(relayed.via, QStringLiteral("gw1"));
    QCOMPARE(relayed.state, LinkState::Alive);
    QCOMPARE(relayed.hopsText(), QStringLiteral("nas–gw1 alive, gw1–desk alive"));
    QVERIFY(!relayed.needsAttention);
    // The relay's hop to desk goes down on both sides: the relayed link is down, and says which hop.
    board.update(project.indexOf(QStringLiteral("gw1")), sample(QStringLiteral("gw1"), {QStringLiteral("desk")}));
    board.update(project.indexOf(QStringLiteral("desk")), sample(QStringLiteral("desk"), {QStringLiteral("gw1")}));
    relayed = link("nas", "desk");
    QCOMPARE(relayed.state, LinkState::Down);
    QVERIFY(relayed.needsAttention);
    QCOMPARE(relayed.hopsText(), QStringLiteral("nas–gw1 alive, gw1–desk down"));
    QCOMPARE(link("nas", "pi").state, LinkState::Alive);
}

QTEST_GUILESS_MAIN(tst_Relays)
#include "tst_relays.moc"
