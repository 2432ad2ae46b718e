// Tests of a host's jobs: the failover watchdog of a client with several exits and the
// re-resolution of endpoints given by name; which hosts get them, what their lists say, and
// what a deploy installs and removes.
#include "deployment.h"
#include "hostjobs.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "validator.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class tst_HostJobs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void laptopFailsOverAndReresolves();
    void exitOrderAndHoldDown();
    void onlyWhereNeeded();
    void bsdReresolvesFromTheSystemCrontab();
    void deployRemovesJobsNoLongerNeeded();
    void scriptsAreValidShell();
    void holdDownRoundTrips();
    void gatewayDialledByItsName();

private:
    Project load(const QByteArray &extraLaptop = {}, const QByteArray &defaults = {});
    QList<PlannedInterface> plan(const Project &project, const QString &host);
    static QByteArray fileAt(const QList<HostJobs::File> &files, const QString &path);

    KeyStore m_keys;
};

namespace {

// Two internet gateways; a Linux laptop with both as exits, dialling gw2 by name; a FreeBSD
// roaming host that also dials gw2 by name; an Android phone with both as exits.
const QByteArray Mesh = R"(network: {ipv4: '10.77.0.0/24', ipv6: 'fd77::/64'}
defaults: {dns: []@DEFAULTS@}
hosts:
  gw1:
    os: Linux
    internet: {ip: '198.18.77.21'}
    wg0: {ip: '10.77.0.21', ipv6: 'fd77::21'}
  gw2:
    os: Linux
    internet: {ip: '198.18.77.22'}
    wg0: {ip: '10.77.0.22', ipv6: 'fd77::22'}
  laptop:
    os: Linux
    wg0: {ip: '10.77.0.31', ipv6: 'fd77::31'}
    exclude_peers: [bsd, phone]
@LAPTOP@
  bsd:
    os: FreeBSD
    wg0: {ip: '10.77.0.41'}
    exclude_peers: [laptop, phone]
  phone:
    os: Android
    wg0: {ip: '10.77.0.51'}
    exclude_peers: [laptop, bsd]
links:
  - hosts: [laptop, gw2]
    endpoint: {gw2: 'gw2.example.net:56709'}
  - hosts: [bsd, gw2]
    endpoint: {gw2: 'gw2.example.net:56709'}
  - hosts: [phone, gw2]
    endpoint: {gw2: 'gw2.example.net:56709'}
)";

QStringList paths(const QList<HostJobs::File> &files)
{
    QStringList result;
    for (const HostJobs::File &file : files)
        result.append(file.path);
    return result;
}

} // namespace

void tst_HostJobs::initTestCase()
{
    const Project project = load();
    const Planner planner(project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
}

Project tst_HostJobs::load(const QByteArray &extraLaptop, const QByteArray &defaults)
{
    QByteArray yaml = Mesh;
    yaml.replace("@LAPTOP@", extraLaptop);
    yaml.replace("@DEFAULTS@", defaults);
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("jobs.yaml"), &error);
    if (!project)
        qFatal("%s", qPrintable(error.toString()));
    return *project;
}

QList<PlannedInterface> tst_HostJobs::plan(const Project &project, const QString &host)
{
    return Planner(project).planAll(project.indexOf(host), m_keys);
}

QByteArray tst_HostJobs::fileAt(const QList<HostJobs::File> &files, const QString &path)
{
    for (const HostJobs::File &file : files) {
        if (file.path == path)
            return file.content;
    }
    return {};
}

