// What one WireGuard interface of one host is configured with: the planner's output.
#pragma once

#include "ipaddress.h"
#include "presharedkey.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

/// One [Peer] section.
struct PeerConfig
{
    QString name; ///< the peer host's name, written as a comment; not part of WireGuard's format
    QString publicKey;
    PresharedKey presharedKey; ///< none when the link has none
    QStringList allowedIps;
    QString endpoint;
    int persistentKeepalive = 0; ///< 0 = off

    bool operator==(const PeerConfig &) const = default;
};

/// One wg-quick configuration: the [Interface] section and its peers.
struct InterfaceConfig
{
    QString privateKey;
    QStringList addresses; ///< as written, with or without prefix length
    std::optional<int> listenPort;
    QStringList dns;
    std::optional<int> mtu;
    QString table;
    std::optional<quint32> fwMark;
    QStringList preUp;
    QStringList postUp;
    QStringList preDown;
    QStringList postDown;
    bool saveConfig = false;
    QList<PeerConfig> peers;

    bool operator==(const InterfaceConfig &) const = default;
};

/// A generated interface of a host with what identifies it.
struct PlannedInterface
{
    QString host;
    QString interfaceName; ///< wg0, wg1, ...; also the file's base name
    QString os;
    std::optional<QString> ipv4Address; ///< with prefix length, as it goes on the interface
    std::optional<QString> ipv6Address;
    InterfaceConfig config;
    /// Extra profiles: for a roaming client with several gateways, one per gateway
    /// (profile name, e.g. "wg0-blowfish", and its config with that gateway alone).
    QList<QPair<QString, InterfaceConfig>> profiles;
    /// For OpenBSD routers: pf rules to include from /etc/pf.conf (forwarding and NAT),
    /// which wg-quick's PostUp lines would do on Linux.
    QStringList pfRules;
    /// What a router needs to route to one peer itself (a system that does not route
    /// AllowedIPs by its own, or a router whose routes are explicit).
    struct PeerRoutes
    {
        QList<IpPrefix> routes; ///< the networks of its AllowedIPs, each once, no default route
        QList<IpPrefix> bgp;    ///< those of them that BGP announces from the peer
    };
    /// Per peer of config.peers, in that order: filled for hosts with router settings and
    /// router systems (EdgeOS, VyOS), empty for the others.
    QList<PeerRoutes> peerRoutes;

    /// A full-tunnel client's exits (its gateways in the order of exits:), when it has
    /// more than one: what a failover watchdog needs to move the default route between them.
    struct Exit
    {
        QString name;
        QString publicKey;
        QStringList probe;      ///< its mesh addresses, which it answers on through the tunnel
        QStringList allowedIps; ///< what config gives it, without the default route
    };
    QList<Exit> exits;
    QStringList defaultRoutes; ///< the default routes the first exit holds: 0.0.0.0/0, ::/0
    /// A peer this interface dials by DNS name: its endpoint, resolved once by wg-quick, is
    /// resolved again while the peer has no fresh handshake.
    struct NamedEndpoint
    {
        QString name;
        QString publicKey;
        QString endpoint; ///< "NAME:PORT" or "[NAME]:PORT", as config has it
    };
    QList<NamedEndpoint> namedEndpoints;
};
