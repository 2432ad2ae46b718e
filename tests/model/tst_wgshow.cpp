// Tests of the `wg show` parsers (malformed and hostile output too) and the link-state rules.
#include "keystore.h"
#include "linkstate.h"
#include "wgshow.h"

#include <QTest>

Q_DECLARE_METATYPE(std::optional<LinkEndView>)

namespace {

const QByteArray KeyA = "XNDsAHIudWuRZs1pm0jSTcmYjPPWRSz8mXKbQE2X5Xk=";
const QByteArray KeyB = "KF7oYMRnF3C0CJFCKPaM1IYMtq+3lxbvNYk5klFStyk=";

std::optional<LinkEndView> end(std::optional<qint64> age, bool up = true, bool traffic = false)
{
    LinkEndView view;
    view.interfaceUp = up;
    view.handshakeAge = age;
    view.traffic = traffic;
    return view;
}

} // namespace

class tst_WgShow : public QObject
{
    Q_OBJECT

private slots:
    void handshakes_data();
    void handshakes();
    void transferAndEndpoints();
    void hostileOutput_data();
    void hostileOutput();
    void states_data();
    void states();
};

void tst_WgShow::handshakes_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("peers");
    QTest::addColumn<QString>("error");
    QTest::newRow("two peers") << KeyA + "\t1732200000\n" + KeyB + "\t0\n" << true << 2 << "";
    QTest::newRow("no peers") << QByteArray() << true << 0 << "";
    QTest::newRow("no trailing newline") << KeyA + "\t5" << true << 1 << "";
    QTest::newRow("space instead of tab") << KeyA + " 5\n" << false << 0 << "line 1: expected 2 tab-separated fields";
    QTest::newRow("not a key") << QByteArray("peer\t5\n") << false << 0 << "line 1: not a public key";
    QTest::newRow("negative time") << KeyA + "\t-5\n" << false << 0 << "line 1: not a time: '-5'";
    QTest::newRow("words") << KeyA + "\tyesterday\n" << false << 0 << "line 1: not a time: 'yesterday'";
    QTest::newRow("truncated second line") << KeyA + "\t5\n" + KeyB.left(20) << false << 0 << "line 2: expected 2 tab-separated fields";
}

void tst_WgShow::handshakes()
{
    QFETCH(QByteArray, output);
    QFETCH(bool, valid);
    QString error;
    const auto parsed = WgShow::parseLatestHandshakes(output, &error);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QTEST(int(parsed->size()), "peers");
        if (!parsed->isEmpty())
            QVERIFY(parsed->contains(QString::fromLatin1(KeyA)));
    } else {
        QTEST(error, "error");
    }
}

void tst_WgShow::transferAndEndpoints()
{
    const auto transfer = WgShow::parseTransfer(KeyA + "\t1024\t2048\n" + KeyB + "\t0\t0\n");
    QVERIFY(transfer);
    const std::pair<qint64, qint64> expected(1024, 2048);
    QCOMPARE(transfer->value(QString::fromLatin1(KeyA)), expected);
    QVERIFY(!WgShow::parseTransfer(KeyA + "\t1024\n"));
    const auto endpoints = WgShow::parseEndpoints(KeyA + "\t198.51.100.7:56709\n" + KeyB + "\t(none)\n" + KeyB + "\t[2001:db8::1]:51820\n");
    QVERIFY(endpoints);
    QCOMPARE(endpoints->value(QString::fromLatin1(KeyA)), QStringLiteral("198.51.100.7:56709"));
    QCOMPARE(endpoints->value(QString::fromLatin1(KeyB)), QStringLiteral("[2001:db8::1]:51820"));
    QString error;
    QVERIFY(!WgShow::parseEndpoints(KeyA + "\tevil.example:1\n", &error));
    QCOMPARE(error, QStringLiteral("line 1: not an endpoint: 'evil.example:1'"));
}

void tst_WgShow::hostileOutput_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::newRow("binary") << QByteArray("\x00\xff\xfe\t\x01\n", 6);
    QTest::newRow("huge") << QByteArray(WgShow::MaxOutput + 1, 'A');
    QTest::newRow("huge number") << KeyA + "\t99999999999999999999999999\n";
    QTest::newRow("many tabs") << KeyA + QByteArray(10000, '\t');
    QTest::newRow("private key line from wg show dump") << KeyA + "\t" + KeyB + "\t51820\toff\n";
}

void tst_WgShow::hostileOutput()
{
    QFETCH(QByteArray, output);
    QString error;
    QVERIFY(!WgShow::parseLatestHandshakes(output, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!WgShow::parseTransfer(output));
    QVERIFY(!WgShow::parseEndpoints(output));
}

void tst_WgShow::states_data()
{
    QTest::addColumn<std::optional<LinkEndView>>("a");
    QTest::addColumn<std::optional<LinkEndView>>("b");
    QTest::addColumn<bool>("keepalive");
    QTest::addColumn<int>("state");
    const std::optional<LinkEndView> none;
    QTest::newRow("never, both ends") << end(std::nullopt) << end(std::nullopt) << false << int(LinkState::Down);
    QTest::newRow("0 s both") << end(0) << end(0) << true << int(LinkState::Alive);
    QTest::newRow("179 s both") << end(179) << end(179) << true << int(LinkState::Alive);
    QTest::newRow("181 s with keepalive: down") << end(181) << end(181) << true << int(LinkState::Down);
    QTest::newRow("181 s, no keepalive, no traffic: idle") << end(181) << end(181) << false << int(LinkState::Idle);
    QTest::newRow("181 s, no keepalive, traffic: down") << end(181, true, true) << end(181) << false << int(LinkState::Down);
    QTest::newRow("one end fresh: one-sided") << end(12) << end(500) << true << int(LinkState::OneSided);
    QTest::newRow("one end never: one-sided") << end(std::nullopt) << end(30) << true << int(LinkState::OneSided);
    QTest::newRow("interface down beats a fresh handshake") << end(5) << end(5, false) << true << int(LinkState::Down);
    QTest::newRow("no SSH to either end") << none << none << true << int(LinkState::Unknown);
    QTest::newRow("phone seen from its gateway: alive") << end(12) << none << true << int(LinkState::Alive);
    QTest::newRow("phone seen from its gateway: gone") << end(900) << none << true << int(LinkState::Down);
}

void tst_WgShow::states()
{
    QFETCH(std::optional<LinkEndView>, a);
    QFETCH(std::optional<LinkEndView>, b);
    QFETCH(bool, keepalive);
    QFETCH(int, state);
    QCOMPARE(int(LinkStates::judge(a, b, keepalive)), state);
    QCOMPARE(int(LinkStates::judge(b, a, keepalive)), state); // the order of the ends does not matter
}

QTEST_APPLESS_MAIN(tst_WgShow)
#include "tst_wgshow.moc"
