// Tests of the YAML project file: loading, saving, comments, and refusing bad input.
#include "projectfile.h"
#include "testsupport.h"

#include <algorithm>

#include <QTemporaryDir>
#include <QTest>

namespace {

const QByteArray MinimalHost = "hosts:\n"
                               "  a:\n"
                               "    os: Linux\n"
                               "    wg0:\n"
                               "      ip: '10.0.0.1'\n";

Project loadOrFail(const QString &path)
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(path, &error);
    if (!project)
        qWarning("%s", qPrintable(error.toString()));
    return project.value_or(Project{});
}

} // namespace

class tst_ProjectFile : public QObject
{
    Q_OBJECT

private slots:
    void loadsWireguardmeshgeneratorFormat();
    void roundTrip_data();
    void roundTrip();
    void meshwrightKeysRoundTrip();
    void keepsComments();
    void reportsCommentsASaveLoses();
    void unknownKeysWarnWithLine();
    void excludeListsAsWritten_data();
    void excludeListsAsWritten();
    void badInput_data();
    void badInput();
    void hostileInputFailsFast_data();
    void hostileInputFailsFast();
    void hugeFileRefusedBeforeReading();
    void aliasesShareSettings();
    void saveIsAtomic();
};

void tst_ProjectFile::loadsWireguardmeshgeneratorFormat()
{
    const Project project = loadOrFail(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")));
    QCOMPARE(project.hosts.size(), 7);
    const Host *nas = project.host(QStringLiteral("nas"));
    QVERIFY(nas);
    QCOMPARE(nas->os, QStringLiteral("FreeBSD"));
    QCOMPARE(nas->role(), Host::Role::Lan);
    QCOMPARE(nas->ssh->confDir, QStringLiteral("/usr/local/etc/wireguard"));
    QCOMPARE(nas->ssh->port, 22);
    QCOMPARE(nas->lan->ip, QStringLiteral("192.168.10.20"));
    QCOMPARE(nas->meshInterface().ip, QStringLiteral("10.77.0.20"));
    QCOMPARE(nas->meshInterface().ipv6, QStringLiteral("fd77:77::20"));
    QCOMPARE(nas->excludePeers, QStringList({QStringLiteral("laptop"), QStringLiteral("phone")}));
    const Host *puffer = project.host(QStringLiteral("puffer"));
    QCOMPARE(puffer->role(), Host::Role::Internet);
    QCOMPARE(puffer->ssh->port, 2222);
    QVERIFY(project.host(QStringLiteral("k3s-a"))->ssh->sudoCmd.isEmpty());
    QCOMPARE(project.host(QStringLiteral("phone"))->role(), Host::Role::Roaming);
    QVERIFY(!project.host(QStringLiteral("phone"))->ssh);
    QCOMPARE(project.meshSubnetV4().toString(), QStringLiteral("10.77.0.0/24"));
    QCOMPARE(project.meshSubnetV6().toString(), QStringLiteral("fd77:77::/64"));
    QCOMPARE(project.defaults, Defaults{});
    QCOMPARE(project.hosts.front().name, QStringLiteral("nas"));
    QCOMPARE(project.hosts.back().name, QStringLiteral("phone"));
}

void tst_ProjectFile::roundTrip_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("example") << TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml"));
    QTest::newRow("rules mesh") << TestSupport::sourcePath(QStringLiteral("tests/data/rules-mesh.yaml"));
}

void tst_ProjectFile::roundTrip()
{
    QFETCH(QString, path);
    const Project project = loadOrFail(path);
    QVERIFY(!project.hosts.isEmpty());
    const QByteArray saved = ProjectFile::serialize(project);
    ProjectFile::LoadError error;
    const auto reloaded = ProjectFile::parse(saved, QStringLiteral("saved.yaml"), &error);
    QVERIFY2(reloaded, qPrintable(error.toString() + QLatin1Char('\n') + QString::fromUtf8(saved)));
    QCOMPARE(*reloaded, project);
    QCOMPARE(ProjectFile::serialize(*reloaded), saved); // stable: diffs well in git
}

