// A QR code of a config: encoding with libqrencode, and drawing it crisply anywhere.
#include "qrcode.h"

#include <QPainter>

#include <qrencode.h>

#include <cmath>

std::optional<QrCode> QrCode::encode(const QByteArray &payload, QString *error)
{
    if (payload.size() > CapacityL) {
        if (error)
            *error = QStringLiteral("The config is %1 bytes; a QR code holds at most %2. Fewer peers "
                                    "(a per-gateway profile has one) or shorter AllowedIPs would shrink it.")
                         .arg(payload.size())
                         .arg(CapacityL);
        return std::nullopt;
    }
    for (const Level level : {Level::M, Level::L}) {
        QRcode *code = QRcode_encodeData(int(payload.size()), reinterpret_cast<const unsigned char *>(payload.constData()),
                                         0, level == Level::M ? QR_ECLEVEL_M : QR_ECLEVEL_L);
        if (!code)
            continue;
        QrCode result;
        result.m_size = code->width;
        result.m_version = code->version;
        result.m_level = level;
        result.m_modules.resize(qsizetype(code->width) * code->width);
        for (qsizetype i = 0; i < result.m_modules.size(); ++i)
            result.m_modules[i] = code->data[i] & 1;
        QRcode_free(code);
        return result;
    }
    if (error)
        *error = QStringLiteral("The config (%1 bytes) could not be encoded as a QR code.").arg(payload.size());
    return std::nullopt;
}

QImage QrCode::toImage(int moduleSize) const
{
    const int side = (m_size + 2 * QuietZone) * moduleSize;
    QImage image(side, side, QImage::Format_Mono);
    image.setColor(0, qRgb(255, 255, 255));
    image.setColor(1, qRgb(0, 0, 0));
    image.fill(0);
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (!isDark(x, y))
                continue;
            for (int dy = 0; dy < moduleSize; ++dy) {
                for (int dx = 0; dx < moduleSize; ++dx)
                    image.setPixel((x + QuietZone) * moduleSize + dx, (y + QuietZone) * moduleSize + dy, 1);
            }
        }
    }
    return image;
}

QByteArray QrCode::toSvg() const
{
    const int side = m_size + 2 * QuietZone;
    const QByteArray n = QByteArray::number(side);
    QByteArray svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + ' ' + n + "\" width=\""
        + QByteArray::number(side * 8) + "\" height=\"" + QByteArray::number(side * 8) + "\" shape-rendering=\"crispEdges\">\n"
        + "<rect width=\"" + n + "\" height=\"" + n + "\" fill=\"#ffffff\"/>\n<g fill=\"#000000\">\n";
    // One rectangle per horizontal run of dark modules.
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size;) {
            if (!isDark(x, y)) {
                ++x;
                continue;
            }
            int end = x;
            while (end < m_size && isDark(end, y))
                ++end;
            svg += "<rect x=\"" + QByteArray::number(x + QuietZone) + "\" y=\"" + QByteArray::number(y + QuietZone)
                + "\" width=\"" + QByteArray::number(end - x) + "\" height=\"1\"/>\n";
            x = end;
        }
    }
    return svg + "</g>\n</svg>\n";
}

QString QrCode::toTerminal() const
{
    // Black on white through ANSI colours, so dark terminal themes do not invert it.
    const QString start = QStringLiteral("\x1b[30;47m");
    const QString reset = QStringLiteral("\x1b[0m");
    const int border = QuietZone;
    auto dark = [this](int x, int y) { return x >= 0 && y >= 0 && x < m_size && y < m_size && isDark(x, y); };
    QString out;
    for (int y = -border; y < m_size + border; y += 2) {
        out += start;
        for (int x = -border; x < m_size + border; ++x) {
            const bool top = dark(x, y);
            const bool bottom = dark(x, y + 1);
            out += top && bottom ? QChar(0x2588) : top ? QChar(0x2580) : bottom ? QChar(0x2584) : QChar(' ');
        }
        out += reset + QLatin1Char('\n');
    }
    return out;
}

int QrCode::paint(QPainter *painter, const QRectF &rect, const QColor &dark, const QColor &light) const
{
    const int side = m_size + 2 * QuietZone;
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    // Whole device pixels per module: a blurred module is harder to scan.
    const int modulePixels = int(std::floor(std::min(rect.width(), rect.height()) * ratio / side));
    if (modulePixels < 1)
        return 0;
    const qreal module = modulePixels / ratio;
    const QPointF origin(std::round((rect.center().x() - side * module / 2) * ratio) / ratio,
                         std::round((rect.center().y() - side * module / 2) * ratio) / ratio);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->fillRect(QRectF(origin, QSizeF(side * module, side * module)), light);
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (isDark(x, y))
                painter->fillRect(QRectF(origin.x() + (x + QuietZone) * module, origin.y() + (y + QuietZone) * module, module, module), dark);
        }
    }
    painter->restore();
    return modulePixels;
}
