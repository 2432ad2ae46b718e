// Tests of the deploy as one transaction, on a fleet in memory: all confirmed or all back.
#include "fakefleet.h"
#include "fleettransaction.h"
#include "hostsfile.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"

#include <QTest>

namespace {

const char *const Mesh = R"(hosts:
  lan1:
    os: Linux
    ssh: {host: 192.0.2.11, user: root}
    lan: {ip: 192.168.1.11}
    wg0: {ip: 10.9.0.11}
    exclude_peers: [phone]
  lan2:
    os: Linux
    ssh: {host: 192.0.2.12, user: root}
    lan: {ip: 192.168.1.12}
    wg0: {ip: 10.9.0.12}
    exclude_peers: [phone]
  gw1:
    os: Linux
    ssh: {host: 198.51.100.21, user: root}
    internet: {ip: 198.51.100.21}
    wg0: {ip: 10.9.0.21}
  phone:
    os: Android
    wg0: {ip: 10.9.0.50}
    exclude_peers: [lan1, lan2]
)";

} // namespace

class tst_FleetTransaction : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void firstDeployConfirmsEveryHost();
    void secondDeployChangesNothing();
    void configInOtherWordsChangesNothing();
    void hostFailingToPrepareSwitchesNothing();
    void failedLinkRollsBackEveryHost();
    void rotatedKeySwitchesBothEndsOrNeither();
    void timerThatFiredRollsBackTheOthers();
    void hostLostAfterSwitchRollsBackTheRest();
    void dryRunOnlyReads();
    void cancelBeforeTheSwitch();
    void handInstalledHostNamedForReimport();
    void jobsBoundAndOneThreadPerHost();
    void hostsBlockGoesIntoTheLiveFile();

private:
    /// Runs a deploy of the project as it is now onto m_fleet.
    DeployReport deploy(const DeployOptions &options = fastOptions(), const QStringList &hosts = {});
    static DeployOptions fastOptions()
    {
        DeployOptions options;
        options.confirmTimeout = 30;
        options.verifyTimeout = 1;
        return options;
    }
    void bringUp();

    Project m_project;
    KeyStore m_keys;
    std::unique_ptr<FakeFleet> m_fleet;
    DeployPlan m_plan;
    QList<DeployPhase> m_phases;
};

void tst_FleetTransaction::init()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::parse(Mesh, QStringLiteral("mesh.yaml"), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
    m_keys = KeyStore();
    const Planner planner(m_project);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    m_fleet = std::make_unique<FakeFleet>();
    m_phases.clear();
}

DeployReport tst_FleetTransaction::deploy(const DeployOptions &options, const QStringList &hosts)
{
    QString error;
    const auto plan = Deployment::plan(m_project, m_keys, hosts, &error);
    if (!plan)
        qFatal("no plan: %s", qPrintable(error));
    m_plan = *plan;
    m_fleet->adopt(m_plan);
    FleetTransaction::Callbacks callbacks;
    m_phases.clear();
    callbacks.phase = [this](DeployPhase phase, const QString &) { m_phases.append(phase); };
    FleetTransaction transaction(m_plan, options, m_fleet->factory(), callbacks);
    const std::atomic_bool cancelled = false;
    return transaction.run(cancelled);
}

void tst_FleetTransaction::bringUp()
{
    const DeployReport first = deploy();
    QCOMPARE(first.verdict, DeployReport::Verdict::Confirmed);
}

void tst_FleetTransaction::firstDeployConfirmsEveryHost()
{
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(m_phases, QList<DeployPhase>({DeployPhase::Prepare, DeployPhase::Switch, DeployPhase::Verify, DeployPhase::Confirm,
                                           DeployPhase::Done}));
    QCOMPARE(report.links.size(), 3);
    for (const LinkCheck &check : report.links)
        QVERIFY2(check.ok(), qPrintable(check.link.name()));
    for (const DeployTarget &target : std::as_const(m_plan.targets)) {
        QCOMPARE(report.host(target.host)->outcome, DeployResult::Outcome::Updated);
        QCOMPARE(m_fleet->hosts[target.host].commits, 1);
        QVERIFY(m_fleet->hosts[target.host].restartAsked); // a new interface comes up, never a syncconf
        QCOMPARE(m_fleet->live(target.host).front(), target.files.front().content);
    }
    QCOMPARE(report.summary(), QStringLiteral("confirmed: 3 hosts, 3 links verified (3 switched, 0 unchanged); re-import phone"));
}

