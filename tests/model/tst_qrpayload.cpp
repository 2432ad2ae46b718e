// Tests of the QR payload: only what the WireGuard Android app accepts, never an empty value.
#include "hostconfigs.h"
#include "keystore.h"
#include "planner.h"
#include "projectfile.h"
#include "qrpayload.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

namespace {

/// Every "Key = Value" line must have a key the app accepts in its section and a value.
QString violation(const QByteArray &payload)
{
    const QStringList interfaceKeys = QrPayload::acceptedInterfaceKeys();
    const QStringList peerKeys = QrPayload::acceptedPeerKeys();
    QString section;
    int number = 0;
    for (const QByteArray &raw : payload.split('\n')) {
        ++number;
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        if (line == QLatin1String("[Interface]") || line == QLatin1String("[Peer]")) {
            section = line;
            continue;
        }
        if (section.isEmpty())
            return QStringLiteral("line %1 outside a section").arg(number);
        const qsizetype equals = line.indexOf(QLatin1String(" = "));
        if (equals <= 0)
            return QStringLiteral("line %1 is not 'Key = Value': %2").arg(number).arg(line);
        const QString key = line.left(equals);
        const QString value = line.mid(equals + 3);
        const QStringList &allowed = section == QLatin1String("[Peer]") ? peerKeys : interfaceKeys;
        if (!allowed.contains(key))
            return QStringLiteral("line %1: %2 is not accepted in %3").arg(number).arg(key, section);
        if (value.trimmed().isEmpty())
            return QStringLiteral("line %1: empty value").arg(number);
        if (key == QLatin1String("Endpoint") && !value.contains(QLatin1Char(':')))
            return QStringLiteral("line %1: Endpoint without a port").arg(number);
    }
    return {};
}

} // namespace

class tst_QrPayload : public QObject
{
    Q_OBJECT

private slots:
    void leavesOutWhatTheAppRejects();
    void manyRoamingConfigs();
    void payloadIsAValidConfig();
    void f3sClientsHaveOneExit();
};

void tst_QrPayload::leavesOutWhatTheAppRejects()
{
    InterfaceConfig config;
    config.privateKey = WireGuardKeys::generatePrivateKey();
    config.addresses = {QStringLiteral("10.0.0.2/32"), QStringLiteral("fd00::2/64")};
    config.dns = {QStringLiteral("1.1.1.1")};
    config.mtu = 1420;
    config.table = QStringLiteral("off");
    config.postUp = {QStringLiteral("ip route add 10.1.0.0/16 dev %i")};
    config.postDown = {QStringLiteral("ip route del 10.1.0.0/16 dev %i")};
    config.fwMark = 7;
    config.saveConfig = true;
    PeerConfig gateway;
    gateway.name = QStringLiteral("gw");
    gateway.publicKey = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    gateway.allowedIps = {QStringLiteral("0.0.0.0/0")};
    gateway.endpoint = QStringLiteral("gw.example.org");
    gateway.persistentKeepalive = 25;
    PeerConfig nameless;
    nameless.name = QStringLiteral("ghost");
    config.peers = {gateway, nameless};

    QStringList leftOut;
    const QByteArray payload = QrPayload::build(config, &leftOut);
    QCOMPARE(violation(payload), QString());
    QCOMPARE(leftOut, QStringList({"Table", "FwMark", "PostUp", "PostDown", "SaveConfig",
                                   "the Endpoint of gw (it has no port)", "the peer ghost (no public key)"}));
    QVERIFY(!payload.contains('#'));
    QVERIFY(payload.startsWith("[Interface]\nAddress = 10.0.0.2/32, fd00::2/64\nDNS = 1.1.1.1\nMTU = 1420\nPrivateKey = "));
    QCOMPARE(payload.count("[Peer]"), 1);
    QVERIFY(!payload.contains("Endpoint"));
}

void tst_QrPayload::manyRoamingConfigs()
{
    // Random meshes: the payload of every roaming client's profile follows the rules.
    QRandomGenerator random(4242);
    int checked = 0;
    for (int round = 0; round < 60; ++round) {
        Project project;
        const int gateways = 1 + random.bounded(4);
        const int roaming = 1 + random.bounded(5);
        const int lan = random.bounded(6);
        int address = 1;
        auto add = [&](const QString &name, Host::Role role) {
            Host host;
            host.name = name;
            host.os = random.bounded(2) ? QStringLiteral("Android") : QStringLiteral("Linux");
            host.meshInterface().ip = QStringLiteral("10.60.0.%1").arg(address);
            if (random.bounded(2))
                host.meshInterface().ipv6 = QStringLiteral("fd60::%1").arg(address);
            if (random.bounded(3) == 0)
                host.meshInterface().mtu = 1280 + random.bounded(200);
            ++address;
            if (role == Host::Role::Internet)
                host.internet = SiteAddress{{}, QStringLiteral("198.51.100.%1").arg(address)};
            else if (role == Host::Role::Lan)
                host.lan = SiteAddress{{}, QStringLiteral("192.168.7.%1").arg(address)};
            else
                host.gateway = random.bounded(2);
            project.hosts.append(host);
        };
        for (int i = 0; i < gateways; ++i)
            add(QStringLiteral("gw%1").arg(i), Host::Role::Internet);
        for (int i = 0; i < lan; ++i)
            add(QStringLiteral("lan%1").arg(i), Host::Role::Lan);
        for (int i = 0; i < roaming; ++i)
            add(QStringLiteral("phone%1").arg(i), Host::Role::Roaming);
        for (Host &host : project.hosts) {
            for (const Host &other : std::as_const(project.hosts)) {
                const bool unreachable = host.role() != Host::Role::Internet && other.role() != Host::Role::Internet
                    && (host.role() == Host::Role::Roaming || other.role() == Host::Role::Roaming);
                if (&host != &other && unreachable)
                    host.excludePeers.append(other.name);
            }
        }
        if (random.bounded(2)) {
            LinkSettings link;
            link.a = QStringLiteral("gw0");
            link.b = QStringLiteral("phone0");
            link.presharedKey = random.bounded(2);
            link.keepalive = random.bounded(3) == 0 ? 0 : 15;
            project.links.append(link);
        }
        KeyStore keys;
        for (qsizetype h = 0; h < project.hosts.size(); ++h) {
            if (project.hosts[h].role() != Host::Role::Roaming)
                continue;
            const PlannedInterface planned = HostConfigs::planHost(project, keys, h).front();
            QList<InterfaceConfig> configs{planned.config};
            for (const auto &profile : planned.profiles)
                configs.append(profile.second);
            for (const InterfaceConfig &config : configs) {
                const QByteArray payload = QrPayload::build(config);
                const QString problem = violation(payload);
                QVERIFY2(problem.isEmpty(), qPrintable(problem + QLatin1Char('\n') + QString::fromUtf8(payload)));
                ++checked;
            }
        }
    }
    QVERIFY(checked > 200);
}

