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
    QString host;     ///< where to connect; empty: NAME.DOMAIN of the host's lan/internet site
    QString identity; ///< a private key file tried first; empty: ssh-agent, then ~/.ssh keys
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
    QString ip; ///< empty with a domain: the host is dialled by name, NAME.DOMAIN (dynamic DNS)

    /// Where peers dial the host of \a name: its address, or NAME.DOMAIN without one.
    QString dialled(const QString &name) const { return ip.isEmpty() && !domain.isEmpty() ? name + QLatin1Char('.') + domain : ip; }

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
    std::optional<int> mtu;        ///< absent: the rule's (roaming 1420, a router's uplink less the headers, else none); 0: none, wg-quick picks it
    // What wg-quick takes that the rules do not make, kept as written (an imported
    // config's own commands): after the generated lines, in this order.
    QStringList preUp;
    QStringList postUp;
    QStringList preDown;
    QStringList postDown;
    QString table;                 ///< empty: the rule's (wg-quick's auto, or off for explicit routes)
    std::optional<quint32> fwMark; ///< absent: none
    bool saveConfig = false;       ///< wg-quick writes the running state back at down
    /// The IPv4 Address carries the mesh subnet's length (10.8.0.1/24), so the interface
    /// routes the whole subnet, as FreeBSD's always does; else a bare address.
    bool subnetRoute = false;

    bool operator==(const Interface &) const = default;
};

/// The router pattern (a home router to the nodes of a cluster): one WireGuard interface
/// per peer, routes decided by the router's own table, MTU and MSS from the uplink.
struct RouterSettings
{
    enum class Routes { FromAllowedIps, Explicit };

    bool interfacePerPeer = false; ///< wg0, wg1, ... one per peer, numbered in peer order
    int basePort = 51820;          ///< interface N listens on basePort + N
    std::optional<IpPrefix> tunnelRange; ///< interface N's address: the range's (N+1)th address
    Routes routes = Routes::FromAllowedIps; ///< Explicit: Table = off and generated routes
    int uplinkMtu = 1500;          ///< 1492 on PPPoE
    bool outerIpv6 = false;        ///< tunnels run over IPv6 (40-byte outer header)
    bool mssClamp = false;         ///< clamp TCP MSS on the tunnels
    bool forwarding = false;       ///< forward traffic through the tunnels
    bool nat = false;              ///< masquerade the mesh's traffic to the internet

    bool operator==(const RouterSettings &) const = default;
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
    /// The NATed site (a home, an office) a LAN host is in: hosts of one site reach each
    /// other at their LAN addresses, hosts of two sites only through a relay. Empty: the
    /// project's one default site.
    QString site;
    QList<Interface> interfaces{Interface{}};
    QStringList excludePeers;
    bool gateway = true; ///< for roaming hosts: send all traffic through the VPN
    /// For a roaming host with gateway: its exit gateways in order of preference: the first
    /// holds the default route, the others their own addresses (and take over on a watchdog).
    /// Empty: its internet gateways in file order.
    QStringList exits;
    /// For exit gateways (the default route of a full-tunnel roaming client): masquerade
    /// the mesh's traffic out of the uplink. Absent: yes for exit gateways (and what a
    /// router's own setting says); false for a gateway whose upstream routes the mesh.
    std::optional<bool> nat;
    QString egress; ///< the uplink to masquerade out of; empty: the default route's interface
    /// The host forwards and masquerades by lines of its own (an imported hub's iptables
    /// PostUp, say): Meshwright writes none of its forwarding or NAT for it.
    bool ownForwarding = false;
    /// Set: an external host, run by someone else (found by an import): only its public key
    /// is known. Its peers list it; it is never deployed and no config is generated for it.
    QString publicKey;
    std::optional<QPointF> position;
    std::optional<RouterSettings> router;
    QString kubernetesNode; ///< the node name when the host is a Kubernetes node

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
    bool isExternal() const { return !publicKey.isEmpty(); }
    bool isOpenBsd() const { return os.compare(QLatin1String("OpenBSD"), Qt::CaseInsensitive) == 0; }
    bool isFreeBsd() const { return os.compare(QLatin1String("FreeBSD"), Qt::CaseInsensitive) == 0; }

    bool operator==(const Host &) const = default;
};

/// What one end of a link sets for itself. Kept per end, not per host name, so that
/// renaming a host has nothing to carry along.
struct LinkEnd
{
    QString endpoint;        ///< where the other end reaches this one (empty: the rule's)
    QStringList allowedIps;  ///< further prefixes routed to this end
    /// Prefixes that BGP announces from this end (MetalLB): in the other end's AllowedIPs,
    /// but never given a static route.
    QStringList bgpPrefixes;