void tst_FleetTransaction::secondDeployChangesNothing()
{
    bringUp();
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::Unchanged);
    QCOMPARE(m_phases, QList<DeployPhase>({DeployPhase::Prepare, DeployPhase::Done}));
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 1); // the first deploy's only
    QVERIFY(report.reimport.isEmpty());
}

void tst_FleetTransaction::configInOtherWordsChangesNothing()
{
    // An adopted estate's own files: the same interface in other words (its comments, its
    // order of peers and prefixes). Nothing is written or reloaded; a real change still is.
    bringUp();
    const QString host = m_plan.targets.front().host;
    const auto config = WgQuick::parse(m_fleet->live(host).front());
    QVERIFY(config);
    InterfaceConfig reordered = *config;
    std::reverse(reordered.peers.begin(), reordered.peers.end());
    for (PeerConfig &peer : reordered.peers) {
        peer.name.clear();
        std::reverse(peer.allowedIps.begin(), peer.allowedIps.end());
    }
    const QByteArray ownWords = WgQuick::write(reordered, QStringLiteral("written by hand"));
    QVERIFY(ownWords != m_fleet->live(host).front());
    m_fleet->hosts[host].live[0] = ownWords;
    QCOMPARE(deploy().verdict, DeployReport::Verdict::Unchanged);
    QCOMPARE(m_fleet->hosts[host].switches, 1);
    QCOMPARE(m_fleet->live(host).front(), ownWords);
    // A peer's keepalive changed by hand is a change.
    reordered.peers.front().persistentKeepalive = 99;
    m_fleet->hosts[host].live[0] = WgQuick::write(reordered);
    QCOMPARE(deploy().verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(m_fleet->hosts[host].switches, 2);
}

void tst_FleetTransaction::hostFailingToPrepareSwitchesNothing()
{
    bringUp();
    m_keys.rotate(QStringLiteral("lan1"));
    m_fleet->hosts[QStringLiteral("gw1")].failConnect
        = DeployFailure{DeployStep::Connect, DeployFailure::Problem::Network, QStringLiteral("cannot connect to 198.51.100.21:22")};
    const QHash<QString, QByteArray> before{{"lan1", m_fleet->live("lan1").front()}, {"lan2", m_fleet->live("lan2").front()}};
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::NothingSwitched);
    QCOMPARE(report.summary(), QStringLiteral("nothing switched: gw1 failed to prepare (connect: cannot connect to 198.51.100.21:22)"));
    QVERIFY(!m_phases.contains(DeployPhase::Switch));
    QCOMPARE(report.host(QStringLiteral("gw1"))->outcome, DeployResult::Outcome::Failed);
    for (const QString &name : {QStringLiteral("lan1"), QStringLiteral("lan2")}) {
        QCOMPARE(report.host(name)->outcome, DeployResult::Outcome::NotSwitched);
        QCOMPARE(m_fleet->hosts[name].switches, 1);
        QCOMPARE(m_fleet->hosts[name].discarded, 1); // its staged candidate is removed
        QCOMPARE(m_fleet->live(name).front(), before.value(name));
    }
}

void tst_FleetTransaction::failedLinkRollsBackEveryHost()
{
    bringUp();
    const QList<QByteArray> before = m_fleet->live(QStringLiteral("gw1"));
    m_project.hosts[m_project.indexOf(QStringLiteral("gw1"))].meshInterface().listenPort = 51999;
    // gw1's new port is firewalled: its links fail once it runs the new config.
    const auto plan = Deployment::plan(m_project, m_keys, {}, nullptr);
    m_fleet->hosts[QStringLiteral("gw1")].blockedWhileRunning = plan->targets.back().files.front().content;
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::RolledBack);
    QVERIFY2(report.reason.startsWith(QStringLiteral("link lan1 <-> gw1 had no reply")), qPrintable(report.reason));
    QCOMPARE(m_phases, QList<DeployPhase>({DeployPhase::Prepare, DeployPhase::Switch, DeployPhase::Verify, DeployPhase::Rollback,
                                           DeployPhase::VerifyPrevious, DeployPhase::Done}));
    // Every switched host went back, including those whose own links worked.
    for (const QString &name : {QStringLiteral("lan1"), QStringLiteral("lan2"), QStringLiteral("gw1")}) {
        QCOMPARE(report.host(name)->outcome, DeployResult::Outcome::RolledBack);
        QCOMPARE(m_fleet->hosts[name].rollbacks, 1);
    }
    QCOMPARE(m_fleet->live(QStringLiteral("gw1")), before);
    QCOMPARE(report.previousLinks.size(), 3);
    for (const LinkCheck &check : report.previousLinks)
        QVERIFY2(check.ok(), qPrintable(check.link.name()));
    QVERIFY(report.summary().endsWith(QStringLiteral("previous links: 3 of 3 work again")));
}

