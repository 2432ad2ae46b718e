// Tests of what a deploy sends where and checks: targets, links, restart-or-syncconf, re-imports, rotations, diffs.
#include "deployment.h"
#include "hostjobs.h"
#include "deployreport.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QDir>
#include <QJsonArray>
#include <QTest>

class tst_Deployment : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void targets();
    void refusesHostsWithoutSsh();
    void pollTargetsNeedNoKeys();
    void planLinksHandInstalledAndWaiting();
    void linksFollowKeysAndAddresses();
    void needsRestart_data();
    void needsRestart();
    void changesFor_data();
    void changesFor();
    void settleRotations();
    void optionsFromUser();
    void reportSummary();
    void diffMasksKeys();

private:
    Project m_project;
};

void tst_Deployment::initTestCase()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY2(project, qPrintable(error.toString()));
    m_project = *project;
}

void tst_Deployment::targets()
{
    Project project = m_project;
    project.hosts[project.indexOf(QStringLiteral("k3s-a"))].ssh->host = QStringLiteral("192.168.10.31");
    project.hosts[project.indexOf(QStringLiteral("k3s-b"))].ssh->identity = QStringLiteral("~/.ssh/lab");
    KeyStore keys;
    QString error;
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const auto targets = Deployment::targets(project, keys, {}, &error);
    QVERIFY2(targets, qPrintable(error));
    QStringList names;
    for (const DeployTarget &target : *targets)
        names.append(target.host);
    QCOMPARE(names, QStringList({"nas", "k3s-a", "k3s-b", "puffer", "cloudgw"})); // those with ssh, in file order
    const DeployTarget &nas = (*targets)[0];
    QCOMPARE(nas.address, QStringLiteral("nas.home.example.net")); // NAME.DOMAIN, as wireguardmeshgenerator does
    QCOMPARE(nas.user, QStringLiteral("admin"));
    QCOMPARE(nas.sudoCmd, QStringLiteral("doas"));
    // Every file but the jobs' (which this project does not need: each is empty, to remove).
    const auto ownFiles = [](const DeployTarget &target) {
        QList<DeployTarget::File> files;
        for (const DeployTarget::File &file : target.files) {
            if (!HostJobs::isJobPath(file.path))
                files.append(file);
        }
        return files;
    };
    for (const DeployTarget &target : *targets) {
        for (const DeployTarget::File &file : target.files)
            QVERIFY2(!HostJobs::isJobPath(file.path) || file.content.isEmpty(), qPrintable(target.host + QLatin1String(": ") + file.path));
    }
    const QList<DeployTarget::File> nasFiles = ownFiles(nas);
    QCOMPARE(nasFiles.size(), 2); // wg0.conf and the /etc/hosts block
    QCOMPARE(nasFiles[0].path, QStringLiteral("/usr/local/etc/wireguard/wg0.conf"));
    QCOMPARE(nasFiles[1].path, QStringLiteral("/etc/hosts"));
    QCOMPARE(nas.files.last().path, QStringLiteral("/etc/hosts"));
    const auto config = WgQuick::parse(nasFiles[0].content);
    QVERIFY(config);
    QCOMPARE(config->privateKey, keys.privateKey(QStringLiteral("nas")));
    QCOMPARE(nas.interfaces, QStringList{QStringLiteral("wg0")});
    QCOMPARE((*targets)[1].address, QStringLiteral("192.168.10.31"));
    QCOMPARE((*targets)[2].identity, QDir::homePath() + QStringLiteral("/.ssh/lab"));
    QCOMPARE((*targets)[3].port, 2222);
    // OpenBSD: netstart reads /etc/hostname.wg0, so it goes along; as the roaming clients'
    // exit gateway it also gets its pf rules.
    const QList<DeployTarget::File> puffer = ownFiles((*targets)[3]);
    QCOMPARE(puffer.size(), 4); // and /etc/hosts, last (an empty block: hosts_file is off)
    QCOMPARE(puffer[3].path, QStringLiteral("/etc/hosts"));
    QVERIFY(puffer[3].block && puffer[3].content.isEmpty());
    QCOMPARE(puffer[1].path, QStringLiteral("/etc/hostname.wg0"));
    QCOMPARE(puffer[2].path, QStringLiteral("/etc/pf-meshwright.conf"));
    QVERIFY(puffer[1].content.contains("\nwgkey " + keys.privateKey(QStringLiteral("puffer")).toLatin1() + '\n'));
    QCOMPARE((*targets)[3].address, QStringLiteral("puffer.puffer.example.org"));
    QVERIFY(keys.presharedKeyCount() > 0);

    const auto some = Deployment::targets(project, keys, {QStringLiteral("cloudgw")}, &error);
    QCOMPARE(some->size(), 1);
    QCOMPARE(some->front().reloadCmd, QStringLiteral("systemctl restart wg-quick@wg0.service"));
}

