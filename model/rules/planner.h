// Turns a project into what each host interface is configured with, by the mesh rules.
#pragma once

#include "exclusions.h"
#include "interfaceconfig.h"
#include "keystore.h"
#include "project.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <memory>
#include <utility>
#include <vector>


/// Applies wireguardmeshgenerator's rules (see DESIGN.md, "The project file") and
/// Meshwright's per-link settings. The project must outlive the planner.
class Planner
{
public:
    /// With \a exclusions (built from \a project, or from a project with the same names
    /// and exclude lists) the planner shares them; without, it resolves its own.
    explicit Planner(const Project &project, std::shared_ptr<const Exclusions> exclusions = {});

    /// exclude_peers resolved, as the planner uses them (shareable with the next planner).
    const std::shared_ptr<const Exclusions> &exclusions() const { return m_exclusions; }

    /// Key ids of every host interface (what KeyStore::ensure needs).
    QStringList keyIds() const;
    /// Every pair of key ids that shares a preshared key: the linked pairs whose link
    /// keeps its PSK. A pair is linked when either side has the other as a peer.
    QList<std::pair<QString, QString>> presharedKeyPairs() const;
    /// The same, only the pairs that \a host is part of.
    QList<std::pair<QString, QString>> presharedKeyPairsOf(qsizetype host) const;

    /// Indexes of the peers of host \a host, in file order: every other host but those
    /// it excludes.
    QList<qsizetype> peersOf(qsizetype host) const;
    /// The peers \a host has a peer entry for: peersOf() but those reached through a relay.
    QList<qsizetype> tunnelPeersOf(qsizetype host) const;
    /// True when \a host has \a peer as a peer.
    bool hasPeer(qsizetype host, qsizetype peer) const { return host != peer && !m_exclusions->excludes(host, peer); }

    /// One thread's own copies of the texts that every host's section of a peer repeats:
    /// the peer's name, public key, endpoint and own prefixes. Copying a string that all
    /// threads share writes its reference count, and when two threads on CPUs that share
    /// no cache write the same counts for every peer of every host, the cache lines move
    /// between the CPUs each time (planning and formatting 1000 hosts took twice as long).
    /// Made by the thread that uses it, for the planner it was made from.
    class Copies
    {
    public:
        /// With \a keys and \a keyNumbers (keyNumbers(keys)), the public keys too.
        explicit Copies(const Planner &planner, const KeyStore *keys = nullptr, const std::vector<int> *keyNumbers = nullptr);

    private:
        friend class Planner;
        std::vector<QString> m_names;
        std::vector<QString> m_publicKeys; ///< empty without keys, and for per-peer routers
        std::vector<QString> m_siteEndpoints;
        std::vector<QStringList> m_ownPrefixes;
        std::vector<QList<IpPrefix>> m_ownParsed;
    };

