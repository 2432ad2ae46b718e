// Tests of exit gateways: the hosts that full-tunnel roaming clients send everything to
// forward and masquerade it (PostUp/PostDown on Linux, pf rules on OpenBSD), and nothing
// of it reaches the clients.
#include "deployment.h"
#include "hostconfigs.h"
#include "hostjobs.h"
#include "configfiles.h"
#include "outputtarget.h"
#include "planner.h"
#include "keystore.h"
#include "projectfile.h"
#include "qrpayload.h"
#include "testsupport.h"
#include "validator.h"
#include "wgquick.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

using TestSupport::withHostLines;

/// The shape of the f3s mesh: LAN hosts (FreeBSD, Linux) that exclude the roaming clients,
/// two OpenBSD gateways, a Linux gateway, a laptop and a phone with full tunnels, and a
/// split-tunnel client.
const char *const Mesh = R"(hosts:
  f0:
    os: FreeBSD
    lan: {ip: '192.168.1.130'}
    wg0: {ip: '192.168.2.130', ipv6: 'fd42:beef:cafe:2::130'}
    exclude_peers: [earth, pixel, split]
  r0:
    os: Linux
    lan: {ip: '192.168.1.120'}
    wg0: {ip: '192.168.2.120', ipv6: 'fd42:beef:cafe:2::120'}
    exclude_peers: [earth, pixel, split]
  blowfish:
    os: OpenBSD
    internet: {ip: '203.0.113.5'}
    wg0: {ip: '192.168.2.110', ipv6: 'fd42:beef:cafe:2::110'}
  fishfinger:
    os: OpenBSD
    internet: {ip: '203.0.113.6'}
    wg0: {ip: '192.168.2.111', ipv6: 'fd42:beef:cafe:2::111'}
  cloud:
    os: Linux
    internet: {ip: '203.0.113.7'}
    wg0: {ip: '192.168.2.112', ipv6: 'fd42:beef:cafe:2::112'}
  earth:
    os: Linux
    wg0: {ip: '192.168.2.200', ipv6: 'fd42:beef:cafe:2::200'}
    exclude_peers: [f0, r0, pixel, split]
  pixel:
    os: Android
    wg0: {ip: '192.168.2.201', ipv6: 'fd42:beef:cafe:2::201'}
    exclude_peers: [f0, r0, earth, split]
  split:
    os: Linux
    gateway: false
    wg0: {ip: '192.168.2.202'}
    exclude_peers: [f0, r0, earth, pixel]
)";

std::optional<Project> parse(const QByteArray &yaml)
{
    ProjectFile::LoadError error;
    auto project = ProjectFile::parse(yaml, QStringLiteral("mesh.yaml"), &error);
    if (!project)
        qWarning("%s", qPrintable(error.toString()));
    return project;
}


QList<PlannedInterface> plan(const Project &project, const QString &host)
{
    KeyStore keys;
    return HostConfigs::planHost(project, keys, project.indexOf(host));
}

QByteArray pfFile(const Project &project, const QString &host)
{
    for (const ConfigFiles::File &file : OutputTargets::interfaceFiles(plan(project, host).front())) {
        if (file.relativePath.endsWith(QLatin1String("/pf-meshwright.conf")))
            return file.content;
    }
    return {};
}

} // namespace

class tst_ExitGateway : public QObject
{
    Q_OBJECT

private slots:
    void exitGateways_data();
    void exitGateways();
    void openBsdPfRules_data();
    void openBsdPfRules();
    void linuxPostUpAndDown_data();
    void linuxPostUpAndDown();
    void clientsGetNone();
    void ownForwardingWritesNone();
    void generatedConfigsPassWgQuick();
    void findings_data();
    void findings();
    void projectFileKeepsTheSettings();
    void badEgressNamesItsLine();
    void routerSharesTheRules();
    void openBsdDeployCarriesTheRules();
};