void tst_Deployment::refusesHostsWithoutSsh()
{
    KeyStore keys;
    QString error;
    QVERIFY(!Deployment::targets(m_project, keys, {QStringLiteral("phone")}, &error));
    QCOMPARE(error, QStringLiteral("phone has no ssh settings: it is installed by hand (its QR code or configs)"));
    QVERIFY(!Deployment::targets(m_project, keys, {QStringLiteral("toaster")}, &error));
    QCOMPARE(error, QStringLiteral("no host 'toaster'"));
}

void tst_Deployment::pollTargetsNeedNoKeys()
{
    // Polling reads where to log in and which interfaces to read from the project alone;
    // the answer is the login part of a deploy's targets, interfaces in the same order,
    // on a router with one interface per peer too.
    ProjectFile::LoadError loadError;
    auto router = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/e2e/router-k8s-testbed.yaml")), &loadError);
    QVERIFY2(router, qPrintable(loadError.toString()));
    for (Host &host : router->hosts) {
        host.ssh = SshSettings{};
        host.ssh->user = QStringLiteral("admin");
        host.ssh->identity = QStringLiteral("~/.ssh/id_mesh");
        host.ssh->sudoCmd = QStringLiteral("doas");
    }
    for (const Project &project : {m_project, *router}) {
        QString error;
        const auto polled = Deployment::pollTargets(project, &error);
        QVERIFY2(polled, qPrintable(error));
        KeyStore keys;
        const Planner planner(project);
        keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
        const auto deployed = Deployment::targets(project, keys, {}, &error);
        QVERIFY2(deployed, qPrintable(error));
        QCOMPARE(polled->size(), deployed->size());
        for (qsizetype i = 0; i < polled->size(); ++i) {
            const PollTarget &p = polled->at(i);
            const DeployTarget &d = deployed->at(i);
            QCOMPARE(p.host, d.host);
            QCOMPARE(p.address, d.address);
            QCOMPARE(p.port, d.port);
            QCOMPARE(p.user, d.user);
            QCOMPARE(p.identity, d.identity);
            QCOMPARE(p.sudoCmd, d.sudoCmd);
            QCOMPARE(p.interfaces, d.interfaces);
        }
    }
    const auto routerTargets = Deployment::pollTargets(*router, nullptr);
    QCOMPARE(routerTargets->front().interfaces, QStringList({QStringLiteral("wg0"), QStringLiteral("wg1")}));
    QCOMPARE(routerTargets->front().identity, QDir::homePath() + QStringLiteral("/.ssh/id_mesh"));
    // A host with ssh but nowhere to connect to is named.
    Project lost = m_project;
    for (Host &host : lost.hosts) {
        if (host.ssh && host.name == QLatin1String("nas")) {
            host.ssh->host.clear();
            host.lan.reset();
        }
    }
    QString error;
    QVERIFY(!Deployment::pollTargets(lost, &error));
    QCOMPARE(error, QStringLiteral("nas: no address to connect to (set ssh.host)"));
}

