// Checks a project for mistakes that would give broken or dangerous configs.
#include "validator.h"

#include "fieldcheck.h"

#include "parallel.h"
#include "planner.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <optional>

namespace {

class Checker
{
public:
    Checker(const Project &project, const Planner &planner)
        : m_project(project)
        , m_planner(planner)
    {
    }

    QList<Diagnostic> run();

private:
    void error(const QString &host, const QString &peer, const QString &message)
    {
        m_found.append({Diagnostic::Severity::Error, host, peer, message, 0});
    }
    void warning(const QString &host, const QString &peer, const QString &message)
    {
        m_found.append({Diagnostic::Severity::Warning, host, peer, message, 0});
    }
    void note(const QString &host, const QString &peer, const QString &message)
    {
        m_found.append({Diagnostic::Severity::Note, host, peer, message, 0});
    }
    void checkFields(qsizetype index);
    void checkAddresses();
    void checkLinks();
    void checkDerivedSubnets();
    void checkHalfLinks(qsizetype host);
    void checkRouter(qsizetype host);
    void checkAllowedIps(qsizetype host);
    void checkResolverOutside(qsizetype host, qsizetype peer, const QList<IpPrefix> &prefixes);
    void checkReachability(qsizetype host);
    void checkExits(qsizetype host);
    /// Why a linked pair without a direct path has no relay.
    QString noPathMessage(qsizetype a, qsizetype b) const;
    /// The prefixes of \a host's relayed links, per relay: none may overlap.
    void checkRelayed(qsizetype host);
    /// A relay's own findings: what it sees, and its MTU against the ends'.
    void checkRelay(qsizetype relay);
    void checkExitGateway(qsizetype host);

