// IPv4/IPv6 addresses and prefixes as plain values: parsing, formatting, containment.
#include "ipaddress.h"

#include <QHashFunctions>
#include <QList>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

std::optional<IpAddress> IpAddress::parse(const QString &text)
{
    const QByteArray latin = text.trimmed().toLatin1();
    if (latin.isEmpty() || latin.size() > 45 || text.trimmed().size() != latin.size())
        return std::nullopt;
    IpAddress result;
    if (latin.contains(':')) {
        in6_addr v6{};
        if (inet_pton(AF_INET6, latin.constData(), &v6) != 1)
            return std::nullopt;
        result.m_family = Family::V6;
        std::memcpy(result.m_bytes.data(), &v6, 16);
    } else {
        in_addr v4{};
        if (inet_pton(AF_INET, latin.constData(), &v4) != 1)
            return std::nullopt;
        result.m_family = Family::V4;
        std::memcpy(result.m_bytes.data(), &v4, 4);
    }
    return result;
}

QString IpAddress::toString() const
{
    char buffer[INET6_ADDRSTRLEN] = {};
    switch (m_family) {
    case Family::V4:
        inet_ntop(AF_INET, m_bytes.data(), buffer, sizeof buffer);
        break;
    case Family::V6:
        inet_ntop(AF_INET6, m_bytes.data(), buffer, sizeof buffer);
        break;
    case Family::None:
        return {};
    }
    return QString::fromLatin1(buffer);
}

IpAddress IpAddress::masked(int prefixLength) const
{
    IpAddress result = *this;
    const int bytes = bitCount() / 8;
    for (int i = 0; i < bytes; ++i) {
        const int bitsHere = std::clamp(prefixLength - i * 8, 0, 8);
        const quint8 mask = bitsHere == 0 ? 0 : quint8(0xff << (8 - bitsHere));
        result.m_bytes[i] &= mask;
    }
    return result;
}

IpAddress IpAddress::offsetBy(quint32 offset) const
{
    IpAddress result = *this;
    const int last = bitCount() / 8 - 1;
    quint64 carry = offset;
    for (int i = last; i >= 0 && carry; --i) {
        const quint64 sum = result.m_bytes[i] + (carry & 0xff);
        result.m_bytes[i] = quint8(sum & 0xff);
        carry = (carry >> 8) + (sum >> 8);
    }
    return result;
}

int IpAddress::commonPrefixLength(const IpAddress &other) const
{
    if (m_family != other.m_family)
        return 0;
    const int bytes = bitCount() / 8;
    int length = 0;
    for (int i = 0; i < bytes; ++i) {
        const quint8 diff = m_bytes[i] ^ other.m_bytes[i];
        if (diff == 0) {
            length += 8;
            continue;
        }
        for (int bit = 7; bit >= 0 && !(diff & (1 << bit)); --bit)
            ++length;
        break;
    }
    return length;
}

bool IpAddress::operator<(const IpAddress &other) const
{
    if (m_family != other.m_family)
        return m_family < other.m_family;
    return m_bytes < other.m_bytes;
}

IpPrefix::IpPrefix(const IpAddress &address, int length)
    : m_address(address)
    , m_length(std::clamp(length, 0, address.bitCount()))
{
}

std::optional<IpPrefix> IpPrefix::parse(const QString &text, bool allowBareAddress)
{
    const QString trimmed = text.trimmed();
    const qsizetype slash = trimmed.indexOf(QLatin1Char('/'));
    if (slash < 0) {
        if (!allowBareAddress)
            return std::nullopt;
        const auto address = IpAddress::parse(trimmed);
        if (!address)
            return std::nullopt;
        return IpPrefix(*address, address->bitCount());
    }
    const auto address = IpAddress::parse(trimmed.left(slash));
    if (!address)
        return std::nullopt;
    const QString lengthText = trimmed.mid(slash + 1);
    bool ok = false;
    const int length = lengthText.toInt(&ok);
    if (!ok || lengthText.isEmpty() || lengthText.size() > 3 || !lengthText.front().isDigit()
        || length < 0 || length > address->bitCount())
        return std::nullopt;
    return IpPrefix(*address, length);
}

IpPrefix IpPrefix::covering(const QList<IpAddress> &addresses, int maxLength)
{
    if (addresses.isEmpty())
        return {};
    const IpAddress &first = addresses.front();
    int length = std::min(maxLength, first.bitCount());
    for (const IpAddress &address : addresses)
        length = std::min(length, first.commonPrefixLength(address));
    return IpPrefix(first.masked(length), length);
}

bool IpPrefix::contains(const IpAddress &address) const
{
    if (!isValid() || address.family() != m_address.family())
        return false;
    return address.masked(m_length) == m_address.masked(m_length);
}

bool IpPrefix::contains(const IpPrefix &other) const
{
    return other.m_length >= m_length && contains(other.m_address);
}

bool IpPrefix::overlaps(const IpPrefix &other) const
{
    return contains(other) || other.contains(*this);
}

QString IpPrefix::toString() const
{
    return m_address.toString() + QLatin1Char('/') + QString::number(m_length);
}

size_t qHash(const IpAddress &address, size_t seed)
{
    return qHashBits(address.bytes().data(), address.bytes().size(), seed ^ size_t(address.family()));
}

size_t qHash(const IpPrefix &prefix, size_t seed)
{
    return qHash(prefix.address(), seed ^ size_t(prefix.length() * 0x9e3779b9u));
}

bool splitEndpoint(const QString &endpoint, QString *host, int *port)
{
    QString hostPart;
    QString portPart;
    if (endpoint.startsWith(QLatin1Char('['))) {
        const qsizetype close = endpoint.indexOf(QLatin1String("]:"));
        if (close < 0)
            return false;
        hostPart = endpoint.mid(1, close - 1);
        portPart = endpoint.mid(close + 2);
    } else {
        const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0 || endpoint.count(QLatin1Char(':')) != 1)
            return false;
        hostPart = endpoint.left(colon);
        portPart = endpoint.mid(colon + 1);
    }
    bool ok = false;
    const int number = portPart.toInt(&ok);
    if (hostPart.isEmpty() || !ok || number < 1 || number > 65535 || !portPart.front().isDigit())
        return false;
    if (host)
        *host = hostPart;
    if (port)
        *port = number;
    return true;
}

QString joinEndpoint(const QString &host, int port)
{
    if (host.contains(QLatin1Char(':')))
        return QLatin1Char('[') + host + QLatin1String("]:") + QString::number(port);
    return host + QLatin1Char(':') + QString::number(port);
}
