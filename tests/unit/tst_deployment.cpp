// Tests of what a deploy sends where: targets, restart-or-syncconf, diffs with keys masked.
#include "deployment.h"
#include "keystore.h"
#include "projectfile.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QTest>

class tst_Deployment : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void targets();
    void refusesHostsWithoutSsh();
    void needsRestart_data();
    void needsRestart();
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
    QCOMPARE(nas.files.size(), 1);
    QCOMPARE(nas.files[0].path, QStringLiteral("/usr/local/etc/wireguard/wg0.conf"));
    const auto config = WgQuick::parse(nas.files[0].content);
    QVERIFY(config);
    QCOMPARE(config->privateKey, keys.privateKey(QStringLiteral("nas")));
    QCOMPARE(nas.interfaces, QStringList{QStringLiteral("wg0")});
    QCOMPARE(nas.probes, QStringList({"10.77.0.31", "10.77.0.32", "10.77.0.1", "10.77.0.2"}));
    QCOMPARE((*targets)[1].address, QStringLiteral("192.168.10.31"));
    QCOMPARE((*targets)[2].identity, QDir::homePath() + QStringLiteral("/.ssh/lab"));
    QCOMPARE((*targets)[3].port, 2222);
    // OpenBSD: netstart reads /etc/hostname.wg0, so it goes along.
    QCOMPARE((*targets)[3].files.size(), 2);
    QCOMPARE((*targets)[3].files[1].path, QStringLiteral("/etc/hostname.wg0"));
    QVERIFY((*targets)[3].files[1].content.contains("\nwgkey " + keys.privateKey(QStringLiteral("puffer")).toLatin1() + '\n'));
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
}

void tst_Deployment::needsRestart()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QTEST(Deployment::needsRestart(before, after), "restart");
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