void tst_HostJobs::laptopFailsOverAndReresolves()
{
    const Project project = load();
    const QList<PlannedInterface> laptop = plan(project, QStringLiteral("laptop"));
    QCOMPARE(laptop.size(), 1);
    const PlannedInterface &wg0 = laptop.front();

    // The exits in file order; the first holds the default route, and every exit keeps
    // its own addresses when it does not (the watchdog's probes must reach it).
    QCOMPARE(wg0.exits.size(), 2);
    QCOMPARE(wg0.exits[0].name, QStringLiteral("gw1"));
    QCOMPARE(wg0.exits[1].name, QStringLiteral("gw2"));
    QCOMPARE(wg0.defaultRoutes, QStringList({"0.0.0.0/0", "::/0"}));
    QCOMPARE(wg0.exits[0].allowedIps, QStringList({"10.77.0.21/32", "fd77::21/128"}));
    QCOMPARE(wg0.exits[0].probe, QStringList({"10.77.0.21", "fd77::21"}));
    QCOMPARE(wg0.exits[1].allowedIps, QStringList({"10.77.0.22/32", "fd77::22/128"}));
    QCOMPARE(wg0.config.peers[0].allowedIps, QStringList({"0.0.0.0/0", "::/0"})); // the config itself is unchanged

    // gw2 is dialled by name, gw1 by its address.
    QCOMPARE(wg0.namedEndpoints.size(), 1);
    QCOMPARE(wg0.namedEndpoints[0].name, QStringLiteral("gw2"));
    QCOMPARE(wg0.namedEndpoints[0].endpoint, QStringLiteral("gw2.example.net:56709"));
    QCOMPARE(wg0.namedEndpoints[0].publicKey, wg0.config.peers[1].publicKey);

    const QList<HostJobs::File> files = HostJobs::files(project, project.indexOf(QStringLiteral("laptop")), laptop);
    QCOMPARE(paths(files), QStringList({"/etc/meshwright/wg0.exits", "/etc/meshwright/wg0.endpoints", "/etc/meshwright/failover",
                                        "/etc/meshwright/reresolve", "/etc/systemd/system/meshwright-failover@.service",
                                        "/etc/systemd/system/meshwright-reresolve@.service",
                                        "/etc/systemd/system/meshwright-reresolve@.timer", "/etc/cron.d/meshwright"}));
    const QByteArray exits = fileAt(files, QStringLiteral("/etc/meshwright/wg0.exits"));
    QVERIFY(exits.contains("\ninterval 1\nmisses 3\nhold_down 60\ndefault 0.0.0.0/0,::/0\n"));
    QVERIFY(exits.contains("\nexit gw1 " + wg0.exits[0].publicKey.toLatin1() + " 10.77.0.21,fd77::21 10.77.0.21/32,fd77::21/128\n"));
    QVERIFY(exits.endsWith("\nexit gw2 " + wg0.exits[1].publicKey.toLatin1() + " 10.77.0.22,fd77::22 10.77.0.22/32,fd77::22/128\n"));
    QVERIFY(fileAt(files, QStringLiteral("/etc/meshwright/wg0.endpoints"))
                .endsWith("\ngw2 " + wg0.namedEndpoints[0].publicKey.toLatin1() + " gw2.example.net:56709\n"));
    // Cron runs them only where systemd does not.
    const QByteArray cron = fileAt(files, QStringLiteral("/etc/cron.d/meshwright"));
    QVERIFY(cron.contains("root\t[ -d /run/systemd/system ] || sh /etc/meshwright/reresolve wg0 "));
    QVERIFY(cron.contains("root\t[ -d /run/systemd/system ] || { sleep 30; sh /etc/meshwright/reresolve wg0; }"));
    QVERIFY(cron.contains("root\t[ -d /run/systemd/system ] || sh /etc/meshwright/failover wg0 --detach"));
    QVERIFY(fileAt(files, QStringLiteral("/etc/systemd/system/meshwright-reresolve@.timer")).contains("\nOnUnitActiveSec=30s\n"));

    const QStringList said = HostJobs::describe(project.hosts[project.indexOf(QStringLiteral("laptop"))], wg0, project);
    QCOMPARE(said.size(), 2);
    QVERIFY2(said[0].startsWith(QLatin1String("wg0: fails over between exits gw1, gw2: ")), qPrintable(said[0]));
    QCOMPARE(said[1], QStringLiteral("wg0: re-resolves gw2.example.net every 30 s while gw2 has had no handshake for 135 s"));
}

void tst_HostJobs::exitOrderAndHoldDown()
{
    const Project project = load("    exits: [gw2, gw1]\n", ", failover_hold_down: 90");
    const QList<PlannedInterface> laptop = plan(project, QStringLiteral("laptop"));
    const QByteArray exits = fileAt(HostJobs::files(project, project.indexOf(QStringLiteral("laptop")), laptop),
                                    QStringLiteral("/etc/meshwright/wg0.exits"));
    QVERIFY(exits.contains("\nhold_down 90\n"));
    const qsizetype gw2 = exits.indexOf("\nexit gw2 ");
    const qsizetype gw1 = exits.indexOf("\nexit gw1 ");
    QVERIFY(gw2 > 0 && gw1 > gw2);
}