void tst_ExitGateway::exitGateways_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("f3s shape: the internet hosts of the full-tunnel clients")
        << QByteArray(Mesh) << QStringList{QStringLiteral("blowfish"), QStringLiteral("fishfinger"), QStringLiteral("cloud")};
    // Only split tunnels: nobody sends a default route anywhere.
    QByteArray split(Mesh);
    split.replace("  earth:\n    os: Linux\n", "  earth:\n    os: Linux\n    gateway: false\n");
    split.replace("  pixel:\n    os: Android\n", "  pixel:\n    os: Android\n    gateway: false\n");
    QTest::newRow("split tunnels only") << split << QStringList();
    // A client that excludes a gateway does not make it one.
    QByteArray excluded(Mesh);
    excluded.replace("    exclude_peers: [f0, r0, pixel, split]\n", "    exclude_peers: [f0, r0, pixel, split, cloud]\n");
    excluded.replace("    exclude_peers: [f0, r0, earth, split]\n", "    exclude_peers: [f0, r0, earth, split, cloud]\n");
    QTest::newRow("cloud excluded by both clients") << excluded << QStringList{QStringLiteral("blowfish"), QStringLiteral("fishfinger")};
}

void tst_ExitGateway::exitGateways()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    const auto project = parse(yaml);
    QVERIFY(project);
    const Planner planner(*project);
    QStringList found;
    for (qsizetype i = 0; i < project->hosts.size(); ++i) {
        if (planner.isExitGateway(i))
            found.append(project->hosts[i].name);
    }
    QCOMPARE(found, expected);
}

void tst_ExitGateway::openBsdPfRules_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QStringList>("rules");
    const QStringList standard{
        QStringLiteral("pass in on egress proto udp to port { 56709 }"),
        QStringLiteral("pass on wg0"),
        QStringLiteral("match out on egress inet from 192.168.2.0/24 to any nat-to (egress)"),
        QStringLiteral("match out on egress inet6 from fd42:beef:cafe:2::/64 to any nat-to (egress)"),
    };
    QTest::newRow("blowfish") << QByteArray(Mesh) << QStringLiteral("blowfish") << standard;
    // The real f3s mesh (public data kept beside the checkout, never in it): its two OpenBSD
    // gateways get what the article writes into their pf.conf by hand.
    const QByteArray f3s = TestSupport::readFile(TestSupport::sourcePath(QStringLiteral("../shared/fixtures/f3s-mesh.yaml")));
    for (const QString &gateway : {QStringLiteral("blowfish"), QStringLiteral("fishfinger")})
        QTest::newRow(qPrintable(QStringLiteral("f3s fixture: %1").arg(gateway))) << f3s << gateway << standard;
    QTest::newRow("fishfinger") << QByteArray(Mesh) << QStringLiteral("fishfinger") << standard;
    QTest::newRow("egress named")
        << withHostLines(Mesh, "blowfish", "    egress: vio0\n") << QStringLiteral("blowfish")
        << QStringList{QStringLiteral("pass in on vio0 proto udp to port { 56709 }"), QStringLiteral("pass on wg0"),
                       QStringLiteral("match out on vio0 inet from 192.168.2.0/24 to any nat-to (vio0)"),
                       QStringLiteral("match out on vio0 inet6 from fd42:beef:cafe:2::/64 to any nat-to (vio0)")};
    QTest::newRow("nat: false forwards only")
        << withHostLines(Mesh, "fishfinger", "    nat: false\n") << QStringLiteral("fishfinger")
        << QStringList{QStringLiteral("pass in on egress proto udp to port { 56709 }"), QStringLiteral("pass on wg0")};
    QByteArray port(Mesh);
    port.replace("hosts:\n", "defaults: {listen_port: 51820}\nhosts:\n");
    QTest::newRow("the project's port") << port << QStringLiteral("blowfish")
                                        << QStringList{QStringLiteral("pass in on egress proto udp to port { 51820 }"), standard[1],
                                                       standard[2], standard[3]};
}

void tst_ExitGateway::openBsdPfRules()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, host);
    QFETCH(QStringList, rules);
    if (yaml.isEmpty())
        QSKIP("../shared/fixtures/f3s-mesh.yaml is not beside the checkout");
    const auto project = parse(yaml);
    QVERIFY(project);
    const QByteArray pf = pfFile(*project, host);
    QVERIFY(!pf.isEmpty());
    QStringList found;
    for (const QByteArray &line : pf.split('\n')) {
        if (!line.isEmpty() && !line.startsWith('#'))
            found.append(QString::fromUtf8(line));
    }
    QCOMPARE(found, rules);
    // How to load it, and the forwarding it needs, are written at its top.
    QVERIFY(pf.contains("#   anchor \"meshwright\"\n#   load anchor \"meshwright\" from \"/etc/pf-meshwright.conf\"\n"));
    QVERIFY(pf.contains("net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1"));
    // OpenBSD has no wg-quick hooks.
    QVERIFY(plan(*project, host).front().config.postUp.isEmpty());
}

