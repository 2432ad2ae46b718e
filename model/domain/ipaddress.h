// IPv4/IPv6 addresses and prefixes as plain values: parsing, formatting, containment.
#pragma once

#include <QString>

#include <array>
#include <optional>

/// An IPv4 or IPv6 address. IPv4 addresses are kept in the first four bytes.
class IpAddress
{
public:
    enum class Family { None, V4, V6 };

    IpAddress() = default;

    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form; nullopt when invalid.
    static std::optional<IpAddress> parse(const QString &text);

    Family family() const { return m_family; }
    bool isV4() const { return m_family == Family::V4; }
    bool isV6() const { return m_family == Family::V6; }
    int bitCount() const { return m_family == Family::V4 ? 32 : 128; }

    /// Canonical text (RFC 5952 for IPv6).
    QString toString() const;

    /// The address with all bits after the first \a prefixLength cleared.
    IpAddress masked(int prefixLength) const;
    /// The address plus \a offset in its lowest 32 bits (used to hand out the next free address).
    IpAddress offsetBy(quint32 offset) const;
    /// Number of leading bits \a other shares with this address (same family only).
    int commonPrefixLength(const IpAddress &other) const;

    const std::array<quint8, 16> &bytes() const { return m_bytes; }

    bool operator==(const IpAddress &other) const = default;
    bool operator<(const IpAddress &other) const;

private:
    Family m_family = Family::None;
    std::array<quint8, 16> m_bytes{};
};

/// An address with a prefix length, e.g. 192.168.2.0/24 or fd42::1/128.
class IpPrefix
{
public:
    IpPrefix() = default;
    IpPrefix(const IpAddress &address, int length);

    /// Parses "ADDRESS/LENGTH"; with \a allowBareAddress a plain address means a host prefix.
    static std::optional<IpPrefix> parse(const QString &text, bool allowBareAddress = false);
    /// The smallest prefix holding every address in \a addresses (all of one family),
    /// but never longer than \a maxLength.
    static IpPrefix covering(const QList<IpAddress> &addresses, int maxLength);

    const IpAddress &address() const { return m_address; }
    int length() const { return m_length; }
    bool isValid() const { return m_address.family() != IpAddress::Family::None; }
    bool isDefaultRoute() const { return isValid() && m_length == 0; }
    bool isHostPrefix() const { return m_length == m_address.bitCount(); }

    /// The network address (host bits cleared) with the same length.
    IpPrefix network() const { return IpPrefix(m_address.masked(m_length), m_length); }
    bool contains(const IpAddress &address) const;
    bool contains(const IpPrefix &other) const;
    bool overlaps(const IpPrefix &other) const;

    QString toString() const;

    bool operator==(const IpPrefix &other) const = default;

private:
    IpAddress m_address;
    int m_length = 0;
};

size_t qHash(const IpAddress &address, size_t seed = 0);
size_t qHash(const IpPrefix &prefix, size_t seed = 0);

/// Splits "host:port" or "[v6]:port"; returns false when the port is missing or invalid.
bool splitEndpoint(const QString &endpoint, QString *host, int *port);
/// Joins host and port, bracketing IPv6 literals.
QString joinEndpoint(const QString &host, int port);
