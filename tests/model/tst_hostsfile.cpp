// Tests of the mesh's names in /etc/hosts: the block, and merging it into a live file
// without touching anything outside its markers.
#include "hostconfigs.h"
#include "hostsfile.h"
#include "keystore.h"
#include "projectfile.h"
#include "deployment.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

const char *const Mesh = R"(defaults: {hosts_file: true}
hosts:
  f0:
    os: FreeBSD
    ssh: {user: paul, conf_dir: /usr/local/etc/wireguard}
    lan: {ip: '192.168.1.130'}
    wg0: {domain: 'wg0.wan.example.org', ip: '192.168.2.130', ipv6: 'fd42:beef:cafe:2::130'}
  blowfish:
    os: OpenBSD
    ssh: {user: rex}
    internet: {ip: '203.0.113.5'}
    wg0: {ip: '192.168.2.110'}
  pixel:
    os: Android
    wg0: {domain: 'wg0.wan.example.org', ip: '192.168.2.201', ipv6: 'fd42:beef:cafe:2::201'}
)";

const QByteArray Block = "# BEGIN meshwright: the mesh's names, written by each deploy (edits here are replaced)\n"
                         "192.168.2.130 f0.wg0 f0.wg0.wan.example.org\n"
                         "fd42:beef:cafe:2::130 f0.wg0 f0.wg0.wan.example.org\n"
                         "192.168.2.110 blowfish.wg0\n"
                         "192.168.2.201 pixel.wg0 pixel.wg0.wan.example.org\n"
                         "fd42:beef:cafe:2::201 pixel.wg0 pixel.wg0.wan.example.org\n"
                         "# END meshwright\n";

Project project(const QByteArray &yaml = Mesh)
{
    ProjectFile::LoadError error;
    const auto parsed = ProjectFile::parse(yaml, QStringLiteral("mesh.yaml"), &error);
    if (!parsed)
        qFatal("%s", qPrintable(error.toString()));
    return *parsed;
}

} // namespace

class tst_HostsFile : public QObject
{
    Q_OBJECT

private slots:
    void blockNamesEveryHost();
    void merge_data();
    void merge();
    void mergeTwiceIsMergeOnce();
    void deployTargetsCarryTheBlock();
    void generateWritesItPerHost();
    void projectFileKeepsTheSetting();
};

void tst_HostsFile::blockNamesEveryHost()
{
    QCOMPARE(HostsFile::block(project()), Block);
}

void tst_HostsFile::merge_data()
{
    QTest::addColumn<QByteArray>("live");
    QTest::addColumn<QByteArray>("merged");
    QTest::addColumn<QByteArray>("block"); // empty: hosts_file off
    const QByteArray before = "127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n";
    const QByteArray after = "# the admin's own\n10.0.0.9 printer\n";
    QTest::newRow("appended to a file without a block") << before << before + Block << Block;
    QTest::newRow("after a last line without a newline") << QByteArray("127.0.0.1 localhost") << "127.0.0.1 localhost\n" + Block
                                                         << Block;
    QTest::newRow("an empty file") << QByteArray() << Block << Block;
    QTest::newRow("an old block replaced, the rest kept byte for byte")
        << before + "# BEGIN meshwright: older text\n10.1.1.1 gone.wg0\n# END meshwright\n" + after << before + Block + after << Block;
    QTest::newRow("a begin marker without its end: the rest was ours")
        << before + "# BEGIN meshwright\n10.1.1.1 gone.wg0\n" << before + Block << Block;
    QTest::newRow("hosts_file off: the block taken out, the rest kept")
        << before + Block + after << before + after << QByteArray();
    QTest::newRow("hosts_file off, no block: untouched") << before << before << QByteArray();
    QTest::newRow("a marker-like comment inside a line is not one")
        << before + "10.0.0.9 printer # BEGIN meshwright\n" << before + "10.0.0.9 printer # BEGIN meshwright\n" + Block << Block;
}

void tst_HostsFile::merge()
{
    QFETCH(QByteArray, live);
    QFETCH(QByteArray, merged);
    QFETCH(QByteArray, block);
    QCOMPARE(HostsFile::merge(live, block), merged);
}

void tst_HostsFile::mergeTwiceIsMergeOnce()
{
    const QByteArray live = "127.0.0.1 localhost\n# keep me\n";
    const QByteArray once = HostsFile::merge(live, Block);
    QCOMPARE(HostsFile::merge(once, Block), once);
}

void tst_HostsFile::deployTargetsCarryTheBlock()
{
    KeyStore keys;
    Project p = project();
    keys.ensure({QStringLiteral("f0"), QStringLiteral("blowfish"), QStringLiteral("pixel")}, {});
    QString error;
    auto targets = Deployment::targets(p, keys, {}, &error);
    QVERIFY2(targets, qPrintable(error));
    QCOMPARE(targets->size(), 2); // the hosts with SSH
    for (const DeployTarget &target : std::as_const(*targets)) {
        const DeployTarget::File &hosts = target.files.last();
        QCOMPARE(hosts.path, QStringLiteral("/etc/hosts"));
        QVERIFY(hosts.block);
        QCOMPARE(hosts.content, Block);
    }
    // Off (the default): an empty block, which takes out one an earlier deploy wrote and
    // leaves a file without one as it is.
    p.defaults.hostsFile = false;
    targets = Deployment::targets(p, keys, {}, &error);
    for (const DeployTarget &target : std::as_const(*targets)) {
        QCOMPARE(target.files.last().path, QStringLiteral("/etc/hosts"));
        QVERIFY(target.files.last().block);
        QVERIFY(target.files.last().content.isEmpty());
    }
}

void tst_HostsFile::generateWritesItPerHost()
{
    QTemporaryDir dir;
    KeyStore keys;
    HostConfigs::Summary summary;
    QString error;
    QVERIFY2(HostConfigs::generate(project(), keys, dir.filePath(QStringLiteral("mesh.keys")), dir.filePath(QStringLiteral("out")), {},
                             &summary, &error),
             qPrintable(error));
    for (const char *host : {"f0", "blowfish", "pixel"}) {
        QFile file(dir.filePath(QStringLiteral("out/%1/hosts").arg(QLatin1String(host))));
        QVERIFY2(file.open(QIODevice::ReadOnly), host);
        QCOMPARE(file.readAll(), Block);
    }
}

void tst_HostsFile::projectFileKeepsTheSetting()
{
    const QByteArray saved = ProjectFile::serialize(project());
    QVERIFY(saved.contains("defaults:\n  hosts_file: true\n"));
    QCOMPARE(project(saved).defaults.hostsFile, true);
    QCOMPARE(project(QByteArray(Mesh).replace("defaults: {hosts_file: true}\n", "")).defaults.hostsFile, false);
}

QTEST_APPLESS_MAIN(tst_HostsFile)
#include "tst_hostsfile.moc"
