// WireGuard's keys in base64: 32 bytes as 44 characters, the last one '='.
#include "keybase64.h"

#include <sodium.h>

#include <cstring>

namespace KeyBase64 {

namespace {

/// Sixteen bytes, as GCC and Clang vectorise them (SSE2 on x86-64, NEON on ARM).
using Bytes16 = unsigned char __attribute__((vector_size(16)));

} // namespace

/// The 32 bytes of a key in WireGuard's base64 (44 characters, one '='), decoded into
/// \a out; false for anything else. Each digit's value is computed, not looked up (no
/// memory access that depends on the key), sixteen digits at a time.
QString toString(const unsigned char *key)
{
    QString text(Length, Qt::Uninitialized);
    QChar *out = text.data();
    encode(key, [out](int i, char c) { out[i] = QLatin1Char(c); });
    return text;
}

bool decode(QByteArrayView text, unsigned char *out)
{
    if (text.size() != 44 || text.back() != '=')
        return false;
    // 43 digits and 5 of filler ('A', a valid digit), as three blocks of sixteen.
    alignas(16) unsigned char digits[48];
    std::memcpy(digits, text.data(), 43);
    std::memset(digits + 43, 'A', 5);
    alignas(16) unsigned char values[48];
    const Bytes16 zero = {};
    Bytes16 valid = zero + 0xff;
    for (int block = 0; block < 48; block += 16) {
        Bytes16 c;
        std::memcpy(&c, digits + block, 16);
        const auto upper = reinterpret_cast<Bytes16>((c >= 'A') & (c <= 'Z'));
        const auto lower = reinterpret_cast<Bytes16>((c >= 'a') & (c <= 'z'));
        const auto digit = reinterpret_cast<Bytes16>((c >= '0') & (c <= '9'));
        const auto plus = reinterpret_cast<Bytes16>(c == '+');
        const auto slash = reinterpret_cast<Bytes16>(c == '/');
        const Bytes16 value = (upper & (c - 'A')) | (lower & (c - ('a' - 26))) | (digit & (c + (52 - '0'))) | (plus & 62) | (slash & 63);
        valid &= upper | lower | digit | plus | slash;
        std::memcpy(values + block, &value, 16);
    }
    for (int i = 0, o = 0; i < 40; i += 4, o += 3) {
        const unsigned group = (unsigned(values[i]) << 18) | (unsigned(values[i + 1]) << 12) | (unsigned(values[i + 2]) << 6) | values[i + 3];
        out[o] = static_cast<unsigned char>(group >> 16);
        out[o + 1] = static_cast<unsigned char>(group >> 8);
        out[o + 2] = static_cast<unsigned char>(group);
    }
    const unsigned rest = (unsigned(values[40]) << 12) | (unsigned(values[41]) << 6) | values[42]; // 16 bits of the key, 2 spare
    out[30] = static_cast<unsigned char>(rest >> 10);
    out[31] = static_cast<unsigned char>(rest >> 2);
    unsigned char all = 0xff;
    for (int i = 0; i < 16; ++i)
        all &= valid[i];
    sodium_memzero(digits, sizeof digits);
    sodium_memzero(values, sizeof values);
    return all == 0xff;
}

bool decode(QStringView text, unsigned char *out)
{
    if (text.size() != 44)
        return false;
    char latin1[44];
    bool ascii = true;
    for (qsizetype i = 0; i < 44; ++i) {
        ascii = ascii && text[i].unicode() < 0x80;
        latin1[i] = char(text[i].unicode());
    }
    const bool ok = ascii && decode(QByteArrayView(latin1, 44), out);
    sodium_memzero(latin1, sizeof latin1);
    return ok;
}

bool isValid(const QString &key)
{
    unsigned char bytes[32];
    const bool ok = decode(QStringView(key), bytes);
    sodium_memzero(bytes, sizeof bytes);
    return ok;
}

} // namespace KeyBase64
