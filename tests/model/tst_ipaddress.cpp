// Tests of IpAddress, IpPrefix and endpoint splitting.
#include "ipaddress.h"

#include <QTest>

class tst_IpAddress : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void prefixContains_data();
    void prefixContains();
    void covering();
    void offsetBy();
    void endpoints_data();
    void endpoints();
};

void tst_IpAddress::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("ipv4") << "192.168.2.130" << true << "192.168.2.130";
    QTest::newRow("ipv4 trimmed") << " 10.0.0.1 " << true << "10.0.0.1";
    QTest::newRow("ipv6") << "fd42:beef:cafe:2::130" << true << "fd42:beef:cafe:2::130";
    QTest::newRow("ipv6 long form") << "fd42:0:0:0:0:0:0:1" << true << "fd42::1";
    QTest::newRow("ipv4 octet too big") << "192.168.2.256" << false << "";
    QTest::newRow("ipv4 too short") << "10.0.1" << false << "";
    QTest::newRow("hostname") << "example.org" << false << "";
    QTest::newRow("empty") << "" << false << "";
    QTest::newRow("with prefix") << "10.0.0.1/24" << false << "";
    QTest::newRow("newline") << "10.0.0.1\nPostUp = x" << false << "";
    QTest::newRow("ipv6 double gap") << "fd42::1::2" << false << "";
}

void tst_IpAddress::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, canonical);
    const auto address = IpAddress::parse(text);
    QCOMPARE(address.has_value(), valid);
    if (valid)
        QCOMPARE(address->toString(), canonical);
}

void tst_IpAddress::prefixContains_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("contains");
    QTest::newRow("inside /24") << "192.168.2.0/24" << "192.168.2.130" << true;
    QTest::newRow("outside /24") << "192.168.2.0/24" << "192.168.3.1" << false;
    QTest::newRow("host bits set in prefix") << "192.168.2.7/24" << "192.168.2.200" << true;
    QTest::newRow("/0 holds all") << "0.0.0.0/0" << "23.88.35.144" << true;
    QTest::newRow("/32 itself") << "10.1.2.3/32" << "10.1.2.3" << true;
    QTest::newRow("/32 other") << "10.1.2.3/32" << "10.1.2.4" << false;
    QTest::newRow("v6 /64") << "fd42:beef:cafe:2::/64" << "fd42:beef:cafe:2::130" << true;
    QTest::newRow("v6 outside") << "fd42:beef:cafe:2::/64" << "fd42:beef:cafe:3::1" << false;
    QTest::newRow("families differ") << "::/0" << "10.0.0.1" << false;
    QTest::newRow("/20 boundary") << "10.20.16.0/20" << "10.20.31.255" << true;
    QTest::newRow("/20 past boundary") << "10.20.16.0/20" << "10.20.32.0" << false;
}

void tst_IpAddress::prefixContains()
{
    QFETCH(QString, prefix);
    QFETCH(QString, address);
    QFETCH(bool, contains);
    const auto p = IpPrefix::parse(prefix);
    QVERIFY(p);
    const auto a = IpAddress::parse(address);
    QVERIFY(a);
    QCOMPARE(p->contains(*a), contains);
}

void tst_IpAddress::covering()
{
    const auto a = *IpAddress::parse(QStringLiteral("192.168.2.130"));
    const auto b = *IpAddress::parse(QStringLiteral("192.168.2.200"));
    const auto c = *IpAddress::parse(QStringLiteral("192.168.3.1"));
    QCOMPARE(IpPrefix::covering({a, b}, 24).toString(), QStringLiteral("192.168.2.0/24"));
    QCOMPARE(IpPrefix::covering({a, b, c}, 24).toString(), QStringLiteral("192.168.2.0/23"));
    QCOMPARE(IpPrefix::covering({a}, 24).toString(), QStringLiteral("192.168.2.0/24"));
    QVERIFY(!IpPrefix::covering({}, 24).isValid());
    const auto v6 = *IpAddress::parse(QStringLiteral("fd42:beef:cafe:2::130"));
    QCOMPARE(IpPrefix::covering({v6}, 64).toString(), QStringLiteral("fd42:beef:cafe:2::/64"));
    QVERIFY(!IpPrefix::parse(QStringLiteral("10.0.0.0/33")));
    QVERIFY(!IpPrefix::parse(QStringLiteral("10.0.0.0/-1")));
    QVERIFY(!IpPrefix::parse(QStringLiteral("10.0.0.0")));
    QCOMPARE(IpPrefix::parse(QStringLiteral("10.0.0.9"), true)->toString(), QStringLiteral("10.0.0.9/32"));
}

void tst_IpAddress::offsetBy()
{
    QCOMPARE(IpAddress::parse(QStringLiteral("10.0.0.255"))->offsetBy(1).toString(), QStringLiteral("10.0.1.0"));
    QCOMPARE(IpAddress::parse(QStringLiteral("fd00::ff"))->offsetBy(2).toString(), QStringLiteral("fd00::101"));
}

void tst_IpAddress::endpoints_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << "23.88.35.144:56709" << true << "23.88.35.144" << 56709;
    QTest::newRow("name") << "gw.example.org:51820" << true << "gw.example.org" << 51820;
    QTest::newRow("ipv6") << "[2001:db8::1]:51820" << true << "2001:db8::1" << 51820;
    QTest::newRow("no port") << "23.88.35.144" << false << "" << 0;
    QTest::newRow("port zero") << "23.88.35.144:0" << false << "" << 0;
    QTest::newRow("port too big") << "23.88.35.144:70000" << false << "" << 0;
    QTest::newRow("bare ipv6") << "2001:db8::1:51820" << false << "" << 0;
}

void tst_IpAddress::endpoints()
{
    QFETCH(QString, endpoint);
    QFETCH(bool, valid);
    QString host;
    int port = 0;
    QCOMPARE(splitEndpoint(endpoint, &host, &port), valid);
    if (!valid)
        return;
    QTEST(host, "host");
    QTEST(port, "port");
    QCOMPARE(joinEndpoint(host, port), endpoint);
}

QTEST_APPLESS_MAIN(tst_IpAddress)
#include "tst_ipaddress.moc"
