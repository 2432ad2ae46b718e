// A WireGuard preshared key, held as its 32 bytes.
#include "presharedkey.h"

#include "keybase64.h"

#include <cstring>

PresharedKey::PresharedKey(const unsigned char *bytes)
    : m_set(true)
{
    std::memcpy(m_bytes.data(), bytes, m_bytes.size());
}

std::optional<PresharedKey> PresharedKey::fromBase64(QStringView text)
{
    PresharedKey key;
    if (text.isEmpty())
        return key;
    if (!KeyBase64::decode(text, key.m_bytes.data()))
        return std::nullopt;
    key.m_set = true;
    return key;
}

QString PresharedKey::toBase64() const
{
    return m_set ? KeyBase64::toString(m_bytes.data()) : QString();
}

void PresharedKey::writeBase64(char *out) const
{
    Q_ASSERT(m_set);
    KeyBase64::encode(m_bytes.data(), [out](int i, char c) { out[i] = c; });
}