void tst_Deployment::planLinksHandInstalledAndWaiting()
{
    KeyStore keys;
    const Planner planner(m_project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QString error;
    const auto plan = Deployment::plan(m_project, keys, {}, &error);
    QVERIFY2(plan, qPrintable(error));
    // Every pair of the five SSH hosts is linked: ten links, each checked once.
    QStringList names;
    for (const DeployLink &link : plan->links)
        names.append(link.name());
    QCOMPARE(names, QStringList({"nas <-> k3s-a", "nas <-> k3s-b", "nas <-> puffer", "nas <-> cloudgw", "k3s-a <-> k3s-b",
                                 "k3s-a <-> puffer", "k3s-a <-> cloudgw", "k3s-b <-> puffer", "k3s-b <-> cloudgw", "puffer <-> cloudgw"}));
    const DeployLink &toGateway = plan->links[2];
    // The LAN host knows the gateway's endpoint; the gateway does not know the LAN host's.
    QCOMPARE(toGateway.from, QStringLiteral("nas"));
    QCOMPARE(toGateway.to, QStringLiteral("puffer"));
    QCOMPARE(toGateway.interfaceName, QStringLiteral("wg0"));
    QCOMPARE(toGateway.peerKey, keys.publicKey(QStringLiteral("puffer")));
    // OpenBSD's addresses come from hostname.wg0; both families are checked.
    QCOMPARE(toGateway.addresses, QStringList({"10.77.0.1", "fd77:77::1"}));
    QStringList hand;
    for (const DeployPlan::HandInstalled &host : plan->handInstalled)
        hand.append(host.host + QLatin1Char(' ') + host.publicKey);
    QCOMPARE(hand, QStringList({"laptop " + keys.publicKey(QStringLiteral("laptop")), "phone " + keys.publicKey(QStringLiteral("phone"))}));
    QVERIFY(plan->waiting.isEmpty());

    // A subset: links to SSH hosts left out wait, and are not verified.
    const auto subset = Deployment::plan(m_project, keys, {QStringLiteral("k3s-a"), QStringLiteral("nas")}, &error);
    QVERIFY2(subset, qPrintable(error));
    QCOMPARE(subset->hostNames(), QStringList({"nas", "k3s-a"})); // file order, whatever order was asked
    QCOMPARE(subset->links.size(), 1);
    QCOMPARE(subset->waiting, QStringList({"nas <-> k3s-b (k3s-b is left out of this deploy)",
                                           "k3s-a <-> k3s-b (k3s-b is left out of this deploy)",
                                           "nas <-> puffer (puffer is left out of this deploy)",
                                           "k3s-a <-> puffer (puffer is left out of this deploy)",
                                           "nas <-> cloudgw (cloudgw is left out of this deploy)",
                                           "k3s-a <-> cloudgw (cloudgw is left out of this deploy)"}));
    QVERIFY(subset->handInstalled.isEmpty()); // neither has a peer installed by hand
}

void tst_Deployment::linksFollowKeysAndAddresses()
{
    KeyStore keys;
    const Planner planner(m_project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QString error;
    const auto targets = Deployment::targets(m_project, keys, {QStringLiteral("k3s-a"), QStringLiteral("k3s-b")}, &error);
    QVERIFY2(targets, qPrintable(error));
    const QList<Deployment::HostFiles> before{{"k3s-a", (*targets)[0].files}, {"k3s-b", (*targets)[1].files}};
    QCOMPARE(Deployment::linksBetween(before).size(), 1);
    QCOMPARE(Deployment::linksBetween(before).front().addresses, QStringList({"10.77.0.32", "fd77:77::32"}));

    // k3s-b rotated its key, k3s-a was not told: k3s-b still has k3s-a as a peer, so the
    // half link is checked (and its echo will fail), sent by k3s-b, which still knows the way.
    keys.rotate(QStringLiteral("k3s-b"));
    const auto rotated = Deployment::targets(m_project, keys, {QStringLiteral("k3s-b")}, &error);
    const auto half = Deployment::linksBetween({before[0], {"k3s-b", rotated->front().files}});
    QCOMPARE(half.size(), 1);
    QCOMPARE(half.front().from, QStringLiteral("k3s-b"));
    QCOMPARE(half.front().peerKey, keys.runningPublicKey(QStringLiteral("k3s-a")));
    // Neither end has the other: no link at all.
    QVERIFY(Deployment::linksBetween({before[0], {"k3s-b", {}}}).isEmpty());

    // Without IPv6 at one end, only IPv4 is checked.
    Project v4 = m_project;
    v4.hosts[v4.indexOf(QStringLiteral("k3s-a"))].meshInterface().ipv6.clear();
    const auto mixed = Deployment::targets(v4, keys, {QStringLiteral("k3s-a"), QStringLiteral("k3s-b")}, &error);
    const auto links = Deployment::linksBetween({{"k3s-a", (*mixed)[0].files}, {"k3s-b", (*mixed)[1].files}});
    QCOMPARE(links.size(), 1);
    QCOMPARE(links.front().addresses, QStringList{QStringLiteral("10.77.0.32")});
}

void tst_Deployment::needsRestart_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<bool>("restart");
    const QByteArray base = "[Interface]\nAddress = 10.0.0.1/24\nListenPort = 51820\nPrivateKey = a\n\n[Peer]\nPublicKey = b\nAllowedIPs = 10.0.0.2/32\n";
    QTest::newRow("same") << base << base << false;
    QTest::newRow("a peer added") << base << base + "\n[Peer]\nPublicKey = c\nAllowedIPs = 10.0.0.3/32\n" << false;
    QTest::newRow("port and key") << base << QByteArray(base).replace("51820", "51821").replace("PrivateKey = a", "PrivateKey = z") << false;
    QTest::newRow("address") << base << QByteArray(base).replace("10.0.0.1/24", "10.0.0.9/24") << true;
    QTest::newRow("MTU") << base << QByteArray(base).replace("PrivateKey = a\n", "PrivateKey = a\nMTU = 1420\n") << true;
    QTest::newRow("PostUp") << base << QByteArray(base).replace("PrivateKey = a\n", "PrivateKey = a\nPostUp = true\n") << true;
    QTest::newRow("Table") << base << QByteArray(base).replace("PrivateKey = a\n", "PrivateKey = a\nTable = off\n") << true;
    QTest::newRow("unreadable before") << QByteArray("garbage") << base << true;
    // wg-quick routes a /0 with policy rules it sets up only at `up`.
    QTest::newRow("a /0 added") << base << QByteArray(base).replace("10.0.0.2/32", "0.0.0.0/0") << true;
    const QByteArray full = QByteArray(base).replace("10.0.0.2/32", "0.0.0.0/0, ::/0");
    QTest::newRow("a /0 kept, a peer added") << full << full + "\n[Peer]\nPublicKey = c\nAllowedIPs = 10.0.0.3/32\n" << false;
}

void tst_Deployment::needsRestart()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QTEST(Deployment::needsRestart(before, after), "restart");
}