void tst_QrPayload::payloadIsAValidConfig()
{
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("resources/examples/homelab-mesh.yaml")), &error);
    QVERIFY(project);
    KeyStore keys;
    const PlannedInterface phone = HostConfigs::planHost(*project, keys, project->indexOf(QStringLiteral("phone"))).front();
    const QByteArray payload = QrPayload::build(phone.config);
    QString why;
    const auto parsed = WgQuick::parse(payload, &why);
    QVERIFY2(parsed, qPrintable(why));
    QCOMPARE(parsed->peers.size(), phone.config.peers.size());
    for (qsizetype i = 0; i < parsed->peers.size(); ++i) {
        PeerConfig expected = phone.config.peers[i];
        expected.name.clear(); // comments are not in the payload
        QCOMPARE(parsed->peers[i], expected);
    }
    QCOMPARE(parsed->privateKey, phone.config.privateKey);
    QCOMPARE(parsed->dns, phone.config.dns);
    if (const QString unavailable = TestSupport::wgQuickUnavailable(); !unavailable.isEmpty())
        QSKIP(qPrintable(unavailable));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("wg0.conf")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(payload);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    const QString stripError = TestSupport::wgQuickStrip(file.fileName());
    QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
}

void tst_QrPayload::f3sClientsHaveOneExit()
{
    // The f3s mesh (public data beside the checkout, never in it): earth and pixel7pro send
    // everything to blowfish, the first gateway in its file; fishfinger gets its own
    // addresses, so that its link carries traffic. Each per-gateway profile has its gateway
    // as the default route. wg-quick takes every one, and the app takes their QR payloads.
    const QString path = TestSupport::sourcePath(QStringLiteral("../shared/fixtures/f3s-mesh.yaml"));
    if (!QFile::exists(path))
        QSKIP("../shared/fixtures/f3s-mesh.yaml is not beside the checkout");
    ProjectFile::LoadError error;
    const auto project = ProjectFile::load(path, &error);
    QVERIFY2(project, qPrintable(error.toString()));
    KeyStore keys;
    QTemporaryDir dir;
    const bool strip = TestSupport::wgQuickUnavailable().isEmpty();
    for (const char *client : {"earth", "pixel7pro"}) {
        const PlannedInterface planned = HostConfigs::planHost(*project, keys, project->indexOf(QLatin1String(client))).front();
        QCOMPARE(planned.config.peers.size(), 2);
        const PeerConfig &blowfish = planned.config.peers[0];
        const PeerConfig &fishfinger = planned.config.peers[1];
        QCOMPARE(blowfish.name, QStringLiteral("blowfish"));
        QCOMPARE(blowfish.allowedIps, QStringList({QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")}));
        QCOMPARE(fishfinger.allowedIps, QStringList({QStringLiteral("192.168.2.111/32"), QStringLiteral("fd42:beef:cafe:2::111/128")}));
        QCOMPARE(blowfish.persistentKeepalive, 25);
        QCOMPARE(fishfinger.persistentKeepalive, 25);
        QList<std::pair<QString, InterfaceConfig>> configs{{QStringLiteral("wg0"), planned.config}};
        configs += planned.profiles;
        QCOMPARE(configs.size(), 3);
        for (const auto &[name, config] : configs) {
            if (name != QLatin1String("wg0")) {
                QCOMPARE(config.peers.size(), 1);
                QCOMPARE(config.peers[0].allowedIps, QStringList({QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")}));
            }
            const QByteArray payload = QrPayload::build(config);
            const QString problem = violation(payload);
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QLatin1Char('\n') + QString::fromUtf8(payload)));
            if (!strip)
                continue;
            QFile file(dir.filePath(name + QLatin1String(".conf")));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(WgQuick::write(config));
            file.close();
            file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
            const QString stripError = TestSupport::wgQuickStrip(file.fileName());
            QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
        }
    }
    if (!strip)
        QSKIP(qPrintable(TestSupport::wgQuickUnavailable()));
}

QTEST_APPLESS_MAIN(tst_QrPayload)
#include "tst_qrpayload.moc"