void tst_ProjectFile::meshwrightKeysRoundTrip()
{
    Project project = loadOrFail(TestSupport::sourcePath(QStringLiteral("tests/data/rules-mesh.yaml")));
    QCOMPARE(project.hosts.size(), 8);
    project.defaults.listenPort = 51000;
    project.defaults.keepalive = 15;
    project.defaults.dns = {QStringLiteral("9.9.9.9")};
    project.network.ipv4 = IpPrefix::parse(QStringLiteral("172.30.0.0/16"));
    project.network.ipv6 = IpPrefix::parse(QStringLiteral("fd30::/48"));
    project.hosts[0].position = QPointF(-120.5, 40);
    project.hosts[1].meshInterface().mtu = 1380;
    project.hosts[2].ssh = SshSettings{QStringLiteral("10.0.0.9"), QStringLiteral("~/.ssh/lab"), QStringLiteral("it's me"), 2022, QStringLiteral("/etc/wg"), QStringLiteral("sudo -n"),
                                       QStringLiteral("true")};
    project.hosts[2].os = QStringLiteral("yes"); // a YAML boolean word must come back as text
    project.hosts[project.indexOf(QStringLiteral("roamer"))].exits = {QStringLiteral("edge2"), QStringLiteral("edge1")};
    LinkSettings link;
    link.a = QStringLiteral("alpha");
    link.b = QStringLiteral("edge1");
    link.keepalive = 0;
    link.presharedKey = false;
    link.end(QStringLiteral("edge1")).endpoint = QStringLiteral("[2001:db8::1]:56709");
    link.end(QStringLiteral("edge1")).allowedIps = {QStringLiteral("10.99.0.0/24")};
    link.end(QStringLiteral("alpha")).allowedIps = {QStringLiteral("192.168.50.0/24"), QStringLiteral("fd50::/64")};
    project.links.append(link);

    const QByteArray saved = ProjectFile::serialize(project);
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    const auto reloaded = ProjectFile::parse(saved, QStringLiteral("saved.yaml"), &error, &warnings);
    QVERIFY2(reloaded, qPrintable(error.toString() + QLatin1Char('\n') + QString::fromUtf8(saved)));
    QVERIFY(warnings.isEmpty());
    QCOMPARE(*reloaded, project);
}

void tst_ProjectFile::keepsComments()
{
    const QString path = TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml"));
    const QByteArray original = TestSupport::readFile(path);
    const Project project = loadOrFail(path);
    QVERIFY(project.comments.size() >= 9);
    const QByteArray saved = ProjectFile::serialize(project);
    // Every comment line of the original is in the saved file, in the same order.
    qsizetype from = 0;
    for (const QByteArray &line : original.split('\n')) {
        if (!line.trimmed().startsWith('#'))
            continue;
        const qsizetype at = saved.indexOf(line + '\n', from);
        QVERIFY2(at >= 0, line.constData());
        from = at;
    }
    QVERIFY(saved.contains("  puffer:\n    # OpenBSD gateway at a hosting provider; Meshwright also writes its hostname.wg0.\n    os: OpenBSD\n"));
    QVERIFY(ProjectFile::commentsLostBySave(original, project).isEmpty());
}

void tst_ProjectFile::reportsCommentsASaveLoses()
{
    const QByteArray text = "# top\n"
                            "hosts:\n"
                            "  a:\n"
                            "    os: Linux # at the end of a line\n"
                            "    wg0:\n"
                            "      ip: '10.0.0.1'\n"
                            "  b:\n"
                            "    # about b\n"
                            "    wg0: {ip: '10.0.0.2'}\n";
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    auto project = ProjectFile::parse(text, QStringLiteral("c.yaml"), &error, &warnings);
    QVERIFY2(project, qPrintable(error.toString()));
    QCOMPARE(warnings.size(), 1);
    QCOMPARE(warnings[0].line, 4);
    QCOMPARE(ProjectFile::commentsLostBySave(text, *project), QList<int>{4});
    project->hosts.removeLast(); // b's comment goes with b
    QCOMPARE(ProjectFile::commentsLostBySave(text, *project), QList<int>({4, 8}));
}