void tst_Deployment::changesFor_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<bool>("changes");
    const QString gateway = WireGuardKeys::generatePrivateKey();
    const QString psk = WireGuardKeys::generatePresharedKey();
    const QByteArray base = "[Interface]\nAddress = 10.0.0.1\nListenPort = 51820\nPrivateKey = " + gateway.toLatin1()
        + "\n\n[Peer]\nPublicKey = PHONE\nPresharedKey = " + psk.toLatin1() + "\nAllowedIPs = 10.0.0.50/32\n"
        + "\n[Peer]\nPublicKey = OTHER\nAllowedIPs = 10.0.0.2/32\nEndpoint = 192.0.2.2:51820\n";
    QTest::newRow("same") << base << base << false;
    QTest::newRow("another peer changed") << base << QByteArray(base).replace("192.0.2.2", "192.0.2.3") << false;
    QTest::newRow("the gateway's key rotated") << base << QByteArray(base).replace(gateway.toLatin1(), WireGuardKeys::generatePrivateKey().toLatin1()) << true;
    QTest::newRow("the gateway's port") << base << QByteArray(base).replace("51820\nPrivate", "51821\nPrivate") << true;
    QTest::newRow("the gateway's address") << base << QByteArray(base).replace("10.0.0.1\n", "10.0.0.9\n") << true;
    QTest::newRow("the link's PSK") << base << QByteArray(base).replace(psk.toLatin1(), WireGuardKeys::generatePresharedKey().toLatin1()) << true;
    QTest::newRow("the phone's address") << base << QByteArray(base).replace("10.0.0.50", "10.0.0.51") << true;
    QTest::newRow("the phone's key rotated") << QByteArray(base).replace("PHONE", "OLDPHONE") << base << true;
    QTest::newRow("a new phone") << QByteArray() << base << true;
    QTest::newRow("the phone removed") << base << QByteArray(base).replace("PHONE", "SOMEONE") << false;
}

void tst_Deployment::changesFor()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QTEST(Deployment::changesFor(before, after, QStringLiteral("PHONE")), "changes");
}