void tst_ExitGateway::linuxPostUpAndDown_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("present");
    QTest::addColumn<QStringList>("absent");
    QTest::newRow("default route's interface")
        << QByteArray(Mesh)
        << QStringList{QStringLiteral("sysctl -q -w net.ipv4.ip_forward=1"), QStringLiteral("sysctl -q -w net.ipv6.conf.all.forwarding=1"),
                       QStringLiteral("e4=$(ip -4 route show default | "), QStringLiteral("e6=${e6:-$e4}"),
                       QStringLiteral("no default route to masquerade out of (set egress)"),
                       QStringLiteral("nft \"table inet meshwright-%i {}; delete table inet meshwright-%i; table inet meshwright-%i {"),
                       QStringLiteral("iifname %i accept; oifname %i accept;"),
                       QStringLiteral("ip saddr 192.168.2.0/24 oifname \\\"$e4\\\" masquerade;"),
                       QStringLiteral("ip6 saddr fd42:beef:cafe:2::/64 oifname \\\"$e6\\\" masquerade;")}
        << QStringList();
    QTest::newRow("egress named")
        << withHostLines(Mesh, "cloud", "    egress: ens3\n")
        << QStringList{QStringLiteral("ip saddr 192.168.2.0/24 oifname \\\"ens3\\\" masquerade;"),
                       QStringLiteral("ip6 saddr fd42:beef:cafe:2::/64 oifname \\\"ens3\\\" masquerade;")}
        << QStringList{QStringLiteral("route show default"), QStringLiteral("$e4")};
    QTest::newRow("nat: false forwards only")
        << withHostLines(Mesh, "cloud", "    nat: false\n")
        << QStringList{QStringLiteral("sysctl -q -w net.ipv4.ip_forward=1"), QStringLiteral("chain forward {")}
        << QStringList{QStringLiteral("masquerade"), QStringLiteral("chain nat")};
}

void tst_ExitGateway::linuxPostUpAndDown()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, present);
    QFETCH(QStringList, absent);
    const auto project = parse(yaml);
    QVERIFY(project);
    const InterfaceConfig config = plan(*project, QStringLiteral("cloud")).front().config;
    const QString up = config.postUp.join(QLatin1Char('\n'));
    for (const QString &part : std::as_const(present))
        QVERIFY2(up.contains(part), qPrintable(QStringLiteral("missing: %1\nin: %2").arg(part, up)));
    for (const QString &part : std::as_const(absent))
        QVERIFY2(!up.contains(part), qPrintable(QStringLiteral("unexpected: %1\nin: %2").arg(part, up)));
    // PostDown removes the whole table, so nothing is left behind.
    QCOMPARE(config.postDown, QStringList{QStringLiteral("nft delete table inet meshwright-%i")});
    // wg-quick strips comments at '#': the hooks must not hold one.
    for (const QString &line : config.postUp + config.postDown)
        QVERIFY(!line.contains(QLatin1Char('#')));
}

void tst_ExitGateway::clientsGetNone()
{
    const auto project = parse(Mesh);
    QVERIFY(project);
    for (const QString &client : {QStringLiteral("earth"), QStringLiteral("pixel"), QStringLiteral("split")}) {
        for (const PlannedInterface &planned : plan(*project, client)) {
            QVERIFY(planned.config.postUp.isEmpty());
            QVERIFY(planned.config.postDown.isEmpty());
            QVERIFY(planned.pfRules.isEmpty());
            QStringList leftOut;
            QrPayload::build(planned.config, &leftOut);
            QVERIFY2(leftOut.isEmpty(), qPrintable(leftOut.join(QLatin1String(", "))));
        }
    }
    // The LAN hosts the clients exclude forward nothing either.
    for (const QString &lan : {QStringLiteral("f0"), QStringLiteral("r0")}) {
        QVERIFY(plan(*project, lan).front().config.postUp.isEmpty());
        QVERIFY(pfFile(*project, lan).isEmpty());
    }
}

