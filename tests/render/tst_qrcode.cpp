// Tests of QR codes: what zbarimg reads back is the payload, byte for byte, at every size.
#include "qrcode.h"
#include "testsupport.h"

#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

namespace {

QByteArray configOfSize(int bytes)
{
    QByteArray text = "[Interface]\nPrivateKey = 4E7Y3r1Zg0kqGz1lH3Jk8d0Vn6m9a2WcQ5pXyT7uRbE=\n";
    int peer = 0;
    while (text.size() < bytes) {
        text += "\n[Peer]\nPublicKey = pk" + QByteArray::number(peer) + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\nAllowedIPs = 10.0."
            + QByteArray::number(peer / 250) + '.' + QByteArray::number(peer % 250) + "/32\n";
        ++peer;
    }
    return text.left(bytes);
}

} // namespace

class tst_QrCode : public QObject
{
    Q_OBJECT

private slots:
    void decodesBackByteForByte_data();
    void decodesBackByteForByte();
    void tooLargeGivesAMessage();
    void paintsWholePixelModules();
    void terminalHalfBlocks();
};

void tst_QrCode::decodesBackByteForByte_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("level");
    QTest::newRow("small config") << configOfSize(300) << int(QrCode::Level::M);
    QTest::newRow("at M capacity") << configOfSize(QrCode::CapacityM) << int(QrCode::Level::M);
    QTest::newRow("over M: falls back to L") << configOfSize(QrCode::CapacityM + 1) << int(QrCode::Level::L);
    QTest::newRow("at L capacity") << configOfSize(QrCode::CapacityL) << int(QrCode::Level::L);
}

void tst_QrCode::decodesBackByteForByte()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, level);
    QString error;
    const auto code = QrCode::encode(payload, &error);
    QVERIFY2(code, qPrintable(error));
    QCOMPARE(int(code->level()), level);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("code.png"));
    QVERIFY(code->toImage(4).save(png));
    QCOMPARE(QImage(png).width(), (code->size() + 8) * 4);
    const QByteArray decoded = TestSupport::decodeQr(png, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(decoded, payload);

    // The SVG, drawn by another renderer, reads back the same.
    QSvgRenderer renderer(code->toSvg());
    QVERIFY(renderer.isValid());
    QImage drawn(QSize(code->size() + 8, code->size() + 8) * 5, QImage::Format_RGB32);
    drawn.fill(Qt::white);
    {
        QPainter painter(&drawn);
        renderer.render(&painter);
    }
    const QString fromSvg = dir.filePath(QStringLiteral("svg.png"));
    QVERIFY(drawn.save(fromSvg));
    QCOMPARE(TestSupport::decodeQr(fromSvg, &error), payload);
}

void tst_QrCode::tooLargeGivesAMessage()
{
    QString error;
    QVERIFY(!QrCode::encode(configOfSize(QrCode::CapacityL + 1), &error));
    QCOMPARE(error, QStringLiteral("The config is 2954 bytes; a QR code holds at most 2953. Fewer peers (a per-gateway profile has "
                                   "one) or shorter AllowedIPs would shrink it."));
}

void tst_QrCode::paintsWholePixelModules()
{
    QString error;
    const auto code = QrCode::encode(configOfSize(500), &error);
    QVERIFY(code);
    const int side = code->size() + 2 * QrCode::QuietZone;
    QImage image(side * 6 + 13, side * 6 + 40, QImage::Format_RGB32);
    image.fill(Qt::red);
    QPainter painter(&image);
    QCOMPARE(code->paint(&painter, QRectF(image.rect())), 6);
    painter.end();
    // Only black and white pixels where the code is: no blurred module edges.
    const int left = (image.width() - side * 6) / 2 + 1;
    const int top = (image.height() - side * 6) / 2 + 1;
    for (int y = top; y < top + side * 6 - 2; y += 3) {
        for (int x = left; x < left + side * 6 - 2; x += 3) {
            const QRgb pixel = image.pixel(x, y);
            QVERIFY(pixel == qRgb(0, 0, 0) || pixel == qRgb(255, 255, 255));
        }
    }
    QTemporaryDir dir;
    QVERIFY(image.save(dir.filePath(QStringLiteral("painted.png"))));
    QCOMPARE(TestSupport::decodeQr(dir.filePath(QStringLiteral("painted.png")), &error), configOfSize(500));
}

void tst_QrCode::terminalHalfBlocks()
{
    QString error;
    const auto code = QrCode::encode("hello", &error);
    QVERIFY(code);
    const QStringList lines = code->toTerminal().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), (code->size() + 2 * QrCode::QuietZone + 1) / 2);
    for (const QString &line : lines) {
        QVERIFY(line.startsWith(QLatin1String("\x1b[30;47m")));
        QVERIFY(line.endsWith(QLatin1String("\x1b[0m")));
    }
    // The top of the finder pattern: a row of seven dark modules over a dark, five light
    // and a dark one, after the quiet zone.
    const QString finderTop = QString(QChar(0x2588)) + QString(5, QChar(0x2580)) + QChar(0x2588);
    QCOMPARE(lines[2].mid(8 + QrCode::QuietZone, 7), finderTop);
}

QTEST_MAIN(tst_QrCode)
#include "tst_qrcode.moc"