void tst_FleetTransaction::rotatedKeySwitchesBothEndsOrNeither()
{
    bringUp();
    m_keys.rotate(QStringLiteral("lan2"));
    // lan1 cannot switch: lan2's new key must not stay where lan1 does not know it.
    m_fleet->hosts[QStringLiteral("lan1")].failReload = true;
    const QList<QByteArray> lan2Before = m_fleet->live(QStringLiteral("lan2"));
    DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::RolledBack);
    QVERIFY2(report.reason.startsWith(QStringLiteral("lan1 failed to switch")), qPrintable(report.reason));
    QCOMPARE(m_fleet->live(QStringLiteral("lan2")), lan2Before);
    QCOMPARE(report.host(QStringLiteral("lan2"))->outcome, DeployResult::Outcome::RolledBack);
    QVERIFY(!m_phases.contains(DeployPhase::Verify)); // no point: the fleet is not on one mesh
    for (const LinkCheck &check : report.previousLinks)
        QVERIFY2(check.ok(), qPrintable(check.link.name()));

    // Retried once lan1 can switch: both ends move together, and every link answers.
    m_fleet->hosts[QStringLiteral("lan1")].failReload = false;
    report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(report.host(QStringLiteral("lan1"))->outcome, DeployResult::Outcome::Updated);
    QCOMPARE(report.host(QStringLiteral("lan2"))->outcome, DeployResult::Outcome::Updated);
    QCOMPARE(report.host(QStringLiteral("gw1"))->outcome, DeployResult::Outcome::Updated);
    QVERIFY(!m_fleet->hosts[QStringLiteral("lan1")].restartAsked); // a key in a [Peer]: wg syncconf
}

void tst_FleetTransaction::timerThatFiredRollsBackTheOthers()
{
    bringUp();
    m_keys.rotate(QStringLiteral("gw1"));
    m_fleet->hosts[QStringLiteral("lan2")].timerFires = true;
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::RolledBack);
    // lan2 went back by itself, so its links fail (or, had they not, confirming lan2 would):
    // either way every other host goes back too.
    QCOMPARE(report.host(QStringLiteral("lan1"))->outcome, DeployResult::Outcome::RolledBack);
    QCOMPARE(report.host(QStringLiteral("gw1"))->outcome, DeployResult::Outcome::RolledBack);
    QVERIFY(m_fleet->live(QStringLiteral("gw1")).front() != m_plan.targets.back().files.front().content);
    QCOMPARE(m_fleet->hosts[QStringLiteral("gw1")].commits, 1);
}

void tst_FleetTransaction::hostLostAfterSwitchRollsBackTheRest()
{
    bringUp();
    m_keys.rotate(QStringLiteral("lan1"));
    m_fleet->hosts[QStringLiteral("lan1")].lostAfterSwitch = true;
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::RolledBack);
    const DeployResult *lost = report.host(QStringLiteral("lan1"));
    QCOMPARE(lost->outcome, DeployResult::Outcome::RolledBack);
    QVERIFY2(lost->reason.contains(QStringLiteral("by its own timer")), qPrintable(lost->reason));
    QCOMPARE(m_fleet->hosts[QStringLiteral("lan1")].rollbacks, 0); // nobody can reach it: its timer does
    QCOMPARE(m_fleet->hosts[QStringLiteral("lan2")].rollbacks, 1);
    QCOMPARE(m_fleet->hosts[QStringLiteral("gw1")].rollbacks, 1);
}