    bool isEmpty() const { return endpoint.isEmpty() && allowedIps.isEmpty() && bgpPrefixes.isEmpty(); }
    bool operator==(const LinkEnd &) const = default;
};

/// Settings of the link between two hosts, which the full mesh creates by default.
struct LinkSettings
{
    QString a; ///< the two hosts, in any order
    QString b;
    std::optional<int> keepalive;          ///< overrides the rule (0 = off)
    bool presharedKey = true;              ///< one PSK shared by both ends
    LinkEnd atA;                           ///< what host a sets for its end
    LinkEnd atB;                           ///< what host b sets for its end
    /// Also route the far end's public address through the tunnel (it then needs an
    /// endpoint outside the tunnel: an endpoint override, typically its IPv6 address).
    bool encryptPublicAddress = false;
    /// The host that carries the link when its ends have no direct path; empty: the
    /// first of the relays that both ends reach (Planner::relayOf).
    QString relay;

    bool joins(const QString &x, const QString &y) const
    {
        return (a == x && b == y) || (a == y && b == x);
    }
    /// The end that belongs to \a host, which must be a or b.
    const LinkEnd &end(const QString &host) const
    {
        Q_ASSERT(host == a || host == b);
        return host == a ? atA : atB;
    }
    LinkEnd &end(const QString &host)
    {
        Q_ASSERT(host == a || host == b);
        return host == a ? atA : atB;
    }
    bool operator==(const LinkSettings &) const = default;
};

/// What wireguardmeshgenerator hard-codes, made settable.
struct Defaults
{
    int listenPort = 56709;
    int keepalive = 25;
    QStringList dns{QStringLiteral("1.1.1.1"), QStringLiteral("8.8.8.8")};
    bool hostsFile = false; ///< every host with SSH gets the mesh's names in /etc/hosts
    /// Seconds a full-tunnel client's earlier exit must answer every probe before its
    /// failover watchdog moves the default route back to it.
    int failoverHoldDown = 60;
    /// The hosts that relay a link whose two ends have no direct path, in order of
    /// preference. Empty: the internet hosts in file order.
    QStringList relays;

    bool operator==(const Defaults &) const = default;
};

/// The mesh subnets; absent, they are derived from the hosts' addresses.
struct NetworkSettings
{
    std::optional<IpPrefix> ipv4;
    std::optional<IpPrefix> ipv6;

    bool operator==(const NetworkSettings &) const = default;
};

/// What a site (Host::site) sets for itself.
struct SiteSettings
{
    QString name;
    QStringList relays; ///< relays for links with an end in this site, before the defaults'

    bool operator==(const SiteSettings &) const = default;
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
    QList<SiteSettings> sites; ///< only the sites that set something, in file order
    QList<LinkSettings> links;
    QList<ProjectComment> comments;

    /// Index of the host called \a name, or -1.
    qsizetype indexOf(const QString &name) const;
    const Host *host(const QString &name) const;
    const LinkSettings *linkSettings(const QString &a, const QString &b) const;
    const SiteSettings *siteSettings(const QString &name) const;
    /// The sites the hosts are in, in file order, without the default site.
    QStringList siteNames() const;

    /// The IPv4 mesh subnet: `network.ipv4`, or the /24 holding every host's address,
    /// or the smallest prefix covering them all when they span several.
    IpPrefix meshSubnetV4() const;
    /// The same for IPv6 (a /64 by default); invalid when no host has an IPv6 address.
    IpPrefix meshSubnetV6() const;

    bool operator==(const Project &) const = default;
};

/// Tunnel MTU and TCP MSS, as the router article computes them.
namespace TunnelMtu {
/// uplink − outer IP header (20 IPv4 / 40 IPv6) − 8 (UDP) − 32 (WireGuard): 1420 for an IPv6
/// outer header on 1500.
constexpr int mtu(int uplinkMtu, bool outerIpv6) { return uplinkMtu - (outerIpv6 ? 40 : 20) - 8 - 32; }
/// MTU − inner IP header (20 / 40) − TCP header (20).
constexpr int mss(int tunnelMtu, bool innerIpv6) { return tunnelMtu - (innerIpv6 ? 40 : 20) - 20; }
/// What roaming profiles get when nothing is set: the Android app would pick 1280.
constexpr int roamingDefault = 1420;
} // namespace TunnelMtu

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