void tst_ExitGateway::ownForwardingWritesNone()
{
    // own_forwarding: the gateway's own lines forward and masquerade (an imported hub's);
    // Meshwright writes neither lines nor pf rules for it and warns about none of it, and
    // the setting saves and reads back.
    for (const char *host : {"cloud", "blowfish"}) {
        const auto project = parse(withHostLines(Mesh, host, "    own_forwarding: true\n"));
        QVERIFY(project);
        const qsizetype at = project->indexOf(QLatin1String(host));
        QVERIFY(project->hosts[at].ownForwarding);
        const Planner planner(*project);
        QVERIFY(planner.isExitGateway(at));
        QVERIFY(!planner.forwarding(at).any());
        QVERIFY(plan(*project, QLatin1String(host)).front().config.postUp.isEmpty());
        QVERIFY(pfFile(*project, QLatin1String(host)).isEmpty());
        const QByteArray saved = ProjectFile::serialize(*project);
        QVERIFY(saved.contains("own_forwarding: true"));
        QCOMPARE(*ProjectFile::parse(saved, QStringLiteral("again.yaml"), nullptr), *project);
    }
    const auto plain = parse(Mesh);
    QVERIFY(!plan(*plain, QStringLiteral("cloud")).front().config.postUp.isEmpty());
}

void tst_ExitGateway::generatedConfigsPassWgQuick()
{
    const auto project = parse(withHostLines(Mesh, "cloud", "    egress: ens3\n"));
    QVERIFY(project);
    const QString why = TestSupport::wgQuickUnavailable();
    if (!why.isEmpty())
        QSKIP(qPrintable(why));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wg0.conf"));
    for (const QByteArray &yaml : {QByteArray(Mesh), withHostLines(Mesh, "cloud", "    egress: ens3\n")}) {
        const auto p = parse(yaml);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(WgQuick::write(plan(*p, QStringLiteral("cloud")).front().config, QString()));
        file.close();
        const QString error = TestSupport::wgQuickStrip(path);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Our own parser reads the hooks back unchanged (the deploy diffs what it reads).
        QString parseError;
        const auto parsed = WgQuick::parse(TestSupport::readFile(path), &parseError);
        QVERIFY2(parsed, qPrintable(parseError));
        QCOMPARE(parsed->postUp, plan(*p, QStringLiteral("cloud")).front().config.postUp);
    }
}

void tst_ExitGateway::findings_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");
    QByteArray freebsd(Mesh);
    freebsd.replace("  cloud:\n    os: Linux\n", "  cloud:\n    os: FreeBSD\n");
    QTest::newRow("FreeBSD exit gateway")
        << freebsd
        << QStringList{QStringLiteral("warning: cloud: earth and pixel send all their traffic here, but Meshwright does not write "
                                      "forwarding and NAT for FreeBSD yet: set them up with pf by hand (nat on the uplink from "
                                      "192.168.2.0/24), or give the clients another gateway")};
    QTest::newRow("nat: false on an exit gateway")
        << withHostLines(Mesh, "cloud", "    nat: false\n")
        << QStringList{QStringLiteral("warning: cloud: earth and pixel send all their traffic here, but 'nat: false' leaves it "
                                      "unmasqueraded: it reaches the internet only if the upstream routes 192.168.2.0/24 back "
                                      "to cloud")};
    QTest::newRow("nat on a host that is no exit gateway")
        << withHostLines(Mesh, "r0", "    egress: eth0\n")
        << QStringList{QStringLiteral("warning: r0: 'nat' and 'egress' only matter on an exit gateway (the peer of a roaming "
                                      "client with 'gateway: true'); r0 is none")};
}

void tst_ExitGateway::findings()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    const auto project = parse(yaml);
    QVERIFY(project);
    QStringList found;
    for (const Diagnostic &d : Validator::validate(*project)) {
        // The clients' shared default route is another finding's.
        if (!d.toString().contains(QLatin1String("get the same default route")))
            found.append(d.toString());
    }
    QCOMPARE(found, expected);
}

