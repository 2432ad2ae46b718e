// A QR code of a config: encoding with libqrencode, and drawing it crisply anywhere.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QList>
#include <QString>

#include <optional>

class QPainter;

class QrCode
{
public:
    enum class Level { L, M };
    /// Byte-mode capacity of the largest code (version 40).
    static constexpr int CapacityM = 2331;
    static constexpr int CapacityL = 2953;
    static constexpr int QuietZone = 4;

    /// Encodes \a payload at error correction M, or L when M cannot hold it. Beyond L
    /// returns nullopt and \a error says how large the payload is and what would shrink it.
    static std::optional<QrCode> encode(const QByteArray &payload, QString *error);

    int size() const { return m_size; } ///< modules per side, without the quiet zone
    int version() const { return m_version; }
    Level level() const { return m_level; }
    bool isDark(int x, int y) const { return m_modules[y * m_size + x]; }

    /// Every module \a moduleSize pixels square, with the quiet zone.
    QImage toImage(int moduleSize = 8) const;
    /// Scalable vector graphics, one path of squares, with the quiet zone.
    QByteArray toSvg() const;
    /// Unicode half blocks, two modules per character, in black on white whatever the
    /// terminal's colours, with a quiet zone.
    QString toTerminal() const;
    /// Paints the code centred in \a rect with whole-pixel modules (never blurred).
    /// Returns the module size used (0 when \a rect is too small for 1 px).
    int paint(QPainter *painter, const QRectF &rect, const QColor &dark = Qt::black,
              const QColor &light = Qt::white) const;

private:
    int m_size = 0;
    int m_version = 0;
    Level m_level = Level::M;
    QList<bool> m_modules;
};