void tst_ProjectFile::unknownKeysWarnWithLine()
{
    const QByteArray text = MinimalHost + "    colour: blue\n"
                                          "    ssh:\n"
                                          "      user: x\n"
                                          "      forward_agent: yes\n"
                                          "extras: 1\n";
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    QVERIFY(ProjectFile::parse(text, QStringLiteral("w.yaml"), &error, &warnings));
    QCOMPARE(warnings.size(), 3);
    QCOMPARE(warnings[0].line, 10);
    QCOMPARE(warnings[0].toString(), QStringLiteral("warning: unknown key 'extras' at line 10; it is ignored and not kept when saving"));
    QCOMPARE(warnings[1].line, 6);
    QCOMPARE(warnings[1].host, QStringLiteral("a"));
    QVERIFY(warnings[1].message.startsWith(QLatin1String("unknown key 'colour' at line 6")));
    QCOMPARE(warnings[2].line, 9);
    QVERIFY(warnings[2].message.startsWith(QLatin1String("unknown key 'forward_agent' in ssh at line 9")));
}

void tst_ProjectFile::excludeListsAsWritten_data()
{
    // Host a's exclude_peers, written in the ways YAML allows; the quick reader takes most,
    // yaml-cpp the rest (a multi-line quoted value): both must give the same.
    QTest::addColumn<QByteArray>("list");
    QTest::addColumn<QStringList>("expected");
    const QStringList bc{QStringLiteral("b"), QStringLiteral("c")};
    QTest::newRow("indented") << QByteArray("    exclude_peers:\n      - b\n      - c\n") << bc;
    QTest::newRow("at the key's indent") << QByteArray("    exclude_peers:\n    - b\n    - c\n") << bc;
    QTest::newRow("quoted") << QByteArray("    exclude_peers:\n      - 'b'\n      - \"c\"\n") << bc;
    QTest::newRow("trailing spaces") << QByteArray("    exclude_peers:   \n      - b   \n      - c\n") << bc;
    QTest::newRow("comment inside") << QByteArray("    exclude_peers:\n      - b\n      # why\n      - c\n") << bc;
    QTest::newRow("blank line inside") << QByteArray("    exclude_peers:\n      - b\n\n      - c\n") << bc;
    QTest::newRow("comment at a line's end") << QByteArray("    exclude_peers:\n      - b # x\n      - c\n") << bc;
    QTest::newRow("flow") << QByteArray("    exclude_peers: [b, c]\n") << bc;
    QTest::newRow("one name, no list") << QByteArray("    exclude_peers: b\n") << QStringList{QStringLiteral("b")};
    QTest::newRow("twice the same") << QByteArray("    exclude_peers:\n      - b\n      - b\n")
                                    << QStringList{QStringLiteral("b"), QStringLiteral("b")};
    QTest::newRow("empty") << QByteArray("    exclude_peers:\n") << QStringList();
    QTest::newRow("followed by a key") << QByteArray("    exclude_peers:\n      - c\n      - b\n    gateway: false\n")
                                       << QStringList{QStringLiteral("c"), QStringLiteral("b")};
    // Lines that look like a list but are inside a quoted value, or under a key that is
    // not a host's: they stay where they are.
    QTest::newRow("inside a quoted value") << QByteArray("    lan:\n      ip: '192.168.1.5'\n      domain: \"x\n    exclude_peers:\n      - b\n    \"\n")
                                           << QStringList();
    QTest::newRow("under another key") << QByteArray("    notes:\n      exclude_peers:\n        - b\n    exclude_peers:\n      - c\n")
                                       << QStringList{QStringLiteral("c")};
}