void tst_FleetTransaction::dryRunOnlyReads()
{
    bringUp();
    m_keys.rotate(QStringLiteral("gw1"));
    DeployOptions options = fastOptions();
    options.dryRun = true;
    const DeployReport report = deploy(options);
    QCOMPARE(report.verdict, DeployReport::Verdict::DryRun);
    QCOMPARE(report.reimport, QStringList{QStringLiteral("phone")}); // its gateway's key changes
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 1);
    QVERIFY(report.host(QStringLiteral("gw1"))->diff.contains(QStringLiteral("PrivateKey = \u2022\u2022\u2022\u2022 (hidden)")));
}

void tst_FleetTransaction::cancelBeforeTheSwitch()
{
    bringUp();
    m_keys.rotate(QStringLiteral("gw1"));
    QString error;
    m_plan = *Deployment::plan(m_project, m_keys, {}, &error);
    std::atomic_bool cancelled = false;
    FleetTransaction::Callbacks callbacks;
    callbacks.prepared = [&](const DeployReport &) { cancelled = true; }; // the user clicks Cancel as the plan shows
    FleetTransaction transaction(m_plan, fastOptions(), m_fleet->factory(), callbacks);
    const DeployReport report = transaction.run(cancelled);
    QCOMPARE(report.verdict, DeployReport::Verdict::Cancelled);
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 1);
}

void tst_FleetTransaction::handInstalledHostNamedForReimport()
{
    const DeployReport first = deploy();
    QCOMPARE(first.reimport, QStringList{QStringLiteral("phone")}); // it never had its config
    QCOMPARE(deploy().reimport, QStringList());
    // lan1's key touches nothing the phone has; gw1's does.
    m_keys.rotate(QStringLiteral("lan1"));
    QCOMPARE(deploy().reimport, QStringList());
    m_keys.rotate(QStringLiteral("gw1"));
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::Confirmed); // the phone is named, not awaited
    QCOMPARE(report.reimport, QStringList{QStringLiteral("phone")});
}

void tst_FleetTransaction::jobsBoundAndOneThreadPerHost()
{
    DeployOptions options = fastOptions();
    options.jobs = 1;
    QCOMPARE(deploy(options).verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(m_fleet->mostBusy.load(), 1);
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts)) {
        if (host.calledOn.isEmpty())
            continue; // the phone
        // Each agent is made and used on one thread of its own, never the caller's.
        QCOMPARE(host.calledOn.size(), 1);
        QVERIFY(host.calledOn.contains(host.madeOn));
        QVERIFY(host.madeOn != std::this_thread::get_id());
    }
}

void tst_FleetTransaction::hostsBlockGoesIntoTheLiveFile()
{
    bringUp();
    // Every host has an /etc/hosts of its own; the project now asks for the mesh's names.
    const QByteArray own = "127.0.0.1 localhost\n# the admin's printer\n10.0.0.9 printer";
    for (FakeFleet::Host &host : m_fleet->hosts)
        host.live.last() = own; // /etc/hosts is every target's last file
    m_project.defaults.hostsFile = true;
    const DeployReport report = deploy();
    QCOMPARE(report.verdict, DeployReport::Verdict::Confirmed);
    const QByteArray merged = HostsFile::merge(own, HostsFile::block(m_project));
    QVERIFY(merged.startsWith(own + '\n'));
    for (const DeployTarget &target : std::as_const(m_plan.targets)) {
        QCOMPARE(target.files.last().path, QStringLiteral("/etc/hosts"));
        QCOMPARE(m_fleet->live(target.host).last(), merged); // the rest kept byte for byte
        QVERIFY(!m_fleet->hosts[target.host].restartAsked); // names only: no interface restart
        QVERIFY(report.host(target.host)->diff.contains(QLatin1String("/etc/hosts")));
    }
    // Merged again into what the hosts now have: nothing to do.
    QCOMPARE(deploy().verdict, DeployReport::Verdict::Unchanged);
    // Turned off: the block comes out, the host's own lines stay as they were.
    m_project.defaults.hostsFile = false;
    QCOMPARE(deploy().verdict, DeployReport::Verdict::Confirmed);
    for (const DeployTarget &target : std::as_const(m_plan.targets))
        QCOMPARE(m_fleet->live(target.host).last(), own + '\n');
}

QTEST_APPLESS_MAIN(tst_FleetTransaction)
#include "tst_fleettransaction.moc"
