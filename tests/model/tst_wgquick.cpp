// Tests of the wg-quick writer and parser: round trips, errors, the real wg-quick.
#include "keystore.h"
#include "testsupport.h"
#include "wgquick.h"

#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(InterfaceConfig)

namespace {

PeerConfig peer(const QString &name, QStringList allowed, const QString &endpoint = {}, int keepalive = 0)
{
    PeerConfig p;
    p.name = name;
    p.publicKey = *WireGuardKeys::publicKey(WireGuardKeys::generatePrivateKey());
    p.presharedKey = *PresharedKey::fromBase64(WireGuardKeys::generatePresharedKey());
    p.allowedIps = std::move(allowed);
    p.endpoint = endpoint;
    p.persistentKeepalive = keepalive;
    return p;
}

} // namespace

class tst_WgQuick : public QObject
{
    Q_OBJECT

private slots:
    void writesExactText();
    void writesAnyTextAsUtf8();
    void roundTrip_data();
    void roundTrip();
    void parseErrors_data();
    void parseErrors();
    void parseIsLenient();
};

void tst_WgQuick::writesExactText()
{
    // Every line as wg-quick reads it, names in UTF-8, and a file far larger than the
    // writer first makes room for (a long PostUp, many peers).
    InterfaceConfig config;
    config.addresses = {QStringLiteral("10.0.0.1/24"), QStringLiteral("fd00::1/64")};
    config.listenPort = 51820;
    config.privateKey = QStringLiteral("cHJpdmF0ZSBrZXkgcHJpdmF0ZSBrZXkgcHJpdmF0ZSA=");
    config.dns = {QStringLiteral("1.1.1.1"), QStringLiteral("9.9.9.9")};
    config.mtu = 1420;
    config.postUp = {QStringLiteral("echo ") + QString(5000, QLatin1Char('x'))};
    QString expected = QStringLiteral("# Jürgen’s mesh ☎\n# second\n[Interface]\nAddress = 10.0.0.1/24, fd00::1/64\nListenPort = 51820\n"
                                      "PrivateKey = cHJpdmF0ZSBrZXkgcHJpdmF0ZSBrZXkgcHJpdmF0ZSA=\nDNS = 1.1.1.1, 9.9.9.9\nMTU = 1420\n")
        + QStringLiteral("PostUp = echo ") + QString(5000, QLatin1Char('x')) + QLatin1Char('\n');
    for (int i = 0; i < 40; ++i) {
        PeerConfig p = peer(i % 2 ? QStringLiteral("Zoë’s phone %1").arg(i) : QStringLiteral("node-%1").arg(i),
                            {QStringLiteral("10.0.0.%1/32").arg(i + 2)}, i % 3 ? QStringLiteral("203.0.113.%1:51820").arg(i) : QString(),
                            i % 4 ? 0 : 25 + i);
        expected += QStringLiteral("\n[Peer]\n# %1\nPublicKey = %2\nPresharedKey = %3\nAllowedIPs = %4\n")
                        .arg(p.name, p.publicKey, p.presharedKey.toBase64(), p.allowedIps.join(QLatin1String(", ")));
        if (!p.endpoint.isEmpty())
            expected += QStringLiteral("Endpoint = %1\n").arg(p.endpoint);
        if (p.persistentKeepalive > 0)
            expected += QStringLiteral("PersistentKeepalive = %1\n").arg(p.persistentKeepalive);
        config.peers.append(p);
    }
    QCOMPARE(WgQuick::write(config, QStringLiteral("Jürgen’s mesh ☎\nsecond")), expected.toUtf8());
}

void tst_WgQuick::writesAnyTextAsUtf8()
{
    // Names of every length up to 40, each with a character outside ASCII at every place
    // (from U+0080 to one beyond the BMP), and all ASCII: the text is copied eight
    // characters at a time while it is ASCII.
    const QStringList others{QStringLiteral("\u0080"), QStringLiteral("\u00ff"), QStringLiteral("\u0100"), QStringLiteral("\u7fff"),
                             QStringLiteral("\u8000"), QStringLiteral("\uffff"), QString::fromUtf8("\xf0\x9f\x93\x9e")};
    for (int length = 1; length <= 40; ++length) {
        QString ascii;
        for (int i = 0; i < length; ++i)
            ascii.append(QLatin1Char(char(0x21 + (i * 7) % 94)));
        QStringList names{ascii};
        for (const QString &other : others) {
            for (int at = 0; at < length; ++at)
                names.append(ascii.left(at) + other + ascii.mid(at + 1));
        }
        for (const QString &name : std::as_const(names)) {
            InterfaceConfig config;
            config.peers = {PeerConfig{name, QStringLiteral("k"), {}, {name}, {}, 0}};
            const QByteArray text = WgQuick::write(config);
            const QByteArray expected = "[Interface]\n\n[Peer]\n# " + name.toUtf8() + "\nPublicKey = k\nAllowedIPs = " + name.toUtf8() + "\n";
            QVERIFY2(text == expected, qPrintable(name));
        }
    }
}