void tst_ProjectFile::excludeListsAsWritten()
{
    QFETCH(QByteArray, list);
    QFETCH(QStringList, expected);
    auto project = [](const QByteArray &aList) {
        return "hosts:\n  a:\n    os: Linux\n" + aList + "    wg0:\n      ip: '10.0.0.1'\n"
               "  b:\n    wg0: {ip: '10.0.0.2'}\n    exclude_peers:\n      - a\n"
               "  c:\n    exclude_peers:\n    - a\n    colour: red\n    wg0: {ip: '10.0.0.3'}\n";
    };
    for (const bool crlf : {false, true}) {
        QByteArray text = project(list);
        if (crlf)
            text.replace("\n", "\r\n");
        ProjectFile::LoadError error;
        QList<Diagnostic> warnings;
        const auto parsed = ProjectFile::parse(text, QStringLiteral("x.yaml"), &error, &warnings);
        QVERIFY2(parsed, qPrintable(error.toString()));
        QCOMPARE(parsed->hosts.size(), 3);
        QCOMPARE(parsed->hosts[0].excludePeers, expected);
        if (list.contains("domain"))
            QCOMPARE(parsed->hosts[0].lan->domain, QStringLiteral("x exclude_peers: - b"));
        QCOMPARE(parsed->hosts[1].excludePeers, QStringList{QStringLiteral("a")});
        QCOMPARE(parsed->hosts[2].excludePeers, QStringList{QStringLiteral("a")});
        // Lines after a list keep their numbers: c's unknown key is where the file has it.
        const qsizetype colour = text.left(text.indexOf("colour")).count('\n') + 1;
        QVERIFY(std::any_of(warnings.cbegin(), warnings.cend(), [&](const Diagnostic &w) {
            return w.line == colour && w.message.startsWith(QLatin1String("unknown key 'colour'"));
        }));
        // And a save keeps each list as it was read.
        const auto again = ProjectFile::parse(ProjectFile::serialize(*parsed), QStringLiteral("y.yaml"), &error);
        QVERIFY2(again, qPrintable(error.toString()));
        QCOMPARE(again->hosts[0].excludePeers, expected);
    }
}

