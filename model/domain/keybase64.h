// WireGuard's keys in base64: 32 bytes as 44 characters, the last one '='.
#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringView>

namespace KeyBase64 {

inline constexpr int Length = 44;

/// The 64 digits of base64 in one cache line, so that which ones a key uses leaves no
/// trace in which lines were read.
alignas(64) inline constexpr char Digits[65] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 44 base64 characters of a 32-byte \a key, written through \a put(index, char).
template <typename Put>
void encode(const unsigned char *key, Put put)
{
    int at = 0;
    for (int i = 0; i < 30; i += 3) {
        const unsigned group = (unsigned(key[i]) << 16) | (unsigned(key[i + 1]) << 8) | key[i + 2];
        put(at++, Digits[group >> 18]);
        put(at++, Digits[(group >> 12) & 63]);
        put(at++, Digits[(group >> 6) & 63]);
        put(at++, Digits[group & 63]);
    }
    const unsigned rest = (unsigned(key[30]) << 8) | key[31];
    put(at++, Digits[rest >> 10]);
    put(at++, Digits[(rest >> 4) & 63]);
    put(at++, Digits[(rest << 2) & 63]);
    put(at, '=');
}

/// The 44 characters of \a key as a string, written in place (no copy of the key on the
/// stack).
QString toString(const unsigned char *key);

/// The 32 bytes of a key in WireGuard's base64 (44 characters, one '='), decoded into
/// \a out; false for anything else. No memory access depends on the key.
bool decode(QByteArrayView text, unsigned char *out);
/// The same for a key as text (a QString): its characters go through a stack buffer that
/// is wiped, never through a heap copy.
bool decode(QStringView text, unsigned char *out);

/// True for a key in WireGuard's base64: 44 characters that decode to 32 bytes.
bool isValid(const QString &key);

} // namespace KeyBase64
