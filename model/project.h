// The domain as plain values: hosts with their interfaces, per-link settings, defaults.
#pragma once

#include "ipaddress.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <optional>

/// SSH access to a host. A host without it is installed by hand (phones, laptops).
struct SshSettings
{
    QString user;
    int port = 22;
    QString confDir = QStringLiteral("/etc/wireguard");
    QString sudoCmd;
    QString reloadCmd;

    bool operator==(const SshSettings &) const = default;
};

/// A name and address under which a host is reached: on the home LAN or on the internet.
struct SiteAddress
{
    QString domain;
    QString ip;

    bool operator==(const SiteAddress &) const = default;
};

/// One WireGuard interface of a host (wg0, wg1, ...).
struct Interface
{
    QString name = QStringLiteral("wg0");
    QString domain;
    QString ip;   ///< IPv4 address inside the mesh, without prefix length
    QString ipv6; ///< optional IPv6 address inside the mesh
    std::optional<int> listenPort; ///< falls back to the project's default port
    std::optional<int> mtu;        ///< absent: wg-quick picks it

    bool operator==(const Interface &) const = default;
};

/// A host of the mesh. Its role follows from which site addresses it has.
struct Host
{
    enum class Role { Lan, Internet, Roaming };

    QString name;
    QString os = QStringLiteral("Linux");
    std::optional<SshSettings> ssh;
    std::optional<SiteAddress> lan;
    std::optional<SiteAddress> internet;
    QList<Interface> interfaces{Interface{}};
    QStringList excludePeers;
    bool gateway = true; ///< for roaming hosts: send all traffic through the VPN
    std::optional<QPointF> position;

    /// A host on the internet is a gateway; on the LAN a LAN host; with neither, roaming.
    Role role() const
    {
        if (internet)
            return Role::Internet;
        if (lan)
            return Role::Lan;
        return Role::Roaming;
    }
    /// The mesh interface (the first; wg0 in files of wireguardmeshgenerator's format).
    const Interface &meshInterface() const { return interfaces.front(); }
    Interface &meshInterface() { return interfaces.front(); }
    bool isOpenBsd() const { return os.compare(QLatin1String("OpenBSD"), Qt::CaseInsensitive) == 0; }
    bool isFreeBsd() const { return os.compare(QLatin1String("FreeBSD"), Qt::CaseInsensitive) == 0; }

    bool operator==(const Host &) const = default;
};

/// Settings of the link between two hosts, which the full mesh creates by default.
struct LinkSettings
{
    QString a; ///< the two hosts, in any order
    QString b;
    std::optional<int> keepalive;          ///< overrides the rule (0 = off)
    bool presharedKey = true;              ///< one PSK shared by both ends
    QHash<QString, QString> endpoint;      ///< host -> endpoint used to reach that host
    QHash<QString, QStringList> allowedIps; ///< host -> extra prefixes routed to that host

    bool joins(const QString &x, const QString &y) const
    {
        return (a == x && b == y) || (a == y && b == x);
    }
    bool operator==(const LinkSettings &) const = default;
};

/// What wireguardmeshgenerator hard-codes, made settable.
struct Defaults
{
    int listenPort = 56709;
    int keepalive = 25;
    QStringList dns{QStringLiteral("1.1.1.1"), QStringLiteral("8.8.8.8")};

    bool operator==(const Defaults &) const = default;
};

/// The mesh subnets; absent, they are derived from the hosts' addresses.
struct NetworkSettings
{
    std::optional<IpPrefix> ipv4;
    std::optional<IpPrefix> ipv6;

    bool operator==(const NetworkSettings &) const = default;
};

/// A comment line of the project file, kept so that saving does not lose it. It stands
/// before \a key of \a host (a top-level key when \a host is empty); an empty key puts it
/// before the host, "$end" at the end of the host's block (or of the file).
struct ProjectComment
{
    QString host;
    QString key;
    QString text; ///< without the leading '#'

    bool operator==(const ProjectComment &) const = default;
};

/// A whole project: what the YAML file holds.
struct Project
{
    QList<Host> hosts; ///< in file order
    Defaults defaults;
    NetworkSettings network;
    QList<LinkSettings> links;
    QList<ProjectComment> comments;

    /// Index of the host called \a name, or -1.
    qsizetype indexOf(const QString &name) const;
    const Host *host(const QString &name) const;
    const LinkSettings *linkSettings(const QString &a, const QString &b) const;

    /// The IPv4 mesh subnet: `network.ipv4`, or the /24 holding every host's address,
    /// or the smallest prefix covering them all when they span several.
    IpPrefix meshSubnetV4() const;
    /// The same for IPv6 (a /64 by default); invalid when no host has an IPv6 address.
    IpPrefix meshSubnetV6() const;

    bool operator==(const Project &) const = default;
};

/// True when \a value holds a line break or another control character: such a value could
/// add lines to a config or a remote command.
bool hasControlCharacters(const QString &value);
/// True when \a value can be written into a config line without changing its structure:
/// no control characters and no comment marker.
bool isSafeConfigValue(const QString &value);
/// True for names usable as a host name and folder name: letters, digits, `_ . -`.
bool isValidHostName(const QString &name);
/// True for names Linux accepts as an interface name (what wg-quick checks).
bool isValidInterfaceName(const QString &name);