void tst_ProjectFile::badInput_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::newRow("malformed yaml") << QByteArray("hosts:\n  a: [unclosed\n") << 3 << "end of sequence flow not found";
    QTest::newRow("empty file") << QByteArray("") << 1 << "the file is empty";
    QTest::newRow("not a mapping") << QByteArray("- a\n- b\n") << 1 << "the project must be a mapping of keys to values";
    QTest::newRow("no hosts") << QByteArray("defaults: {}\n") << 1 << "missing 'hosts'";
    QTest::newRow("no wg0") << QByteArray("hosts:\n  a:\n    os: Linux\n") << 2 << "host 'a' has no 'wg0' section (its WireGuard interface)";
    QTest::newRow("no ip") << QByteArray("hosts:\n  a:\n    wg0:\n      domain: x\n") << 4 << "a.wg0: missing 'ip'";
    QTest::newRow("invalid address") << QByteArray("hosts:\n  a:\n    wg0:\n      ip: '10.0.0.300'\n") << 4
                                     << "a.wg0: '10.0.0.300' is not a valid IPv4 address";
    QTest::newRow("ipv6 in ip") << QByteArray("hosts:\n  a:\n    wg0:\n      ip: 'fd00::1'\n") << 4
                                << "a.wg0: 'fd00::1' is not a valid IPv4 address";
    QTest::newRow("invalid lan address") << MinimalHost + "    lan:\n      ip: 'nas.local'\n" << 7
                                         << "a.lan: 'nas.local' is not a valid IP address";
    QTest::newRow("unknown excluded host") << MinimalHost + "    exclude_peers:\n      - ghost\n" << 7
                                           << "a.exclude_peers: unknown host 'ghost'";
    QTest::newRow("unknown exit") << MinimalHost + "    exits: [ghost]\n" << 6 << "a.exits: unknown host 'ghost'";
    QTest::newRow("unknown host among many") << MinimalHost + "    exclude_peers:\n      - a\n      - a\n      - ghost\n      - a\n" << 7
                                             << "a.exclude_peers: unknown host 'ghost'";
    QTest::newRow("list item that is a mapping") << MinimalHost + "    exclude_peers:\n      - a\n      - {b: 1}\n" << 8
                                                 << "a.exclude_peers must be a single value";
    QTest::newRow("newline in value") << QByteArray("hosts:\n  a:\n    os: \"Linux\\nPostUp = rm -rf /\"\n    wg0: {ip: '10.0.0.1'}\n")
                                      << 3 << "a.os holds a line break or control character";
    QTest::newRow("newline in command") << MinimalHost + "    ssh:\n      reload_cmd: \"true\\nreboot\"\n" << 7
                                        << "a.ssh.reload_cmd holds a line break or control character";
    QTest::newRow("path in host name") << QByteArray("hosts:\n  ../etc:\n    wg0: {ip: '10.0.0.1'}\n") << 2
                                       << "'../etc' is not a valid host name: names may hold only letters, digits, '_', '.', '-'";
    QTest::newRow("duplicate host") << MinimalHost + "  a:\n    wg0: {ip: '10.0.0.2'}\n" << 6 << "host 'a' is defined twice";
    QTest::newRow("bad port") << MinimalHost + "    ssh: {port: 99999}\n" << 6 << "a.ssh.port must be a whole number from 1 to 65535, not '99999'";
    QTest::newRow("bad gateway flag") << MinimalHost + "    gateway: maybe\n" << 6 << "a.gateway must be true or false, not 'maybe'";
    QTest::newRow("bad subnet") << MinimalHost + "network:\n  ipv4: '10.0.0.0'\n" << 7
                                << "network.ipv4: '10.0.0.0' is not an IPv4 prefix (ADDRESS/LENGTH)";
    QTest::newRow("link to unknown host") << MinimalHost + "links:\n  - hosts: [a, zed]\n" << 7 << "link to unknown host 'zed'";
    QTest::newRow("endpoint without port") << MinimalHost + "  b:\n    wg0: {ip: '10.0.0.2'}\nlinks:\n  - hosts: [a, b]\n    endpoint: {b: '192.0.2.1'}\n"
                                           << 10 << "link a-b: endpoint '192.0.2.1' is not HOST:PORT (a name or address, ':' and a port from 1 to 65535; IPv6 addresses in brackets, as [fd00::1]:51820)";
    QTest::newRow("endpoint with a space") << MinimalHost + "  b:\n    wg0: {ip: '10.0.0.2'}\nlinks:\n  - hosts: [a, b]\n    endpoint: {b: 'x y:1'}\n"
                                           << 10 << "link a-b: endpoint 'x y:1' may not hold spaces, '#' or control characters";
    QTest::newRow("binary") << QByteArray("hosts:\0\x01\x02", 9) << 0 << "the file holds binary data; not a project file";
}

void tst_ProjectFile::badInput()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(QString, message);
    ProjectFile::LoadError error;
    QVERIFY(!ProjectFile::parse(text, QStringLiteral("bad.yaml"), &error));
    QCOMPARE(error.message, message);
    QCOMPARE(error.line, line);
    QCOMPARE(error.file, QStringLiteral("bad.yaml"));
    QVERIFY(error.toString().startsWith(line > 0 ? QStringLiteral("bad.yaml:%1: ").arg(line) : QStringLiteral("bad.yaml: ")));
}