void tst_ExitGateway::projectFileKeepsTheSettings()
{
    const auto project = parse(withHostLines(withHostLines(Mesh, "cloud", "    nat: false\n    egress: ens3\n"), "blowfish",
                                             "    nat: true\n"));
    QVERIFY(project);
    const Host &cloud = project->hosts[project->indexOf(QStringLiteral("cloud"))];
    QCOMPARE(cloud.nat, std::optional<bool>(false));
    QCOMPARE(cloud.egress, QStringLiteral("ens3"));
    QCOMPARE(project->hosts[project->indexOf(QStringLiteral("blowfish"))].nat, std::optional<bool>(true));
    QCOMPARE(project->hosts[project->indexOf(QStringLiteral("fishfinger"))].nat, std::nullopt);
    const QByteArray saved = ProjectFile::serialize(*project);
    QVERIFY(saved.contains("    nat: false\n    egress: ens3\n"));
    const auto again = parse(saved);
    QVERIFY(again);
    QCOMPARE(again->hosts, project->hosts);
}

void tst_ExitGateway::badEgressNamesItsLine()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(withHostLines(Mesh, "cloud", "    egress: 'eth0; reboot'\n"), QStringLiteral("mesh.yaml"), &error);
    QVERIFY(!project);
    QCOMPARE(error.line, 21); // the egress line, below '  cloud:'
    QVERIFY2(error.message.contains(QLatin1String("cloud.egress: 'eth0; reboot' is not an interface name")), qPrintable(error.message));
}

void tst_ExitGateway::routerSharesTheRules()
{
    // A Linux router that forwards and NATs (the router pattern) gets the same table as
    // an exit gateway: one implementation.
    const auto project = parse(withHostLines(Mesh, "r0", "    router: {forwarding: true, nat: true}\n"));
    QVERIFY(project);
    const InterfaceConfig router = plan(*project, QStringLiteral("r0")).front().config;
    const InterfaceConfig gateway = plan(*project, QStringLiteral("cloud")).front().config;
    QCOMPARE(router.postUp, gateway.postUp);
    QCOMPARE(router.postDown, gateway.postDown);
}

void tst_ExitGateway::openBsdDeployCarriesTheRules()
{
    // With SSH, an OpenBSD exit gateway's deploy installs the same pf rules generate writes,
    // beside its wg0.conf and hostname.wg0; a LAN host that forwards nothing gets none.
    QByteArray yaml(Mesh);
    yaml.replace("  blowfish:\n    os: OpenBSD\n", "  blowfish:\n    os: OpenBSD\n    ssh: {user: rex}\n");
    yaml.replace("  r0:\n    os: Linux\n", "  r0:\n    os: OpenBSD\n    ssh: {user: root}\n");
    const auto project = parse(yaml);
    QVERIFY(project);
    KeyStore keys;
    const Planner planner(*project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QString error;
    const auto targets = Deployment::targets(*project, keys, {}, &error);
    QVERIFY2(targets, qPrintable(error));
    QCOMPARE(targets->size(), 2);
    const DeployTarget &blowfish = targets->at(0).host == QLatin1String("blowfish") ? targets->at(0) : targets->at(1);
    const DeployTarget &r0 = targets->at(0).host == QLatin1String("r0") ? targets->at(0) : targets->at(1);
    QStringList paths;
    for (const DeployTarget::File &file : blowfish.files) {
        if (!HostJobs::isJobPath(file.path)) // the jobs' paths: empty, it runs none
            paths.append(file.path);
    }
    QCOMPARE(paths, QStringList({QStringLiteral("/etc/wireguard/wg0.conf"), QStringLiteral("/etc/hostname.wg0"),
                                 QStringLiteral("/etc/pf-meshwright.conf"), QStringLiteral("/etc/hosts")}));
    QCOMPARE(blowfish.files[2].content, pfFile(*project, QStringLiteral("blowfish")));
    for (const DeployTarget::File &file : r0.files)
        QVERIFY(file.path != QLatin1String("/etc/pf-meshwright.conf"));
    // Only wg0.conf is an interface's config: the deploy reloads, restores and reads links from it alone.
    QVERIFY(Deployment::isInterfaceConfig(QStringLiteral("/etc/wireguard/wg0.conf")));
    QVERIFY(!Deployment::isInterfaceConfig(QStringLiteral("/etc/pf-meshwright.conf")));
    QVERIFY(!Deployment::isInterfaceConfig(QStringLiteral("/etc/hostname.wg0")));
}

QTEST_APPLESS_MAIN(tst_ExitGateway)
#include "tst_exitgateway.moc"