void tst_HostJobs::onlyWhereNeeded()
{
    const Project project = load();
    // The gateways dial nobody by name and have no exits; the phone cannot run a job.
    for (const char *name : {"gw1", "gw2", "phone"}) {
        const QString host = QString::fromLatin1(name);
        QVERIFY2(HostJobs::files(project, project.indexOf(host), plan(project, host)).isEmpty(), name);
    }
    // One gateway only: no failover, re-resolution stays.
    Project one = load();
    one.hosts[one.indexOf(QStringLiteral("laptop"))].excludePeers = QStringList({"bsd", "phone", "gw1"});
    const QList<PlannedInterface> laptop = plan(one, QStringLiteral("laptop"));
    QVERIFY(laptop.front().exits.isEmpty());
    const QStringList written = paths(HostJobs::files(one, one.indexOf(QStringLiteral("laptop")), laptop));
    QVERIFY(!written.contains(QStringLiteral("/etc/meshwright/failover")));
    QVERIFY(written.contains(QStringLiteral("/etc/meshwright/reresolve")));
    // A laptop that does not send everything through the gateways has no exits.
    Project split = load("    gateway: false\n");
    QVERIFY(plan(split, QStringLiteral("laptop")).front().exits.isEmpty());
}

void tst_HostJobs::bsdReresolvesFromTheSystemCrontab()
{
    const Project project = load();
    const qsizetype bsd = project.indexOf(QStringLiteral("bsd"));
    const QList<PlannedInterface> interfaces = plan(project, QStringLiteral("bsd"));
    QCOMPARE(interfaces.front().exits.size(), 2); // it has two exits, but no watchdog on FreeBSD
    const QList<HostJobs::File> files = HostJobs::files(project, bsd, interfaces);
    QCOMPARE(paths(files), QStringList({"/etc/meshwright/wg0.endpoints", "/etc/meshwright/reresolve", "/etc/crontab"}));
    QVERIFY(files.last().block);
    QVERIFY(files.last().content.startsWith("# BEGIN meshwright"));
    QVERIFY(files.last().content.endsWith("root\t{ sleep 30; sh /etc/meshwright/reresolve wg0; } >/dev/null 2>&1\n# END meshwright\n"));
    const QStringList said = HostJobs::describe(project.hosts[bsd], interfaces.front(), project);
    QVERIFY2(said.value(0).contains(QLatin1String("no failover watchdog on FreeBSD")), qPrintable(said.join('\n')));
}