    const Project &m_project;
    const Planner &m_planner;
    QList<Diagnostic> m_found;
    QSet<QString> m_duplicateAddresses; ///< canonical mesh addresses used twice
    std::optional<Planner::Copies> m_copies; ///< a worker's own, made on its thread
};

void Checker::checkFields(qsizetype index)
{
    const Host &host = m_project.hosts[index];
    if (const QString problem = FieldCheck::hostName(host.name); !problem.isEmpty())
        error(host.name, {}, problem);
    auto check = [&](const QString &field, const QString &value) {
        if (!isSafeConfigValue(value))
            error(host.name, {}, QStringLiteral("%1 holds a line break, control character or '#', "
                                                "which could add lines to a config")
                                     .arg(field));
    };
    check(QStringLiteral("os"), host.os);
    if (host.isExternal() && (host.ssh || host.router))
        error(host.name, {}, QStringLiteral("an external host is configured by its owner: it cannot have %1")
                                 .arg(host.ssh ? QStringLiteral("ssh settings") : QStringLiteral("router settings")));
    for (const Interface &iface : host.interfaces) {
        for (const auto &[key, lines] : {std::pair("pre_up", &iface.preUp), std::pair("post_up", &iface.postUp),
                                         std::pair("pre_down", &iface.preDown), std::pair("post_down", &iface.postDown)}) {
            for (const QString &command : *lines)
                check(iface.name + QLatin1Char('.') + QLatin1String(key), command);
            if (!lines->isEmpty() && host.isOpenBsd())
                warning(host.name, {}, QStringLiteral("%1.%2: OpenBSD's netstart runs no wg-quick commands; they are left out")
                                           .arg(iface.name, QLatin1String(key)));
        }
        if (iface.saveConfig)
            warning(host.name, {}, QStringLiteral("%1.save_config: wg-quick writes the running state back into %1.conf when it "
                                                  "goes down, so the host's file drifts from the project")
                                       .arg(iface.name));
        if (!isValidInterfaceName(iface.name))
            error(host.name, {}, QStringLiteral("'%1' is not a valid interface name").arg(iface.name));
        check(iface.name + QLatin1String(".domain"), iface.domain);
        for (const bool v6 : {false, true}) {
            if (const QString problem = FieldCheck::meshAddress(v6 ? iface.ipv6 : iface.ip, v6); !problem.isEmpty())
                error(host.name, {}, QStringLiteral("%1%2: %3").arg(iface.name, v6 ? QStringLiteral(".ipv6") : QString(), problem));
        }
    }
    for (const auto *site : {&host.lan, &host.internet}) {
        if (!*site)
            continue;
        check(QStringLiteral("domain"), (*site)->domain);
        if ((*site)->ip.isEmpty() && !(*site)->domain.isEmpty())
            continue; // dialled by name, NAME.DOMAIN
        if (const QString problem = FieldCheck::address((*site)->ip, IpAddress::Family::None); !problem.isEmpty())
            error(host.name, {}, problem);
    }
    if (host.ssh) {
        const std::pair<const char *, QString> problems[] = {
            {"user", FieldCheck::sshUser(host.ssh->user)},
            {"conf_dir", FieldCheck::configFolder(host.ssh->confDir)},
            {"sudo_cmd", FieldCheck::remoteCommandText(host.ssh->sudoCmd)},
            {"reload_cmd", FieldCheck::remoteCommandText(host.ssh->reloadCmd)},
        };
        for (const auto &[key, problem] : problems) {
            if (!problem.isEmpty())
                error(host.name, {}, QStringLiteral("ssh.%1: %2").arg(QLatin1String(key), problem));
        }
    }
    for (const QString &peer : m_planner.exclusions()->unknown(index))
        error(host.name, {}, QStringLiteral("exclude_peers names unknown host '%1'").arg(peer));
}

void Checker::checkLinks()
{
    for (const LinkSettings &link : m_project.links) {
        for (const auto &[host, end] : {std::pair(&link.a, &link.atA), std::pair(&link.b, &link.atB)}) {
            if (const QString problem = FieldCheck::endpoint(end->endpoint); !problem.isEmpty())
                error(link.a, link.b, QStringLiteral("endpoint for %1: %2").arg(*host, problem));
        }
    }
}

void Checker::checkDerivedSubnets()
{
    // Without a network section the mesh subnets come from the addresses: one address
    // far from the others widens them silently (FreeBSD's Address, OpenBSD's netmask and
    // gateway-only clients' routes follow the subnet).
    const struct
    {
        bool given;
        IpPrefix subnet;
        int expected;
        bool v6;
    } families[2] = {{m_project.network.ipv4.has_value(), m_project.meshSubnetV4(), 24, false},
                     {m_project.network.ipv6.has_value(), m_project.meshSubnetV6(), 64, true}};
    for (const auto &family : families) {
        if (family.given || !family.subnet.isValid() || family.subnet.length() >= family.expected)
            continue;
        QHash<QString, QStringList> byPrefix; // the hosts of each /24 (/64)
        for (const Host &host : m_project.hosts) {
            if (const auto address = IpAddress::parse(family.v6 ? host.meshInterface().ipv6 : host.meshInterface().ip))
                byPrefix[IpPrefix(*address, family.expected).network().toString()].append(host.name);
        }
        QString biggest;
        for (auto it = byPrefix.cbegin(); it != byPrefix.cend(); ++it) {
            if (biggest.isEmpty() || it.value().size() > byPrefix.value(biggest).size())
                biggest = it.key();
        }
        QStringList outliers;
        for (auto it = byPrefix.cbegin(); it != byPrefix.cend(); ++it) {
            if (it.key() != biggest)
                outliers += it.value();
        }
        outliers.sort();
        warning({}, {}, QStringLiteral("the mesh addresses span %1, wider than a /%2; check the address of %3, or set "
                                       "network.%4 to the subnet you mean")
                            .arg(family.subnet.toString())
                            .arg(family.expected)
                            .arg(outliers.join(QLatin1String(", ")), family.v6 ? QStringLiteral("ipv6") : QStringLiteral("ipv4")));
    }
}

void Checker::checkAddresses()
{
    const IpPrefix subnets[2] = {m_project.meshSubnetV4(), m_project.meshSubnetV6()};
    QHash<QString, QString> owner; // canonical address -> host
    for (const Host &host : m_project.hosts) {
        for (const Interface &iface : host.interfaces) {
            for (const QString &text : {iface.ip, iface.ipv6}) {
                const auto address = IpAddress::parse(text);
                if (!address)
                    continue;
                const QString canonical = address->toString();
                const QString other = owner.value(canonical);
                if (!other.isEmpty()) {
                    m_duplicateAddresses.insert(canonical);
                    error(host.name, {}, QStringLiteral("mesh address %1").arg(FieldCheck::addressTaken(text, other)));
                } else {
                    owner.insert(canonical, host.name);
                }
                const IpPrefix &subnet = subnets[address->isV6() ? 1 : 0];
                if (subnet.isValid() && !subnet.contains(*address))
                    error(host.name, {}, QStringLiteral("mesh address %1 is outside the mesh subnet %2")
                                             .arg(text, subnet.toString()));
            }
        }
    }
}

void Checker::checkRouter(qsizetype host)
{
    const Host &h = m_project.hosts[host];
    if (!h.router)
        return;
    const RouterSettings &router = *h.router;
    if (TunnelMtu::mtu(router.uplinkMtu, router.outerIpv6) < 1280)
        error(h.name, {}, QStringLiteral("an uplink MTU of %1 leaves a tunnel MTU below 1280, too small for IPv6")
                              .arg(router.uplinkMtu));
    if (!m_planner.isPerPeerRouter(host))
        return;
    const QList<qsizetype> peers = m_planner.peersOf(host);
    const IpPrefix &range = *router.tunnelRange;
    const quint64 room = range.length() >= 32 ? 0 : (quint64(1) << (32 - range.length())) - 2;
    if (quint64(peers.size()) > room)
        error(h.name, {}, QStringLiteral("tunnel_range %1 has room for %2 interfaces, but %3 has %4 peers")
                              .arg(range.toString())
                              .arg(room)
                              .arg(h.name)
                              .arg(peers.size()));
    if (router.basePort + peers.size() - 1 > 65535)
        error(h.name, {}, QStringLiteral("base_port %1 leaves no port for every peer").arg(router.basePort));
    if (peers.size() > 10000)
        return;
    if (m_planner.tunnelAddress(host, 0) != h.meshInterface().ip)
        error(h.name, {}, QStringLiteral("with one interface per peer, wg0's address must be the first of tunnel_range %1 (%2)")
                              .arg(range.toString(), m_planner.tunnelAddress(host, 0)));
    // The interfaces' addresses must not be anyone else's.
    QHash<QString, QString> owners;
    for (const Host &other : m_project.hosts) {
        if (&other != &h)
            owners.insert(other.meshInterface().ip, other.name);
    }
    for (int slot = 0; slot < peers.size(); ++slot) {
        const QString address = m_planner.tunnelAddress(host, slot);
        if (owners.contains(address))
            error(h.name, m_project.hosts[peers[slot]].name,
                  QStringLiteral("interface wg%1's address %2 is also the mesh address of %3; move tunnel_range or that host")
                      .arg(slot)
                      .arg(address, owners.value(address)));
    }
}

void Checker::checkHalfLinks(qsizetype host)
{
    const Exclusions &exclusions = *m_planner.exclusions();
    const auto excluded = exclusions.excluded(host);
    if (std::none_of(excluded.begin(), excluded.end(), [&](qint32 peer) { return m_planner.hasPeer(peer, host); }))
        return; // the usual case: every exclusion is mutual
    // Named in the order of the host's list, as the user wrote them.
    const Host &h = m_project.hosts[host];
    for (const QString &name : h.excludePeers) {
        const qsizetype peer = m_project.indexOf(name);
        if (peer < 0 || peer == host || !m_planner.hasPeer(peer, host))
            continue;
        error(h.name, name,
              QStringLiteral("%1 excludes %2, but %2 still has %1 as a peer: a broken half link. "
                             "Add %1 to %2's exclude_peers, or remove %2 from %1's")
                  .arg(h.name, name));
    }
}

void Checker::checkAllowedIps(qsizetype host)
{
    const Host &h = m_project.hosts[host];
    QHash<IpPrefix, qsizetype> firstPeer;
    QList<qsizetype> sharedDefault; // peers sharing a default route
    const bool interfacePerPeer = m_planner.isPerPeerRouter(host);
    const QList<qsizetype> peers = m_planner.tunnelPeersOf(host);
    firstPeer.reserve(interfacePerPeer ? 4 : peers.size() * 2);
    for (const qsizetype peer : peers) {
        if (interfacePerPeer) {
            // Each peer has an interface of its own: prefixes may overlap across them.
            firstPeer.clear();
        }
        const QString &peerName = m_project.hosts[peer].name;
        const Planner::Copies *copies = m_copies ? &*m_copies : nullptr;
        const QStringList texts = m_planner.allowedIps(host, peer, copies);
        const QList<IpPrefix> prefixes = m_planner.allowedPrefixes(host, peer, copies);
        if (prefixes.size() != texts.size()) {
            for (const QString &text : texts) {
                if (!IpPrefix::parse(text, true))
                    error(h.name, peerName, QStringLiteral("'%1' is not a valid AllowedIPs prefix").arg(text));
            }
        }
        for (const IpPrefix &prefix : prefixes) {
            const IpPrefix key = prefix.network();
            const auto earlier = firstPeer.constFind(key);
            if (earlier == firstPeer.cend()) {
                firstPeer.insert(key, peer);
            } else if (prefix.isDefaultRoute() && h.role() == Host::Role::Roaming) {
                if (!sharedDefault.contains(*earlier))
                    sharedDefault.append(*earlier);
                if (!sharedDefault.contains(peer))
                    sharedDefault.append(peer);
            } else if (!(prefix.isHostPrefix()
                         && m_duplicateAddresses.contains(prefix.address().toString()))) {
                // (a duplicate mesh address is reported once, as such)
                error(h.name, peerName,
                      QStringLiteral("%1 is also in the AllowedIPs of %2; WireGuard keeps it for "
                                     "only one peer and routes it there alone")
                          .arg(key.toString(), m_project.hosts[*earlier].name));
            }
        }
        // A peer dialled by name whose tunnel carries the host's resolver: when the name
        // moves, the query that would find it again goes into the dead tunnel.
        checkResolverOutside(host, peer, prefixes);
        // A peer's own endpoint inside what is routed into its tunnel loops the tunnel's
        // packets back into itself; a default route is fine (wg-quick routes around it).
        if (const auto address = m_planner.endpointAddress(host, peer)) {
            for (const IpPrefix &prefix : prefixes) {
                if (!prefix.isDefaultRoute() && prefix.contains(*address))
                    error(h.name, peerName,
                          QStringLiteral("the endpoint %1 lies inside AllowedIPs %2 of the same "
                                         "peer: a routing loop. Reach the peer through an "
                                         "address outside the tunnel (e.g. its IPv6 address)")
                              .arg(address->toString(), prefix.toString()));
            }
        }
    }
    if (sharedDefault.size() >= 2) {
        QStringList names;
        QStringList profiles;
        bool allGateways = true;
        for (const qsizetype peer : std::as_const(sharedDefault)) {
            names.append(m_project.hosts[peer].name);
            profiles.append(h.meshInterface().name + QLatin1Char('-') + names.back());
            allGateways = allGateways && m_project.hosts[peer].role() == Host::Role::Internet;
        }
        QString message = QStringLiteral("%1 get the same default route (0.0.0.0/0, ::/0); WireGuard "
                                         "uses only one of them and does not fail over")
                              .arg(nameList(names));
        // A dozen names say it; a hundred gateways would make every such finding 3 kB.
        constexpr qsizetype Shown = 12;
        if (allGateways)
            message += QStringLiteral(". Use the per-gateway profiles (%1) to switch gateways by hand")
                           .arg(profiles.first(std::min(profiles.size(), Shown)).join(QLatin1String(", "))
                                + (profiles.size() > Shown ? QStringLiteral(", and %1 more").arg(profiles.size() - Shown) : QString()));
        warning(h.name, {}, message);
    }
}

void Checker::checkResolverOutside(qsizetype host, qsizetype peer, const QList<IpPrefix> &prefixes)
{
    const Host &h = m_project.hosts[host];
    // wg-quick sets DNS for a roaming client that sends everything through the mesh; the
    // re-resolve job runs on Linux, FreeBSD and OpenBSD.
    const bool linux = h.os.compare(QLatin1String("Linux"), Qt::CaseInsensitive) == 0;
    if (h.role() != Host::Role::Roaming || !h.gateway || h.isOpenBsd() || !(linux || h.isFreeBsd()))
        return;
    QString name;
    const QString endpoint = m_planner.endpoint(host, peer);
    if (endpoint.isEmpty() || !splitEndpoint(endpoint, &name, nullptr) || IpAddress::parse(name))
        return;
    static const QList<IpPrefix> privateRanges = [] {
        QList<IpPrefix> ranges;
        for (const char *text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"})
            ranges.append(*IpPrefix::parse(QLatin1String(text)));
        return ranges;
    }();
    for (const QString &server : m_project.defaults.dns) {
        const auto address = IpAddress::parse(server);
        if (!address)
            continue;
        std::optional<IpPrefix> route; // the most specific prefix of the peer that holds it
        for (const IpPrefix &prefix : prefixes) {
            if (prefix.contains(*address) && (!route || prefix.length() > route->length()))
                route = prefix;
        }
        if (!route)
            continue;
        if (route->isDefaultRoute()) {
            // A resolver on the local network stays beside the tunnel (wg-quick keeps the
            // routes of local networks); a default route moves to another exit with the
            // failover watchdog, and the resolver with it.
            const bool inMesh = (m_project.network.ipv4 && m_project.network.ipv4->contains(*address))
                || (m_project.network.ipv6 && m_project.network.ipv6->contains(*address))
                || std::any_of(m_project.hosts.cbegin(), m_project.hosts.cend(), [&](const Host &other) {
                       return other.meshInterface().ip == server || other.meshInterface().ipv6 == server;
                   });
            if (!inMesh && std::any_of(privateRanges.cbegin(), privateRanges.cend(), [&](const IpPrefix &range) { return range.contains(*address); }))
                continue;
            if (linux && m_planner.exitsOf(host).size() >= 2)
                return;
        }
        warning(h.name, m_project.hosts[peer].name,
                QStringLiteral("dials %1 by name, but its DNS server %2 is reached through that same tunnel (%3): when "
                               "%1 moves, the name cannot be resolved again. Give it a resolver outside the tunnel, "
                               "or dial the peer by address")
                    .arg(name, server, route->toString()));
        return;
    }
}

void Checker::checkReachability(qsizetype host)
{
    const Host &h = m_project.hosts[host];
    const QList<qsizetype> peers = m_planner.peersOf(host);
    if (peers.isEmpty() && m_project.hosts.size() > 1)
        warning(h.name, {}, QStringLiteral("has no peers: it excludes every other host"));
    if (h.role() == Host::Role::Roaming && !h.gateway && m_planner.meshGatewayOf(host) < 0)
        warning(h.name, {}, QStringLiteral("has 'gateway: false' but no internet gateway among its "
                                           "peers to carry the mesh subnets"));
    checkExits(host);
    for (const qsizetype peer : peers) {
        const Host &p = m_project.hosts[peer];
        const bool forward = m_planner.hasEndpoint(host, peer);
        const bool backward = m_planner.hasEndpoint(peer, host);
        // Report each pair once, from the side that comes first. An external host's own
        // endpoints are not known: it may well dial this one.
        if (m_planner.lacksPath(host, peer)) {
            if (peer > host)
                error(h.name, p.name, noPathMessage(host, peer));
        } else if (!forward && !backward && !p.isExternal() && m_planner.relayOf(host, peer) < 0
                   && (peer > host || !m_planner.hasPeer(peer, host))) {
            error(h.name, p.name,
                  QStringLiteral("neither side has an endpoint for the other, so the tunnel can "
                                 "never come up (both roam or sit behind NAT)"));
        }
        const bool behindNat = h.role() == Host::Role::Roaming
            || (h.role() == Host::Role::Lan && p.role() != Host::Role::Lan);
        if (behindNat && forward && m_planner.keepalive(host, peer) == 0)
            warning(h.name, p.name,
                    QStringLiteral("%1 is behind NAT but sends no keepalive: %2 can reach it only "
                                   "while %1 is sending")
                        .arg(h.name, p.name));
    }
}

QString Checker::noPathMessage(qsizetype a, qsizetype b) const
{
    QString message = QStringLiteral("no direct path (%1) and no relay that both reach").arg(m_planner.whyNoPath(a, b));
    const QList<qsizetype> candidates = m_planner.relayCandidates(a, b);
    if (candidates.isEmpty())
        return message + QStringLiteral(": give one of them an endpoint (a port forward, as a link endpoint) or put an "
                                        "internet host in the mesh to relay it");
    QStringList why;
    for (const qsizetype relay : candidates)
        why.append(m_planner.relayProblem(relay, a, b));
    return message + QStringLiteral(": %1; give one of them an endpoint (a port forward), or name a relay both can dial")
                         .arg(why.join(QLatin1String("; ")));
}

void Checker::checkRelayed(qsizetype host)
{
    // Per relay peer: the prefixes of the links it carries, by far end; two that overlap
    // cannot both be reached (WireGuard gives an address to one peer). The far ends' own
    // addresses are distinct (checkAddresses): only their extra prefixes can overlap.
    const Host &h = m_project.hosts[host];
    QHash<qsizetype, QList<std::pair<IpPrefix, qsizetype>>> byRelay;
    QSet<qsizetype> withExtras;
    for (qsizetype far = 0; far < m_project.hosts.size(); ++far) {
        const qsizetype relay = m_planner.relayOf(host, far);
        if (relay < 0)
            continue;
        const LinkSettings *settings = m_project.links.isEmpty() ? nullptr : m_project.linkSettings(h.name, m_project.hosts[far].name);
        if (!settings || (settings->end(m_project.hosts[far].name).allowedIps.isEmpty() && settings->end(m_project.hosts[far].name).bgpPrefixes.isEmpty()))
            continue;
        withExtras.insert(relay);
    }
    if (withExtras.isEmpty())
        return;
    for (qsizetype far = 0; far < m_project.hosts.size(); ++far) {
        const qsizetype relay = m_planner.relayOf(host, far);
        if (relay < 0 || !withExtras.contains(relay))
            continue;
        QStringList texts{m_project.hosts[far].meshInterface().ip, m_project.hosts[far].meshInterface().ipv6};
        if (const LinkSettings *settings = m_project.linkSettings(h.name, m_project.hosts[far].name))
            texts += settings->end(m_project.hosts[far].name).allowedIps + settings->end(m_project.hosts[far].name).bgpPrefixes;
        for (const QString &text : std::as_const(texts)) {
            if (const auto prefix = IpPrefix::parse(text, true))
                byRelay[relay].append({prefix->network(), far});
        }
    }
    for (auto it = byRelay.begin(); it != byRelay.end(); ++it) {
        // Prefixes nest or are apart: in address order (the wider first), each is inside the
        // last open one that contains it, if any.
        QList<std::pair<IpPrefix, qsizetype>> &prefixes = it.value();
        std::sort(prefixes.begin(), prefixes.end(), [](const auto &x, const auto &y) {
            if (x.first.address().family() != y.first.address().family())
                return x.first.address().family() < y.first.address().family();
            if (!(x.first.address() == y.first.address()))
                return x.first.address() < y.first.address();
            return x.first.length() < y.first.length();
        });
        QList<std::pair<IpPrefix, qsizetype>> open;
        for (const auto &[prefix, far] : std::as_const(prefixes)) {
            while (!open.isEmpty() && !open.back().first.contains(prefix))
                open.removeLast();
            if (!open.isEmpty() && open.back().second != far) {
                const QString &relay = m_project.hosts[it.key()].name;
                error(h.name, relay,
                      QStringLiteral("%1 relays the links to %2 and %3, whose prefixes %4 and %5 overlap: WireGuard gives "
                                     "an address to one peer only, so one of them cannot be reached through %1")
                          .arg(relay, m_project.hosts[open.back().second].name, m_project.hosts[far].name, open.back().first.toString(),
                               prefix.toString()));
            }
            open.append({prefix, far});
        }
    }
}

void Checker::checkRelay(qsizetype relay)
{
    if (!m_planner.isRelay(relay))
        return;
    const Host &r = m_project.hosts[relay];
    // The pairs it carries (the first few by name), and the smallest tunnel MTU of their ends.
    constexpr qsizetype Named = 6;
    QStringList pairs;
    qsizetype pairCount = 0;
    auto mtuOf = [&](qsizetype host) { const int mtu = m_planner.tunnelMtu(host); return mtu > 0 ? mtu : TunnelMtu::roamingDefault; };
    qsizetype smallest = -1;
    for (qsizetype a = 0; a < m_project.hosts.size(); ++a) {
        for (const qsizetype b : m_planner.relayedVia(a, relay)) {
            if (b < a)
                continue;
            if (++pairCount <= Named + 1)
                pairs.append(m_project.hosts[a].name + QStringLiteral("–") + m_project.hosts[b].name);
            for (const qsizetype end : {a, b}) {
                if (smallest < 0 || mtuOf(end) < mtuOf(smallest))
                    smallest = end;
            }
        }
    }
    note(r.name, {}, QStringLiteral("relays %1 (no direct path between their ends): it terminates both tunnels, so their "
                                    "traffic is decrypted on %2")
                         .arg(pairCount <= Named + 1 ? nameList(pairs, Named)
                                                     : pairs.first(Named).join(QLatin1String(", "))
                                                           + QStringLiteral(", and %1 more").arg(pairCount - Named),
                              r.name));
    if (smallest >= 0 && mtuOf(relay) > mtuOf(smallest))
        warning(r.name, m_project.hosts[smallest].name,
                QStringLiteral("relays links of %1, whose tunnel MTU is %2, with a tunnel MTU of %3: what %4 forwards to "
                               "%1 may not fit its path; set %4's MTU to %2")
                    .arg(m_project.hosts[smallest].name)
                    .arg(mtuOf(smallest))
                    .arg(mtuOf(relay))
                    .arg(r.name));
}

void Checker::checkExits(qsizetype host)
{
    const Host &h = m_project.hosts[host];
    const bool fullTunnel = h.role() == Host::Role::Roaming && h.gateway;
    if (!h.exits.isEmpty() && !fullTunnel) {
        warning(h.name, {}, QStringLiteral("'exits' only matter on a roaming client with 'gateway: true' (it sends all its "
                                           "traffic to the first); %1 is none")
                                .arg(h.name));
        return;
    }
    if (!fullTunnel)
        return;
    QStringList seen;
    for (const QString &name : h.exits) {
        const qsizetype exit = m_project.indexOf(name);
        if (seen.contains(name))
            warning(h.name, name, QStringLiteral("exits names %1 twice").arg(name));
        else if (exit == host)
            warning(h.name, {}, QStringLiteral("exits names %1 itself").arg(name));
        else if (exit >= 0 && !m_planner.exitsOf(host).contains(exit))
            warning(h.name, name, QStringLiteral("%1 is in exits but %2 cannot send to it (not a peer, or no endpoint to dial): "
                                                 "it is left out")
                                      .arg(name, h.name));
        seen.append(name);
    }
    if (m_planner.exitsOf(host).isEmpty() && !m_planner.peersOf(host).isEmpty())
        warning(h.name, {}, QStringLiteral("has 'gateway: true' but no peer it can dial to send its traffic to (an exit "
                                           "gateway with an internet address)"));
}

void Checker::checkExitGateway(qsizetype host)
{
    const Host &h = m_project.hosts[host];
    const Planner::Forwarding forwarding = m_planner.forwarding(host);
    if ((!forwarding.exitGateway && !(h.nat.has_value() || !h.egress.isEmpty())) || h.ownForwarding)
        return; // with its own forwarding lines, what they do is theirs
    if (!forwarding.exitGateway) {
        warning(h.name, {}, QStringLiteral("'nat' and 'egress' only matter on an exit gateway (the peer of a roaming client "
                                           "with 'gateway: true'); %1 is none").arg(h.name));
        return;
    }
    // The clients that send everything here, for the messages.
    QStringList clients;
    for (qsizetype client = 0; client < m_project.hosts.size(); ++client) {
        const Host &c = m_project.hosts[client];
        if (m_planner.exitsOf(client).contains(host))
            clients.append(c.name);
    }
    QString who;
    if (clients.size() == 1)
        who = clients.front() + QLatin1String(" sends all its traffic here");
    else if (clients.size() <= 3)
        who = QStringLiteral("%1 and %2 send all their traffic here").arg(clients.mid(0, clients.size() - 1).join(QLatin1String(", ")),
                                                                          clients.back());
    else
        who = QStringLiteral("%1 and %2 more send all their traffic here").arg(clients.mid(0, 3).join(QLatin1String(", ")))
                  .arg(clients.size() - 3);
    if (h.isFreeBsd()) {
        warning(h.name, {}, QStringLiteral("%1, but Meshwright does not write forwarding and NAT for "
                                           "FreeBSD yet: set them up with pf by hand (nat on the uplink from %2), or give the "
                                           "clients another gateway")
                                .arg(who, m_project.meshSubnetV4().toString()));
        return;
    }
    if (!forwarding.nat)
        warning(h.name, {}, QStringLiteral("%1, but 'nat: false' leaves it unmasqueraded: it reaches "
                                           "the internet only if the upstream routes %2 back to %3")
                                .arg(who, m_project.meshSubnetV4().toString(), h.name));
}

QList<Diagnostic> Checker::run()
{
    for (qsizetype host = 0; host < m_project.hosts.size(); ++host)
        checkFields(host);
    checkLinks();
    if (hasErrors(m_found))
        return m_found; // the rules below assume valid names and addresses
    checkAddresses();
    checkDerivedSubnets();
    // Each host's own checks only read the project and the planner: hosts are checked
    // side by side, each by a copy of this checker (sharing what it read), and their
    // findings are put together in the hosts' order.
    const qsizetype hosts = m_project.hosts.size();
    const int count = hosts >= 64 ? Parallel::workers(hosts) : 1;
    std::vector<Checker> workers(size_t(count), *this);
    std::vector<QList<Diagnostic>> perHost(static_cast<size_t>(hosts));
    Parallel::run(hosts, count, [&](int index, qsizetype host) {
        if (m_project.hosts[host].isExternal())
            return true; // its own config is its owner's: nothing of it is ours to check
        Checker &worker = workers[size_t(index)];
        if (count > 1 && !worker.m_copies)
            worker.m_copies.emplace(m_planner);
        worker.m_found.clear();
        worker.checkHalfLinks(host);
        worker.checkRouter(host);
        worker.checkAllowedIps(host);
        worker.checkReachability(host);
        worker.checkRelayed(host);
        worker.checkRelay(host);
        worker.checkExitGateway(host);
        perHost[size_t(host)] = std::move(worker.m_found);
        return true;
    });
    for (QList<Diagnostic> &found : perHost)
        m_found += std::move(found);
    return m_found;
}

} // namespace

namespace Validator {

QList<Diagnostic> validate(const Project &project)
{
    return validate(project, Planner(project));
}

QList<Diagnostic> validate(const Project &project, const Planner &planner)
{
    return Checker(project, planner).run();
}

std::optional<Diagnostic> keyStoreFinding(const QString &path, bool encrypted, const QString &howTo)
{
    if (encrypted || !QFileInfo::exists(path))
        return std::nullopt;
    Diagnostic finding;
    finding.severity = Diagnostic::Severity::Warning;
    finding.message = QStringLiteral("the key store %1 holds every private key in plain text: whoever copies it can impersonate "
                                     "every host; %2 encrypts it with a passphrase")
                          .arg(QDir::toNativeSeparators(path), howTo);
    return finding;
}

} // namespace Validator