    /// The endpoint under which \a host reaches \a peer, or empty when it cannot (the
    /// peer roams, or sits behind NAT on a LAN that \a host is not on). With \a copies,
    /// a thread's own copy where it is the peer's alone (see Copies).
    QString endpoint(qsizetype host, qsizetype peer, const Copies *copies = nullptr) const;
    /// Whether endpoint() is non-empty, without building it.
    bool hasEndpoint(qsizetype host, qsizetype peer) const;
    /// True when \a a and \b b can open a tunnel to each other: one can dial the other.
    bool isDirect(qsizetype a, qsizetype b) const { return hasEndpoint(a, b) || hasEndpoint(b, a); }
    /// The host that carries the link between \a a and \a b, which have no direct path
    /// (two NATed sites, a roaming client and a host behind NAT): the link's own relay,
    /// else the first of relayCandidates() that both reach directly and can forward.
    /// The same for (a, b) and (b, a). -1 when they are not linked both ways, have a direct
    /// path, or no host can carry it (the validator says why).
    qsizetype relayOf(qsizetype a, qsizetype b) const { return a == b ? -1 : m_relayOf[size_t(a)].value(b, -1); }
    /// True for a linked pair with no direct path and no relay: its tunnel cannot come up.
    bool lacksPath(qsizetype a, qsizetype b) const
    {
        return a != b && m_relayOf[size_t(a)].contains(b) && m_relayOf[size_t(a)].value(b) < 0;
    }
    /// The relays the link between \a a and \a b would try, in order: the link's relay, else
    /// a roaming end's exits (or its mesh gateway), those of the ends' sites (Project::sites),
    /// then `defaults.relays` or the internet hosts in file order.
    QList<qsizetype> relayCandidates(qsizetype a, qsizetype b) const;
    /// Why \a relay cannot carry the link between \a a and \a b; empty when it can.
    QString relayProblem(qsizetype relay, qsizetype a, qsizetype b) const;
    /// The hosts whose links with \a host go through \a relay, in file order.
    QList<qsizetype> relayedVia(qsizetype host, qsizetype relay) const;
    /// Why \a a and \a b have no direct path: "nas is behind the NAT of site 'home', laptop roams".
    QString whyNoPath(qsizetype a, qsizetype b) const;
    /// The relays that carry \a host's relayed links, each once, in file order.
    QList<qsizetype> relaysOf(qsizetype host) const;
    /// True when \a host carries a relayed link: it forwards between its own peers.
    bool isRelay(qsizetype host) const { return m_isRelay[size_t(host)]; }
    /// The keepalive \a host sends to \a peer (0 = none).
    int keepalive(qsizetype host, qsizetype peer) const;
    /// The prefixes \a host routes to \a peer (\a copies: as endpoint() takes them).
    QStringList allowedIps(qsizetype host, qsizetype peer, const Copies *copies = nullptr) const;
    /// The same, parsed (invalid extra prefixes are left out; the validator names them).
    QList<IpPrefix> allowedPrefixes(qsizetype host, qsizetype peer, const Copies *copies = nullptr) const;
    /// The prefixes BGP announces from \a peer on its link with \a host (MetalLB): in
    /// allowedIps(), never given a static route.
    QList<IpPrefix> bgpPrefixes(qsizetype host, qsizetype peer) const;
    /// The prefixes of allowedIps() that get a static route when \a host routes its peers
    /// itself (a router with `routes: explicit`, or an export whose router needs routes):
    /// each network once, never a default route, and with \a skipBgp not bgpPrefixes()
    /// (for those the router's own table picks the tunnel). The one rule for static
    /// routes: the router's PostUp, the export scripts and the properties pane ask here.
    QList<IpPrefix> staticRoutes(qsizetype host, qsizetype peer, bool skipBgp) const;
    /// True for a host that routes its peers' prefixes itself: one with router settings,
    /// or a router system (EdgeOS, VyOS). Its planned interfaces carry peerRoutes.
    bool routesItself(qsizetype host) const;
    /// The address in endpoint(), when it is an IP address rather than a name.
    std::optional<IpAddress> endpointAddress(qsizetype host, qsizetype peer) const;
    /// The gateway a roaming host with `gateway: false` sends the mesh subnets to, or -1.
    qsizetype meshGatewayOf(qsizetype host) const;
    /// The exit gateways of a full-tunnel roaming client (`gateway: true`), in order of
    /// preference: its `exits` that are peers it can dial, else every peer it can dial in
    /// file order. The first holds its default route (0.0.0.0/0, ::/0) in the main profile;
    /// the others their own addresses, ready to take over. Empty for other hosts.
    const QList<qsizetype> &exitsOf(qsizetype host) const { return m_exits[size_t(host)]; }
    /// True when \a host is an exit of a full-tunnel roaming client: it must forward and
    /// masquerade the mesh's traffic out of its uplink.
    bool isExitGateway(qsizetype host) const { return m_exitGateway[size_t(host)]; }

    /// What \a host forwards and masquerades, decided once from a router's own settings and
    /// the exit-gateway role; each OS writes it its own way (PostUp/PostDown, pf).
    struct Forwarding
    {
        bool forward = false;     ///< between the tunnels and the uplink
        bool nat = false;         ///< masquerade the mesh subnets out of the uplink
        bool exitGateway = false; ///< isExitGateway(); forward and nat stay off with Host::ownForwarding
        bool relay = false;       ///< isRelay(): forwards between its own peers, without NAT
        QString egress;           ///< the uplink; empty: the default route's interface
        bool any() const { return forward || nat; }
    };
    Forwarding forwarding(qsizetype host) const;
    /// The PostUp and PostDown lines of a Linux host's forwarding and NAT (\a postUp and
    /// \a postDown get them appended): the forwarding sysctls, and a nftables table of
    /// Meshwright's own per interface ("meshwright-%i"), which PostDown deletes whole.
    void forwardingLines(qsizetype host, QStringList *postUp, QStringList *postDown) const;

    /// The planned mesh interface of host \a host, with keys from \a keys. For a router
    /// with one interface per peer, its first interface (see planAll()).
    /// \a keyNumbers, from keyNumbers(keys), saves looking the peers' keys up by name;
    /// \a copies, made with the same two, is the calling thread's (see Copies).
    PlannedInterface plan(qsizetype host, const KeyStore &keys, const std::vector<int> *keyNumbers = nullptr,
                          const Copies *copies = nullptr) const;
    /// Every interface of host \a host: the mesh interface, or for a router with one
    /// interface per peer, wg0, wg1, ... in the order of its peers.
    QList<PlannedInterface> planAll(qsizetype host, const KeyStore &keys, const std::vector<int> *keyNumbers = nullptr,
                                    const Copies *copies = nullptr) const;
    /// The number \a keys gives each host's key id (KeyStore::keyNumber), -1 for a
    /// router with one interface per peer (a key per peer, found by name): found once,
    /// for planning many hosts with the same keys.
    std::vector<int> keyNumbers(const KeyStore &keys) const;