void tst_WgQuick::roundTrip_data()
{
    QTest::addColumn<InterfaceConfig>("config");

    InterfaceConfig minimal;
    minimal.privateKey = WireGuardKeys::generatePrivateKey();
    QTest::newRow("interface only") << minimal;

    InterfaceConfig mesh = minimal;
    mesh.addresses = {QStringLiteral("192.168.2.130/24"), QStringLiteral("fd42:beef:cafe:2::130/64")};
    mesh.listenPort = 56709;
    mesh.peers = {peer(QStringLiteral("f1"), {QStringLiteral("192.168.2.131/32"), QStringLiteral("fd42:beef:cafe:2::131/128")},
                       QStringLiteral("192.168.1.131:56709")),
                  peer(QStringLiteral("blowfish"), {QStringLiteral("192.168.2.110/32")},
                       QStringLiteral("23.88.35.144:56709"), 25)};
    QTest::newRow("mesh host") << mesh;

    InterfaceConfig roaming = minimal;
    roaming.addresses = {QStringLiteral("192.168.2.200")};
    roaming.dns = {QStringLiteral("1.1.1.1"), QStringLiteral("8.8.8.8")};
    roaming.mtu = 1420;
    roaming.peers = {peer(QString(), {QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")},
                          QStringLiteral("[2001:db8::1]:51820"), 25)};
    QTest::newRow("roaming, unnamed peer, ipv6 endpoint") << roaming;

    InterfaceConfig router = mesh;
    router.table = QStringLiteral("off");
    router.fwMark = 51820;
    router.preUp = {QStringLiteral("sysctl -w net.ipv4.ip_forward=1")};
    router.postUp = {QStringLiteral("ip route add 10.0.0.0/24 dev %i"), QStringLiteral("ip route add 10.0.1.0/24 dev %i")};
    router.preDown = {QStringLiteral("true")};
    router.postDown = {QStringLiteral("ip route del 10.0.0.0/24 dev %i")};
    router.saveConfig = true;
    QTest::newRow("every interface key") << router;

    InterfaceConfig noPsk = mesh;
    noPsk.peers[0].presharedKey = {};
    noPsk.peers[1].allowedIps.clear();
    QTest::newRow("no psk, no allowed ips") << noPsk;
}

void tst_WgQuick::roundTrip()
{
    QFETCH(InterfaceConfig, config);
    const QByteArray text = WgQuick::write(config, QStringLiteral("header line\nsecond line"));
    QString error;
    const auto parsed = WgQuick::parse(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(*parsed, config);
    QCOMPARE(WgQuick::write(*parsed, QStringLiteral("header line\nsecond line")), text);

    if (const QString why = TestSupport::wgQuickUnavailable(); !why.isEmpty())
        QSKIP(qPrintable(why));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("wg0.conf")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    const QString stripError = TestSupport::wgQuickStrip(file.fileName());
    QVERIFY2(stripError.isEmpty(), qPrintable(stripError));
}

void tst_WgQuick::parseErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("no interface") << QByteArray("[Peer]\nPublicKey = x\n") << "line 1: no [Interface] section";
    QTest::newRow("key outside section") << QByteArray("PrivateKey = x\n[Interface]\n") << "line 1: 'privatekey' outside a section";
    QTest::newRow("unknown section") << QByteArray("[Interface]\n[Server]\n") << "line 2: unknown section [Server]";
    QTest::newRow("unknown key") << QByteArray("[Interface]\nFoo = 1\n") << "line 2: unknown key 'Foo' in [Interface]";
    QTest::newRow("no equals") << QByteArray("[Interface]\nPrivateKey\n") << "line 2: expected 'Key = Value', found 'PrivateKey'";
    QTest::newRow("bad port") << QByteArray("[Interface]\nListenPort = 70000\n") << "line 2: invalid ListenPort '70000'";
    QTest::newRow("empty value") << QByteArray("[Interface]\nDNS =\n") << "line 2: empty value for 'DNS'";
    QTest::newRow("two interfaces") << QByteArray("[Interface]\n\n[Interface]\n") << "line 3: a second [Interface] section";
    QTest::newRow("bad keepalive") << QByteArray("[Interface]\n[Peer]\nPersistentKeepalive = often\n")
                                   << "line 3: invalid PersistentKeepalive 'often'";
    // A preshared key is 32 bytes; wg refuses anything else, and the message keeps it secret.
    QTest::newRow("short psk") << QByteArray("[Interface]\n[Peer]\nPublicKey = x\nPresharedKey = c2VjcmV0\n")
                               << "line 4: invalid PresharedKey: not 32 bytes in base64";
    QTest::newRow("psk not base64") << QByteArray("[Interface]\n[Peer]\nPresharedKey = c2VjcmV0IGtleSBzZWNyZXQga2V5IHNlY3JldCBrZX*=\n")
                                    << "line 3: invalid PresharedKey: not 32 bytes in base64";
}

void tst_WgQuick::parseErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!WgQuick::parse(text, &message));
    QCOMPARE(message, error);
}

void tst_WgQuick::parseIsLenient()
{
    // What people write by hand: other letter case, repeated keys, comments at line ends.
    const QByteArray text = "[interface]\n"
                            "address = 10.0.0.1/24 # first\n"
                            "Address = fd00::1/64\n"
                            "privatekey = abc\n"
                            "[PEER]\n"
                            "allowedips = 10.0.0.2/32,10.0.0.3/32\n"
                            "AllowedIPs = 10.0.0.4/32\n"
                            "PersistentKeepalive = off\n";
    QString error;
    const auto parsed = WgQuick::parse(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->addresses, QStringList({QStringLiteral("10.0.0.1/24"), QStringLiteral("fd00::1/64")}));
    QCOMPARE(parsed->privateKey, QStringLiteral("abc"));
    QCOMPARE(parsed->peers.size(), 1);
    QCOMPARE(parsed->peers[0].allowedIps.size(), 3);
    QCOMPARE(parsed->peers[0].persistentKeepalive, 0);
    QVERIFY(parsed->peers[0].name.isEmpty());
}

QTEST_APPLESS_MAIN(tst_WgQuick)
#include "tst_wgquick.moc"