void tst_HostJobs::deployRemovesJobsNoLongerNeeded()
{
    // Every path a job may use is in a deploy: what the host needs with its content, the
    // rest empty (deleted where an earlier deploy left it), loaded without an interface restart.
    Project project = load();
    for (Host &host : project.hosts) {
        host.ssh = SshSettings{};
        host.ssh->host = host.name;
    }
    const Planner planner(project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QString error;
    const auto targets = Deployment::targets(project, m_keys, {QStringLiteral("laptop"), QStringLiteral("gw1")}, &error);
    QVERIFY2(targets, qPrintable(error));
    const DeployTarget &gw1 = (*targets)[0];
    const DeployTarget &laptop = (*targets)[1];
    QCOMPARE(gw1.host, QStringLiteral("gw1"));
    QStringList gw1Jobs;
    for (const DeployTarget::File &file : gw1.files) {
        if (HostJobs::isJobPath(file.path)) {
            gw1Jobs.append(file.path);
            QVERIFY2(file.content.isEmpty(), qPrintable(file.path));
        }
    }
    QStringList laptopJobs;
    for (const DeployTarget::File &file : laptop.files) {
        if (HostJobs::isJobPath(file.path)) {
            laptopJobs.append(file.path);
            QVERIFY2(!file.content.isEmpty(), qPrintable(file.path));
        }
    }
    std::sort(gw1Jobs.begin(), gw1Jobs.end());
    std::sort(laptopJobs.begin(), laptopJobs.end());
    QCOMPARE(gw1Jobs, laptopJobs); // the same paths: present on one, absent on the other
    QCOMPARE(laptop.files.last().path, QStringLiteral("/etc/hosts"));
    QVERIFY(!HostJobs::isJobPath(QStringLiteral("/etc/wireguard/wg0.conf")));
    QVERIFY(!HostJobs::isJobPath(QStringLiteral("/etc/hosts")));
    // Phones and routers: nothing.
    QVERIFY(HostJobs::deployFiles(project, project.indexOf(QStringLiteral("phone")), plan(project, QStringLiteral("phone"))).isEmpty());
}

void tst_HostJobs::scriptsAreValidShell()
{
    // The scripts run with /bin/sh (dash here, like Debian; sh on the BSDs): `sh -n` parses them.
    const Project project = load();
    const qsizetype laptop = project.indexOf(QStringLiteral("laptop"));
    const QList<HostJobs::File> files = HostJobs::files(project, laptop, plan(project, QStringLiteral("laptop")));
    QTemporaryDir dir;
    for (const char *name : {"failover", "reresolve"}) {
        const QByteArray script = fileAt(files, QStringLiteral("/etc/meshwright/") + QLatin1String(name));
        QVERIFY(script.startsWith("#!/bin/sh\n"));
        QVERIFY2(!QString::fromUtf8(script).contains(QRegularExpression(QStringLiteral("@[A-Z]+@"))), name); // every placeholder filled
        QProcess sh;
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-n")});
        sh.write(script);
        sh.closeWriteChannel();
        QVERIFY(sh.waitForFinished());
        QVERIFY2(sh.exitCode() == 0, qPrintable(QString::fromUtf8(sh.readAllStandardError())));
    }
}

void tst_HostJobs::holdDownRoundTrips()
{
    const Project project = load({}, ", failover_hold_down: 45");
    QCOMPARE(project.defaults.failoverHoldDown, 45);
    ProjectFile::LoadError error;
    const auto again = ProjectFile::parse(ProjectFile::serialize(project), QStringLiteral("again.yaml"), &error);
    QVERIFY2(again, qPrintable(error.toString()));
    QCOMPARE(again->defaults.failoverHoldDown, 45);
    QVERIFY(!ProjectFile::serialize(load()).contains("failover_hold_down")); // the default is not written
    QVERIFY(!ProjectFile::parse(QByteArray(Mesh).replace("@LAPTOP@", "").replace("@DEFAULTS@", ", failover_hold_down: 1"),
                                QStringLiteral("bad.yaml"), &error));
    QVERIFY2(error.toString().contains(QLatin1String("failover_hold_down")), qPrintable(error.toString()));
}

void tst_HostJobs::gatewayDialledByItsName()
{
    // A gateway behind dynamic DNS: a domain and no address. Its peers dial NAME.DOMAIN, and
    // those that can run the job re-resolve it.
    QByteArray yaml = QByteArray(Mesh).replace("@LAPTOP@", "").replace("@DEFAULTS@", "");
    yaml.replace("    internet: {ip: '198.18.77.22'}\n", "    internet: {domain: 'dyn.example.net'}\n");
    yaml.truncate(yaml.indexOf("links:\n"));
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(yaml, QStringLiteral("dyn.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    const Host &gw2 = project->hosts[project->indexOf(QStringLiteral("gw2"))];
    QVERIFY(gw2.internet && gw2.internet->ip.isEmpty());
    const QList<Diagnostic> findings = Validator::validate(*project);
    QVERIFY2(std::none_of(findings.cbegin(), findings.cend(), [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; }),
             qPrintable(findings.value(0).toString()));

    const QList<PlannedInterface> laptop = plan(*project, QStringLiteral("laptop"));
    QCOMPARE(laptop.front().namedEndpoints.size(), 1);
    QCOMPARE(laptop.front().namedEndpoints[0].endpoint, QStringLiteral("gw2.dyn.example.net:56709"));
    // gw1 dials it too (the gateways are peers), by name.
    const QList<PlannedInterface> gw1 = plan(*project, QStringLiteral("gw1"));
    QCOMPARE(gw1.front().namedEndpoints.size(), 1);
    QVERIFY(fileAt(HostJobs::files(*project, project->indexOf(QStringLiteral("gw1")), gw1), QStringLiteral("/etc/meshwright/wg0.endpoints"))
                .contains(" gw2.dyn.example.net:56709\n"));

    // Saved without an address, read back the same.
    const QByteArray saved = ProjectFile::serialize(*project);
    QVERIFY2(saved.contains("    internet:\n      domain: 'dyn.example.net'\n    wg0:"), saved.constData());
    QCOMPARE(*ProjectFile::parse(saved, QStringLiteral("again.yaml"), &error), *project);
    // Neither an address nor a domain: refused, with where.
    QVERIFY(!ProjectFile::parse(QByteArray(yaml).replace("    internet: {domain: 'dyn.example.net'}\n", "    internet: {}\n"),
                                QStringLiteral("bad.yaml"), &error));
    QVERIFY2(error.toString().contains(QLatin1String("bad.yaml:")) && error.toString().contains(QLatin1String("ip")),
             qPrintable(error.toString()));
}

QTEST_GUILESS_MAIN(tst_HostJobs)
#include "tst_hostjobs.moc"