void tst_Deployment::settleRotations()
{
    KeyStore keys;
    const Planner planner(m_project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    keys.rotate(QStringLiteral("k3s-a"));
    keys.rotate(QStringLiteral("phone"));
    QVERIFY(keys.rotatePresharedKey(QStringLiteral("nas"), QStringLiteral("k3s-b")));
    QVERIFY(keys.rotatePresharedKey(QStringLiteral("puffer"), QStringLiteral("phone")));
    // A deploy of nas alone settles none of them: k3s-a did not take part, nor did an end of
    // each pair with SSH, and phone's peers (puffer, cloudgw) did not.
    QVERIFY(Deployment::settleRotations(m_project, {QStringLiteral("nas")}, keys).isEmpty());
    QCOMPARE(keys.pendingKeyIds(), QStringList({"k3s-a", "phone"}));
    // k3s-a and k3s-b and puffer: k3s-a's key, puffer's link to the phone and the phone's own
    // key (told to re-import through puffer); nas <-> k3s-b waits for nas.
    const QStringList settled = Deployment::settleRotations(m_project, {"k3s-a", "k3s-b", "puffer"}, keys);
    QCOMPARE(settled, QStringList({"k3s-a's key pair", "phone's key pair", "the preshared key of phone <-> puffer"}));
    QVERIFY(keys.pendingKeyIds().isEmpty());
    QCOMPARE(keys.pendingPresharedPairs().size(), 1);
    QCOMPARE(keys.runningPublicKey(QStringLiteral("k3s-a")), keys.publicKey(QStringLiteral("k3s-a")));
}

void tst_Deployment::optionsFromUser()
{
    const DeployOptions options = DeployOptions::fromUser(QStringLiteral("  ~/.ssh/lab_hosts "), 40, 3);
    QCOMPARE(options.knownHostsFile, QDir::homePath() + QStringLiteral("/.ssh/lab_hosts"));
    QCOMPARE(options.confirmTimeout, 40);
    QCOMPARE(options.verifyTimeout, 20); // half: confirming always fits in the host's timer
    QCOMPARE(options.jobs, 3);
    QCOMPARE(DeployOptions::fromUser({}, 600, 8).verifyTimeout, 30);
}

void tst_Deployment::reportSummary()
{
    DeployReport report;
    report.verdict = DeployReport::Verdict::RolledBack;
    report.reason = QStringLiteral("link lan2 <-> gw1 had no route");
    for (const char *host : {"lan1", "lan2", "gw1"}) {
        DeployResult result;
        result.host = QLatin1String(host);
        result.outcome = DeployResult::Outcome::RolledBack;
        report.hosts.append(result);
    }
    // Never contradictory: the count is of hosts that went back.
    QCOMPARE(report.summary(), QStringLiteral("rolled back: 3 hosts; link lan2 <-> gw1 had no route"));
    QVERIFY(!report.succeeded());
    report.verdict = DeployReport::Verdict::Confirmed;
    report.hosts[0].outcome = DeployResult::Outcome::Unchanged;
    report.hosts[1].outcome = report.hosts[2].outcome = DeployResult::Outcome::Updated;
    report.links.append({DeployLink{}, LinkCheck::Result::Ok, {}});
    report.links.append({DeployLink{}, LinkCheck::Result::Ok, {}});
    report.reimport = QStringList{QStringLiteral("phone")};
    QCOMPARE(report.summary(), QStringLiteral("confirmed: 3 hosts, 2 links verified (2 switched, 1 unchanged); re-import phone"));
    const QJsonObject json = report.toJson();
    QCOMPARE(json.value(QStringLiteral("verdict")).toString(), QStringLiteral("confirmed"));
    QCOMPARE(json.value(QStringLiteral("hosts")).toArray().size(), 3);
    QCOMPARE(json.value(QStringLiteral("reimport")).toArray().first().toString(), QStringLiteral("phone"));
}

void tst_Deployment::diffMasksKeys()
{
    const QString key = WireGuardKeys::generatePrivateKey();
    const QByteArray before = "[Interface]\nPrivateKey = " + key.toLatin1() + "\nListenPort = 51820\n";
    const QByteArray after = "[Interface]\nPrivateKey = " + key.toLatin1() + "\nListenPort = 51821\n";
    const QString diff = Deployment::diff(QStringLiteral("/etc/wireguard/wg0.conf"), before, after);
    QCOMPARE(diff, QStringLiteral("--- /etc/wireguard/wg0.conf (on the host)\n+++ /etc/wireguard/wg0.conf (generated)\n [Interface]\n"
                                  " PrivateKey = \u2022\u2022\u2022\u2022 (hidden)\n-ListenPort = 51820\n+ListenPort = 51821\n "));
    QVERIFY(!diff.contains(key));
    QVERIFY(Deployment::diff(QStringLiteral("x"), before, before).isEmpty());
}

QTEST_APPLESS_MAIN(tst_Deployment)
#include "tst_deployment.moc"