    /// Key id of a host's mesh interface.
    static QString keyId(const Host &host) { return host.name; }
    /// Key id of the interface of \a host that faces \a peer ("HOST/wgN" on a router with
    /// one interface per peer, else the host's name).
    QString keyIdFacing(qsizetype host, qsizetype peer) const;
    /// The public key \a host shows \a peer: an external host's own, else the key store's.
    QString publicKeyOf(qsizetype host, qsizetype peer, const KeyStore &keys) const;
    /// True when \a host has one interface per peer.
    bool isPerPeerRouter(qsizetype host) const { return perPeer(host); }
    /// The names of \a host's WireGuard interfaces, in planAll()'s order, without planning
    /// them: wg0, wg1, ... on a router with one interface per peer, else the mesh
    /// interface's name.
    QStringList interfaceNames(qsizetype host) const;
    /// On a router with one interface per peer: the number of the interface facing \a peer.
    int slotOf(qsizetype router, qsizetype peer) const { return m_slots[size_t(router)].value(peer, -1); }
    /// The address of interface \a slot of a router with one interface per peer.
    QString tunnelAddress(qsizetype router, int slot) const;
    /// The tunnel MTU of \a host's interfaces (0: left to wg-quick).
    int tunnelMtu(qsizetype host) const;

private:
    const LinkSettings *link(qsizetype a, qsizetype b) const;
    /// Linked (either way) and the link keeps its preshared key.
    bool sharesPresharedKey(qsizetype a, qsizetype b) const;
    int listenPort(qsizetype host) const;
    PeerConfig peerConfig(qsizetype host, qsizetype peer, const KeyStore &keys, const KeyStore::PresharedKeys &presharedKeys,
                          const std::vector<int> *keyNumbers = nullptr, const Copies *copies = nullptr) const;
    /// Whether the peer's own address or a mesh subnet is routed, before link extras.
    enum class Routes { Everything, MeshSubnets, Own };
    Routes routes(qsizetype host, qsizetype peer) const;
    /// What \a host routes to \a peer when the rule says \a routes (a per-gateway profile's
    /// exit), with the link's extra prefixes.
    QStringList allowedIps(qsizetype host, qsizetype peer, Routes routes, const Copies *copies = nullptr) const;
    bool perPeer(qsizetype host) const;
    PlannedInterface planPerPeer(qsizetype router, qsizetype peer, int slot, const KeyStore &keys) const;
    /// Table, routes and MSS clamping of a router host's interface, and the forwarding and
    /// NAT of any Linux host that forwards.
    void addRouterLines(qsizetype host, InterfaceConfig &config) const;
    /// The lines of an interface that the rules do not make (Interface::preUp and the
    /// rest), after the generated ones; on a router with one interface per peer, on each.
    void addKeptLines(qsizetype host, InterfaceConfig &config) const;
    /// pf rules of an OpenBSD host that forwards (a router or an exit gateway: pass, NAT,
    /// NAT66), for its interfaces.
    QStringList pfRules(qsizetype host, const QStringList &interfaces, const QList<int> &ports) const;

    const Project &m_project;
    std::shared_ptr<const Exclusions> m_exclusions;
    std::vector<QStringList> m_ownPrefixes; ///< ip/32 and ipv6/128 of each host
    std::vector<QList<IpPrefix>> m_ownParsed;
    std::vector<QString> m_siteEndpoint; ///< internet or LAN address with port, per host
    std::vector<std::optional<IpAddress>> m_siteAddress;
    std::vector<QHash<qsizetype, int>> m_slots; ///< per-peer routers: peer -> interface number
    QHash<std::pair<qsizetype, qsizetype>, const LinkSettings *> m_links;
    std::vector<QList<qsizetype>> m_exits; ///< exitsOf()
    /// Per host: the relay of each linked peer it has no direct path to (-1: none can).
    std::vector<QHash<qsizetype, qsizetype>> m_relayOf;
    /// Per host: (relay, far end) of its relayed links, far ends in file order.
    std::vector<QList<std::pair<qsizetype, qsizetype>>> m_relayed;
    std::vector<bool> m_isRelay;
    /// Per relay: for each end of a link it carries, the extra prefixes the far end routes
    /// to that end (a LAN behind it): the relay routes them to that end too.
    std::vector<QHash<qsizetype, QStringList>> m_relayExtras;
    QList<qsizetype> m_defaultRelays;
    QHash<QString, QList<qsizetype>> m_siteRelays;
    /// Finds the relay of every linked pair without a direct path.
    void planRelays(const QHash<QString, qsizetype> &index);
    std::vector<bool> m_exitGateway;
    IpPrefix m_subnetV4;
    IpPrefix m_subnetV6;
};