void tst_ProjectFile::hostileInputFailsFast_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");

    // The "billion laughs": nine levels of ten aliases each.
    QByteArray bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i) {
        QByteArray row = "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [";
        for (int j = 0; j < 10; ++j)
            row += (j ? ", *a" : "*a") + QByteArray::number(i - 1);
        bomb += row + "]\n";
    }
    bomb += "hosts:\n  a:\n    wg0: {ip: '10.0.0.1'}\n    exclude_peers: *a8\n";
    // The reader walks only the project's flat schema, so the bomb never expands.
    QTest::newRow("alias bomb") << bomb << "a.exclude_peers must be a single value";

    QTest::newRow("deep flow nesting") << "hosts: " + QByteArray(100000, '[') << "nested deeper than";
    QByteArray deepBlock = "hosts:\n";
    for (int i = 1; i < 200; ++i)
        deepBlock += QByteArray(i * 2, ' ') + "k:\n";
    QTest::newRow("deep block nesting") << deepBlock << "nested deeper than";
    // Files that could look shallow to the quick look at a file's characters that spares
    // the guard's pass (40 levels: deeper than the limit, well within yaml-cpp's own).
    const QByteArray deep40 = QByteArray(40, '[') + QByteArray(40, ']');
    QTest::newRow("deep after an apostrophe in a plain scalar") << "note: it's\nhosts: " + deep40 + "\n" << "nested deeper than";
    QTest::newRow("closing brackets in quotes") << "x: '" + QByteArray(40, ']') + "'\nhosts: " + deep40 + "\n" << "nested deeper than";
    QTest::newRow("closing brackets in a comment") << "# " + QByteArray(40, ']') + "\nhosts: " + deep40 + "\n" << "nested deeper than";
    QTest::newRow("deep after a block scalar") << "a: |\n  'quote\nhosts: " + deep40 + "\n" << "nested deeper than";
    QByteArray compact = "hosts:\n";
    for (int i = 0; i < 40; ++i)
        compact += "- ";
    QTest::newRow("compact nested sequences") << compact + "x\n" << "nested deeper than";
    QByteArray sideBySide = "hosts:\n";
    for (int i = 0; i < 20; ++i) // each key's sequence at the key's own column: two levels a line
        sideBySide += QByteArray(i * 2, ' ') + "- k:\n";
    QTest::newRow("sequences beside their keys") << sideBySide + QByteArray(40, ' ') + "- x\n" << "nested deeper than";
    QByteArray many = "hosts:\n";
    for (int i = 0; i < ProjectFile::MaxNodes; ++i)
        many += "  h" + QByteArray::number(i) + ": 1\n";
    QTest::newRow("too many nodes") << many << "YAML nodes; not a project file";
}

void tst_ProjectFile::hostileInputFailsFast()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    ProjectFile::LoadError error;
    QVERIFY(!ProjectFile::parse(text, QStringLiteral("hostile.yaml"), &error));
    QVERIFY2(error.message.contains(message), qPrintable(error.toString()));
}

void tst_ProjectFile::hugeFileRefusedBeforeReading()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("huge.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize(100 * 1024 * 1024)); // 100 MB, sparse
    file.close();
    ProjectFile::LoadError error;
    QVERIFY(!ProjectFile::load(path, &error));
    // The message proves it was refused by its size, before a byte was parsed.
    QCOMPARE(error.toString(), path + QStringLiteral(": the file is larger than 8 MiB; not a project file"));

    QVERIFY(!ProjectFile::load(dir.filePath(QStringLiteral("missing.yaml")), &error));
    QVERIFY(error.toString().startsWith(dir.filePath(QStringLiteral("missing.yaml: "))));
}

void tst_ProjectFile::aliasesShareSettings()
{
    const QByteArray text = "hosts:\n"
                            "  a:\n"
                            "    ssh: &bsd {user: op, conf_dir: /usr/local/etc/wireguard, sudo_cmd: doas}\n"
                            "    lan: {ip: '192.168.1.2'}\n"
                            "    wg0: {ip: '10.0.0.1'}\n"
                            "  b:\n"
                            "    ssh: *bsd\n"
                            "    lan: {ip: '192.168.1.3'}\n"
                            "    wg0: {ip: '10.0.0.2'}\n";
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(text, QStringLiteral("alias.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    QCOMPARE(project->hosts[1].ssh, project->hosts[0].ssh);
    QCOMPARE(project->hosts[1].ssh->sudoCmd, QStringLiteral("doas"));
}

void tst_ProjectFile::saveIsAtomic()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mesh.yaml"));
    const Project project = loadOrFail(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")));
    QString error;
    QVERIFY2(ProjectFile::save(path, project, &error), qPrintable(error));
    QCOMPARE(loadOrFail(path), project);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("mesh.yaml")});

    // A failed save (the folder is gone) reports why and leaves nothing behind.
    QVERIFY(!ProjectFile::save(dir.filePath(QStringLiteral("nope/mesh.yaml")), project, &error));
    QVERIFY2(error.contains(QLatin1String("nope/mesh.yaml")), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_ProjectFile)
#include "tst_projectfile.moc"
