// Turns a project into what each host interface is configured with, by the mesh rules.
#include "planner.h"

#include "keystore.h"

namespace {

std::pair<qsizetype, qsizetype> ordered(qsizetype a, qsizetype b)
{
    return a < b ? std::pair(a, b) : std::pair(b, a);
}

QString profileName(const QString &interfaceName, const QString &gateway, const QStringList &taken)
{
    // wg-quick takes the interface name from the file name: 15 characters at most.
    QString name = (interfaceName + QLatin1Char('-') + gateway).left(15);
    for (int n = 2; taken.contains(name); ++n) {
        const QString suffix = QString::number(n);
        name = name.left(15 - suffix.size()) + suffix;
    }
    return name;
}

} // namespace

Planner::Planner(const Project &project, std::shared_ptr<const Exclusions> exclusions)
    : m_project(project)
    , m_exclusions(exclusions ? std::move(exclusions) : std::make_shared<const Exclusions>(project))
    , m_subnetV4(project.meshSubnetV4())
    , m_subnetV6(project.meshSubnetV6())
{
    const qsizetype count = project.hosts.size();
    QHash<QString, qsizetype> index;
    index.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        index.insert(project.hosts[i].name, i);
    Q_ASSERT(m_exclusions->size() == count);
    m_ownPrefixes.resize(size_t(count));
    m_ownParsed.resize(size_t(count));
    m_siteEndpoint.resize(size_t(count));
    m_siteAddress.resize(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        const Host &host = project.hosts[i];
        const Interface &iface = host.meshInterface();
        if (!iface.ip.isEmpty())
            m_ownPrefixes[size_t(i)].append(iface.ip + QLatin1String("/32"));
        if (!iface.ipv6.isEmpty())
            m_ownPrefixes[size_t(i)].append(iface.ipv6 + QLatin1String("/128"));
        for (const QString &prefix : m_ownPrefixes[size_t(i)]) {
            if (const auto parsed = IpPrefix::parse(prefix))
                m_ownParsed[size_t(i)].append(*parsed);
        }
        const std::optional<SiteAddress> &site = host.internet ? host.internet : host.lan;
        if (site) {
            const int port = host.meshInterface().listenPort.value_or(project.defaults.listenPort);
            m_siteEndpoint[size_t(i)] = joinEndpoint(site->dialled(host.name), port);
            m_siteAddress[size_t(i)] = IpAddress::parse(site->ip); // none when dialled by name
        }
    }
    for (const LinkSettings &settings : project.links) {
        const qsizetype a = index.value(settings.a, -1);
        const qsizetype b = index.value(settings.b, -1);
        if (a >= 0 && b >= 0)
            m_links.insert(ordered(a, b), &settings);
    }
    m_exitGateway.assign(size_t(count), false);
    m_exits.assign(size_t(count), {});
    for (qsizetype client = 0; client < count; ++client) {
        const Host &c = project.hosts[client];
        if (c.role() != Host::Role::Roaming || !c.gateway)
            continue;
        // Only a peer the client can send to carries its traffic (a LAN host behind NAT
        // never gets it; the validator reports that link).
        auto usable = [&](qsizetype peer) { return peer >= 0 && peer != client && !m_exclusions->excludes(client, peer) && hasEndpoint(client, peer); };
        QList<qsizetype> &exits = m_exits[size_t(client)];
        if (c.exits.isEmpty()) {
            for (qsizetype peer = 0; peer < count; ++peer) {
                if (usable(peer))
                    exits.append(peer);
            }
        } else {
            for (const QString &name : c.exits) {
                const qsizetype peer = index.value(name, -1);
                if (usable(peer) && !exits.contains(peer))
                    exits.append(peer);
            }
        }
        for (const qsizetype peer : std::as_const(exits))
            m_exitGateway[size_t(peer)] = true;
    }
    m_slots.resize(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        if (!perPeer(i))
            continue;
        int slot = 0;
        for (const qsizetype peer : peersOf(i))
            m_slots[size_t(i)].insert(peer, slot++);
    }
    planRelays(index);
}

void Planner::planRelays(const QHash<QString, qsizetype> &index)
{
    const qsizetype count = m_project.hosts.size();
    m_relayOf.assign(size_t(count), {});
    m_relayed.assign(size_t(count), {});
    m_isRelay.assign(size_t(count), false);
    m_relayExtras.assign(size_t(count), {});
    auto indexes = [&](const QStringList &names) {
        QList<qsizetype> found;
        for (const QString &name : names) {
            if (const qsizetype i = index.value(name, -1); i >= 0)
                found.append(i);
        }
        return found;
    };
    if (!m_project.defaults.relays.isEmpty()) {
        m_defaultRelays = indexes(m_project.defaults.relays);
    } else {
        for (qsizetype i = 0; i < count; ++i) {
            if (m_project.hosts[i].role() == Host::Role::Internet)
                m_defaultRelays.append(i);
        }
    }
    for (const SiteSettings &site : m_project.sites)
        m_siteRelays.insert(site.name, indexes(site.relays));

    // Ends that can be relayed: their configs are written here, with a peer entry per peer.
    std::vector<bool> relayable(static_cast<size_t>(count));
    for (qsizetype i = 0; i < count; ++i)
        relayable[size_t(i)] = !m_project.hosts[i].isExternal() && !perPeer(i);
    for (qsizetype a = 0; a < count; ++a) {
        if (!relayable[size_t(a)])
            continue;
        for (qsizetype b = a + 1; b < count; ++b) {
            if (!relayable[size_t(b)] || !hasPeer(a, b) || !hasPeer(b, a) || isDirect(a, b))
                continue;
            qsizetype relay = -1;
            for (const qsizetype candidate : relayCandidates(a, b)) {
                if (relayProblem(candidate, a, b).isEmpty()) {
                    relay = candidate;
                    break;
                }
            }
            m_relayOf[size_t(a)].insert(b, relay);
            m_relayOf[size_t(b)].insert(a, relay);
            if (relay < 0)
                continue;
            m_relayed[size_t(a)].append({relay, b});
            m_relayed[size_t(b)].append({relay, a}); // a < b: b's list stays in file order too
            m_isRelay[size_t(relay)] = true;
            if (const LinkSettings *settings = link(a, b)) {
                for (const auto &[end, side] : {std::pair(a, &settings->end(m_project.hosts[a].name)), std::pair(b, &settings->end(m_project.hosts[b].name))}) {
                    QStringList &extras = m_relayExtras[size_t(relay)][end];
                    for (const QString &prefix : side->allowedIps + side->bgpPrefixes) {
                        if (!extras.contains(prefix))
                            extras.append(prefix);
                    }
                }
            }
        }
    }
    for (auto &relayed : m_relayed)
        std::sort(relayed.begin(), relayed.end(), [](const auto &x, const auto &y) { return x.second < y.second; });
}

QList<qsizetype> Planner::relayCandidates(qsizetype a, qsizetype b) const
{
    if (const LinkSettings *settings = link(a, b); settings && !settings->relay.isEmpty())
        return {m_project.indexOf(settings->relay)};
    QList<qsizetype> candidates;
    auto add = [&](const QList<qsizetype> &relays) {
        for (const qsizetype relay : relays) {
            if (!candidates.contains(relay))
                candidates.append(relay);
        }
    };
    // A roaming client's link is relayed by its own gateways first: the exits in its order.
    for (const qsizetype end : {a, b}) {
        add(exitsOf(end));
        if (const qsizetype gateway = meshGatewayOf(end); gateway >= 0)
            add({gateway});
    }
    for (const qsizetype end : {a, b}) {
        if (const QString &site = m_project.hosts[end].site; !site.isEmpty())
            add(m_siteRelays.value(site));
    }
    add(m_defaultRelays);
    return candidates;
}

QString Planner::relayProblem(qsizetype relay, qsizetype a, qsizetype b) const
{
    if (relay < 0 || relay == a || relay == b)
        return QStringLiteral("a link cannot be relayed by one of its ends");
    const Host &r = m_project.hosts[relay];
    if (r.isExternal())
        return QStringLiteral("%1 is run by someone else: Meshwright cannot make it forward").arg(r.name);
    if (r.role() == Host::Role::Roaming)
        return QStringLiteral("%1 roams: it has no address its peers can dial").arg(r.name);
    if (!r.isOpenBsd() && r.os.compare(QLatin1String("Linux"), Qt::CaseInsensitive) != 0)
        return QStringLiteral("%1 runs %2: Meshwright writes forwarding for Linux and OpenBSD relays only").arg(r.name, r.os);
    if (perPeer(relay))
        return QStringLiteral("%1 has one interface per peer: it cannot forward between them as a relay").arg(r.name);
    for (const qsizetype end : {a, b}) {
        const QString &name = m_project.hosts[end].name;
        if (!hasPeer(end, relay) || !hasPeer(relay, end))
            return QStringLiteral("%1 and %2 are not peers (exclude_peers)").arg(name, r.name);
        if (!isDirect(end, relay))
            return QStringLiteral("%1 cannot reach %2 directly either").arg(name, r.name);
    }
    return {};
}

QString Planner::whyNoPath(qsizetype a, qsizetype b) const
{
    auto where = [&](qsizetype host) {
        const Host &h = m_project.hosts[host];
        if (h.role() == Host::Role::Roaming)
            return QStringLiteral("%1 roams").arg(h.name);
        return h.site.isEmpty() ? QStringLiteral("%1 is behind the NAT of the default site").arg(h.name)
                                : QStringLiteral("%1 is behind the NAT of site '%2'").arg(h.name, h.site);
    };
    return where(a) + QLatin1String(", ") + where(b);
}

QList<qsizetype> Planner::relaysOf(qsizetype host) const
{
    QList<qsizetype> relays;
    for (const auto &[relay, far] : m_relayed[size_t(host)]) {
        if (!relays.contains(relay))
            relays.append(relay);
    }
    std::sort(relays.begin(), relays.end());
    return relays;
}

QList<qsizetype> Planner::tunnelPeersOf(qsizetype host) const
{
    QList<qsizetype> peers = peersOf(host);
    if (!m_relayed[size_t(host)].isEmpty())
        peers.removeIf([&](qsizetype peer) { return relayOf(host, peer) >= 0; });
    return peers;
}

QList<qsizetype> Planner::relayedVia(qsizetype host, qsizetype relay) const
{
    QList<qsizetype> far;
    for (const auto &[through, end] : m_relayed[size_t(host)]) {
        if (through == relay)
            far.append(end);
    }
    return far;
}

Planner::Copies::Copies(const Planner &planner, const KeyStore *keys, const std::vector<int> *keyNumbers)
{
    // Each string anew (a copy of a shared one would share it), from this thread's heap.
    auto own = [](const QString &text) { return QString(text.constData(), text.size()); };
    const qsizetype count = planner.m_project.hosts.size();
    m_names.reserve(size_t(count));
    m_publicKeys.reserve(size_t(count));
    m_siteEndpoints.reserve(size_t(count));
    m_ownPrefixes.reserve(size_t(count));
    m_ownParsed.reserve(size_t(count));
    for (qsizetype i = 0; i < count; ++i) {
        const Host &host = planner.m_project.hosts[i];
        m_names.push_back(own(host.name));
        const int number = keyNumbers && keys ? (*keyNumbers)[size_t(i)] : -1;
        m_publicKeys.push_back(own(host.isExternal() ? host.publicKey : keys ? keys->publicKeyOf(number) : QString()));
        m_siteEndpoints.push_back(own(planner.m_siteEndpoint[size_t(i)]));
        QStringList prefixes;
        for (const QString &prefix : planner.m_ownPrefixes[size_t(i)])
            prefixes.append(own(prefix));
        m_ownPrefixes.push_back(prefixes);
        m_ownParsed.push_back(QList<IpPrefix>(planner.m_ownParsed[size_t(i)].cbegin(), planner.m_ownParsed[size_t(i)].cend()));
    }
}

bool Planner::perPeer(qsizetype host) const
{
    const Host &h = m_project.hosts[host];
    return h.router && h.router->interfacePerPeer && h.router->tunnelRange;
}

QString Planner::keyIdFacing(qsizetype host, qsizetype peer) const
{
    const int slot = slotOf(host, peer);
    const QString name = keyId(m_project.hosts[host]);
    return slot < 0 ? name : name + QLatin1String("/wg") + QString::number(slot);
}

QString Planner::tunnelAddress(qsizetype router, int slot) const
{
    const auto &range = m_project.hosts[router].router->tunnelRange;
    return range->network().address().offsetBy(quint32(slot + 1)).toString();
}

int Planner::tunnelMtu(qsizetype host) const
{
    const Host &h = m_project.hosts[host];
    if (h.meshInterface().mtu)
        return *h.meshInterface().mtu;
    if (h.router)
        return TunnelMtu::mtu(h.router->uplinkMtu, h.router->outerIpv6);
    if (h.role() == Host::Role::Roaming)
        return TunnelMtu::roamingDefault; // phones would pick 1280
    return 0;
}

QStringList Planner::keyIds() const
{
    QStringList ids;
    ids.reserve(m_project.hosts.size());
    for (qsizetype host = 0; host < m_project.hosts.size(); ++host) {
        if (m_project.hosts[host].isExternal())
            continue; // its private key is its owner's
        if (!perPeer(host)) {
            ids.append(keyId(m_project.hosts[host]));
            continue;
        }
        for (auto it = m_slots[size_t(host)].cbegin(); it != m_slots[size_t(host)].cend(); ++it)
            ids.append(keyIdFacing(host, it.key()));
    }
    return ids;
}

QString Planner::publicKeyOf(qsizetype host, qsizetype peer, const KeyStore &keys) const
{
    const Host &h = m_project.hosts[host];
    return h.isExternal() ? h.publicKey : keys.publicKey(keyIdFacing(host, peer));
}

QList<std::pair<QString, QString>> Planner::presharedKeyPairs() const
{
    QList<std::pair<QString, QString>> pairs;
    const qsizetype count = m_project.hosts.size();
    pairs.reserve(count * (count - 1) / 2);
    for (qsizetype a = 0; a < count; ++a) {
        for (qsizetype b = a + 1; b < count; ++b) {
            if (sharesPresharedKey(a, b))
                pairs.append({keyIdFacing(a, b), keyIdFacing(b, a)});
        }
    }
    return pairs;
}

QList<std::pair<QString, QString>> Planner::presharedKeyPairsOf(qsizetype host) const
{
    QList<std::pair<QString, QString>> pairs;
    for (qsizetype other = 0; other < m_project.hosts.size(); ++other) {
        if (other != host && sharesPresharedKey(host, other))
            pairs.append({keyIdFacing(host, other), keyIdFacing(other, host)});
    }
    return pairs;
}

bool Planner::sharesPresharedKey(qsizetype a, qsizetype b) const
{
    if ((!hasPeer(a, b) && !hasPeer(b, a)) || relayOf(a, b) >= 0) // a relayed link has a key per hop
        return false;
    const LinkSettings *settings = link(a, b);
    return !settings || settings->presharedKey;
}

QList<qsizetype> Planner::peersOf(qsizetype host) const
{
    QList<qsizetype> peers;
    peers.reserve(m_project.hosts.size());
    for (qsizetype peer = 0; peer < m_project.hosts.size(); ++peer) {
        if (hasPeer(host, peer))
            peers.append(peer);
    }
    return peers;
}

const LinkSettings *Planner::link(qsizetype a, qsizetype b) const
{
    return m_links.value(ordered(a, b), nullptr);
}

int Planner::listenPort(qsizetype host) const
{
    return m_project.hosts[host].meshInterface().listenPort.value_or(m_project.defaults.listenPort);
}

QString Planner::endpoint(qsizetype host, qsizetype peer, const Copies *copies) const
{
    if (const LinkSettings *settings = link(host, peer)) {
        if (const QString &overridden = settings->end(m_project.hosts[peer].name).endpoint; !overridden.isEmpty())
            return overridden;
    }
    if (!hasEndpoint(host, peer))
        return {};
    if (const int slot = slotOf(peer, host); slot >= 0) {
        const Host &router = m_project.hosts[peer];
        const SiteAddress &site = router.internet ? *router.internet : *router.lan;
        return joinEndpoint(site.dialled(router.name), router.router->basePort + slot);
    }
    return copies ? copies->m_siteEndpoints[size_t(peer)] : m_siteEndpoint[size_t(peer)];
}

std::optional<IpAddress> Planner::endpointAddress(qsizetype host, qsizetype peer) const
{
    if (const LinkSettings *settings = link(host, peer)) {
        const QString &overridden = settings->end(m_project.hosts[peer].name).endpoint;
        QString address;
        if (!overridden.isEmpty())
            return splitEndpoint(overridden, &address, nullptr) ? IpAddress::parse(address) : std::nullopt;
    }
    return hasEndpoint(host, peer) ? m_siteAddress[size_t(peer)] : std::nullopt;
}

bool Planner::hasEndpoint(qsizetype host, qsizetype peer) const
{
    if (const LinkSettings *settings = link(host, peer);
        settings && !settings->end(m_project.hosts[peer].name).endpoint.isEmpty())
        return true;
    const Host &p = m_project.hosts[peer];
    const Host &h = m_project.hosts[host];
    // A LAN host behind its site's NAT is reached by the hosts of that site alone.
    return p.role() == Host::Role::Internet || (p.role() == Host::Role::Lan && h.role() == Host::Role::Lan && p.site == h.site);
}

int Planner::keepalive(qsizetype host, qsizetype peer) const
{
    if (const LinkSettings *settings = link(host, peer); settings && settings->keepalive)
        return *settings->keepalive;
    const Host::Role h = m_project.hosts[host].role();
    const Host::Role p = m_project.hosts[peer].role();
    if (h == Host::Role::Roaming || (h == Host::Role::Lan && p != Host::Role::Lan))
        return m_project.defaults.keepalive;
    return 0;
}

qsizetype Planner::meshGatewayOf(qsizetype host) const
{
    const Host &h = m_project.hosts[host];
    if (h.role() != Host::Role::Roaming || h.gateway)
        return -1;
    for (qsizetype peer = 0; peer < m_project.hosts.size(); ++peer) {
        if (hasPeer(host, peer) && m_project.hosts[peer].role() == Host::Role::Internet)
            return peer;
    }
    return -1;
}

Planner::Routes Planner::routes(qsizetype host, qsizetype peer) const
{
    const Host &h = m_project.hosts[host];
    if (h.role() != Host::Role::Roaming)
        return Routes::Own;
    if (h.gateway) // the default route goes to one exit: WireGuard gives a prefix to one peer
        return m_exits[size_t(host)].value(0, -1) == peer ? Routes::Everything : Routes::Own;
    return meshGatewayOf(host) == peer ? Routes::MeshSubnets : Routes::Own;
}

QStringList Planner::allowedIps(qsizetype host, qsizetype peer, const Copies *copies) const
{
    return allowedIps(host, peer, routes(host, peer), copies);
}

QStringList Planner::allowedIps(qsizetype host, qsizetype peer, Routes routes, const Copies *copies) const
{
    QStringList prefixes;
    switch (routes) {
    case Routes::Everything:
        prefixes = {QStringLiteral("0.0.0.0/0"), QStringLiteral("::/0")};
        break;
    case Routes::MeshSubnets:
        prefixes.append(m_subnetV4.toString());
        if (m_subnetV6.isValid())
            prefixes.append(m_subnetV6.toString());
        break;
    case Routes::Own:
        // A router with one interface per peer is reached at that interface's address.
        if (const int slot = slotOf(peer, host); slot >= 0)
            prefixes = {tunnelAddress(peer, slot) + QLatin1String("/32")};
        else
            prefixes = copies ? copies->m_ownPrefixes[size_t(peer)] : m_ownPrefixes[size_t(peer)];
        break;
    }
    // A relay also carries the links it relays: the far ends' addresses and extra prefixes
    // (wg-quick routes them into the tunnel like its own).
    // The far ends' own addresses are distinct (the validator says so when they are not):
    // appended as they are, a thousand of them without a search each.
    QSet<QString> extras;
    for (const auto &[relay, far] : m_relayed[size_t(host)]) {
        if (relay != peer)
            continue;
        prefixes += copies ? copies->m_ownPrefixes[size_t(far)] : m_ownPrefixes[size_t(far)];
        if (const LinkSettings *settings = link(host, far)) {
            for (const QString &prefix : settings->end(m_project.hosts[far].name).allowedIps + settings->end(m_project.hosts[far].name).bgpPrefixes) {
                if (!extras.contains(prefix) && !prefixes.contains(prefix)) {
                    extras.insert(prefix);
                    prefixes.append(prefix);
                }
            }
        }
    }
    // And a relay routes to an end what the far ends of its relayed links route there.
    if (m_isRelay[size_t(host)]) {
        for (const QString &prefix : m_relayExtras[size_t(host)].value(peer)) {
            if (!prefixes.contains(prefix))
                prefixes.append(prefix);
        }
    }
    if (const LinkSettings *settings = link(host, peer)) {
        const LinkEnd &far = settings->end(m_project.hosts[peer].name);
        QStringList extra = far.allowedIps + far.bgpPrefixes;
        // A router that encrypts the far end's public address routes it into the tunnel.
        if (settings->encryptPublicAddress && m_project.hosts[host].router && m_siteAddress[size_t(peer)])
            extra.append(IpPrefix(*m_siteAddress[size_t(peer)], m_siteAddress[size_t(peer)]->bitCount()).toString());
        for (const QString &prefix : std::as_const(extra)) {
            if (!prefixes.contains(prefix))
                prefixes.append(prefix);
        }
    }
    return prefixes;
}

QList<IpPrefix> Planner::allowedPrefixes(qsizetype host, qsizetype peer, const Copies *copies) const
{
    const LinkSettings *settings = link(host, peer);
    if (!settings && routes(host, peer) == Routes::Own && slotOf(peer, host) < 0) { // the common case, without parsing
        QList<IpPrefix> prefixes = copies ? copies->m_ownParsed[size_t(peer)] : m_ownParsed[size_t(peer)];
        if (!m_isRelay[size_t(peer)] && !m_isRelay[size_t(host)])
            return prefixes;
        // What a relay's entry also carries, as allowedIps() orders it: the far ends' own
        // addresses (parsed once already), their extra prefixes, what the far ends route here.
        auto addParsed = [&](const QStringList &texts) {
            for (const QString &text : texts) {
                if (const auto prefix = IpPrefix::parse(text, true); prefix && !prefixes.contains(*prefix))
                    prefixes.append(*prefix);
            }
        };
        for (const auto &[relay, far] : m_relayed[size_t(host)]) {
            if (relay != peer)
                continue;
            prefixes += copies ? copies->m_ownParsed[size_t(far)] : m_ownParsed[size_t(far)];
            if (const LinkSettings *farLink = link(host, far))
                addParsed(farLink->end(m_project.hosts[far].name).allowedIps + farLink->end(m_project.hosts[far].name).bgpPrefixes);
        }
        if (m_isRelay[size_t(host)])
            addParsed(m_relayExtras[size_t(host)].value(peer));
        return prefixes;
    }
    QList<IpPrefix> prefixes;
    for (const QString &text : allowedIps(host, peer, copies)) {
        if (const auto prefix = IpPrefix::parse(text, true))
            prefixes.append(*prefix);
    }
    return prefixes;
}

QList<IpPrefix> Planner::bgpPrefixes(qsizetype host, qsizetype peer) const
{
    QList<IpPrefix> prefixes;
    if (const LinkSettings *settings = link(host, peer)) {
        for (const QString &text : settings->end(m_project.hosts[peer].name).bgpPrefixes) {
            if (const auto prefix = IpPrefix::parse(text, true))
                prefixes.append(prefix->network());
        }
    }
    return prefixes;
}

QList<IpPrefix> Planner::staticRoutes(qsizetype host, qsizetype peer, bool skipBgp) const
{
    const QList<IpPrefix> bgp = skipBgp ? bgpPrefixes(host, peer) : QList<IpPrefix>();
    QList<IpPrefix> routes;
    for (const IpPrefix &prefix : allowedPrefixes(host, peer)) {
        const IpPrefix network = prefix.network();
        if (!prefix.isDefaultRoute() && !bgp.contains(network) && !routes.contains(network))
            routes.append(network);
    }
    return routes;
}

std::vector<int> Planner::keyNumbers(const KeyStore &keys) const
{
    std::vector<int> numbers(size_t(m_project.hosts.size()), -1);
    for (qsizetype host = 0; host < m_project.hosts.size(); ++host) {
        if (!perPeer(host))
            numbers[size_t(host)] = keys.keyNumber(keyId(m_project.hosts[host]));
    }
    return numbers;
}

PeerConfig Planner::peerConfig(qsizetype host, qsizetype peer, const KeyStore &keys, const KeyStore::PresharedKeys &presharedKeys,
                               const std::vector<int> *keyNumbers, const Copies *copies) const
{
    const Host &p = m_project.hosts[peer];
    // The key id the peer faces this host with, by its number in the store.
    const int known = keyNumbers ? (*keyNumbers)[size_t(peer)] : -1;
    const int number = known >= 0 ? known : keys.keyNumber(keyIdFacing(peer, host));
    const LinkSettings *settings = link(host, peer);
    // The thread's own copy of the public key when it is the peer's one key (not a
    // per-peer router's key facing this host).
    const bool ownKey = copies && (p.isExternal() || known >= 0);
    // Built whole, each value copied once: a million peers at 1000 hosts.
    return PeerConfig{
        copies ? copies->m_names[size_t(peer)] : p.name,
        ownKey ? copies->m_publicKeys[size_t(peer)] : p.isExternal() ? p.publicKey : keys.publicKeyOf(number),
        !settings || settings->presharedKey ? presharedKeys.valueOf(number) : PresharedKey(),
        allowedIps(host, peer, copies),
        endpoint(host, peer, copies),
        keepalive(host, peer),
    };
}

QStringList Planner::interfaceNames(qsizetype host) const
{
    if (!perPeer(host))
        return {m_project.hosts[host].meshInterface().name};
    QStringList names;
    for (const qsizetype peer : peersOf(host))
        names.append(QStringLiteral("wg%1").arg(slotOf(host, peer)));
    return names;
}

QList<PlannedInterface> Planner::planAll(qsizetype host, const KeyStore &keys, const std::vector<int> *keyNumbers,
                                         const Copies *copies) const
{
    QList<PlannedInterface> interfaces;
    if (!perPeer(host)) {
        interfaces = {plan(host, keys, keyNumbers, copies)};
    } else {
        for (const qsizetype peer : peersOf(host))
            interfaces.append(planPerPeer(host, peer, slotOf(host, peer), keys));
        if (!interfaces.isEmpty()) {
            QStringList names;
            QList<int> ports;
            for (const PlannedInterface &planned : std::as_const(interfaces)) {
                names.append(planned.interfaceName);
                ports.append(planned.config.listenPort.value_or(0));
            }
            interfaces.front().pfRules = pfRules(host, names, ports);
        }
    }
    if (routesItself(host)) {
        for (PlannedInterface &planned : interfaces) {
            for (const PeerConfig &peer : std::as_const(planned.config.peers)) {
                const qsizetype at = m_project.indexOf(peer.name);
                planned.peerRoutes.append({staticRoutes(host, at, false), bgpPrefixes(host, at)});
            }
        }
    }
    return interfaces;
}

bool Planner::routesItself(qsizetype host) const
{
    const Host &h = m_project.hosts[host];
    return h.router || h.os.compare(QLatin1String("EdgeOS"), Qt::CaseInsensitive) == 0
        || h.os.compare(QLatin1String("VyOS"), Qt::CaseInsensitive) == 0;
}

PlannedInterface Planner::planPerPeer(qsizetype router, qsizetype peer, int slot, const KeyStore &keys) const
{
    const Host &h = m_project.hosts[router];
    PlannedInterface planned;
    planned.host = h.name;
    planned.interfaceName = QStringLiteral("wg%1").arg(slot);
    planned.os = h.os;
    const QString address = tunnelAddress(router, slot) + QLatin1String("/32");
    planned.ipv4Address = address;
    InterfaceConfig &config = planned.config;
    config.privateKey = keys.privateKey(keyIdFacing(router, peer));
    if (!h.isOpenBsd())
        config.addresses = {address};
    config.listenPort = h.router->basePort + slot;
    if (const int mtu = tunnelMtu(router); mtu > 0)
        config.mtu = mtu;
    config.peers = {peerConfig(router, peer, keys, keys.presharedKeysOf(keyIdFacing(router, peer)))};
    addRouterLines(router, config);
    addKeptLines(router, config);
    return planned;
}

void Planner::addKeptLines(qsizetype host, InterfaceConfig &config) const
{
    const Host &h = m_project.hosts[host];
    const Interface &iface = h.meshInterface();
    if (!h.isOpenBsd()) { // wg-quick's own keys; OpenBSD's netstart has none of them
        config.preUp += iface.preUp;
        config.postUp += iface.postUp;
        config.preDown += iface.preDown;
        config.postDown += iface.postDown;
        if (!iface.table.isEmpty())
            config.table = iface.table;
        config.saveConfig = iface.saveConfig;
    }
    if (iface.fwMark)
        config.fwMark = iface.fwMark;
}

Planner::Forwarding Planner::forwarding(qsizetype host) const
{
    const Host &h = m_project.hosts[host];
    Forwarding f;
    f.exitGateway = isExitGateway(host);
    if (h.ownForwarding)
        return f; // its own lines do it
    f.relay = isRelay(host);
    f.forward = f.exitGateway || f.relay || (h.router && h.router->forwarding);
    f.nat = h.nat.value_or(f.exitGateway || (h.router && h.router->nat));
    f.egress = h.egress;
    return f;
}

void Planner::forwardingLines(qsizetype host, QStringList *postUp, QStringList *postDown) const
{
    const Forwarding f = forwarding(host);
    if (!f.any())
        return;
    const bool v6 = m_subnetV6.isValid();
    if (f.forward) {
        postUp->append(QStringLiteral("sysctl -q -w net.ipv4.ip_forward=1"));
        if (v6 && f.relay) {
            // Forwarding stops the uplink taking router advertisements where accept_ra is 1
            // (SLAAC): 2 keeps them.
            postUp->append(QStringLiteral("for f in /proc/sys/net/ipv6/conf/*/accept_ra; do [ \"$(cat \"$f\")\" != 1 ] || echo 2 > \"$f\"; done"));
        }
        if (v6)
            postUp->append(QStringLiteral("sysctl -q -w net.ipv6.conf.all.forwarding=1"));
    }
    if (f.relay) // a relayed packet leaves by the interface it came in: no redirect is wanted
        postUp->append(QStringLiteral("sysctl -q -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.%i.send_redirects=0"));
    // One nftables table per interface, made whole in one transaction (declared, deleted,
    // defined: a second up replaces it rather than adding rules twice) and deleted whole by
    // PostDown, so nothing is left behind. A firewall of its own (firewalld, Docker) that
    // drops forwarded traffic in another table must allow the interface itself.
    QStringList chains;
    if (f.forward)
        chains.append(QStringLiteral("chain forward { type filter hook forward priority filter; policy accept; "
                                     "iifname %i accept; oifname %i accept; }"));
    if (f.nat) {
        // The uplink: the configured one, or what the default route of each family uses
        // when the interface comes up (IPv6 falls back to the IPv4 one).
        const QString out4 = f.egress.isEmpty() ? QStringLiteral("$e4") : f.egress;
        const QString out6 = f.egress.isEmpty() ? QStringLiteral("$e6") : f.egress;
        QString nat = QStringLiteral("chain nat { type nat hook postrouting priority srcnat; policy accept; ");
        if (m_subnetV4.isValid())
            nat += QStringLiteral("ip saddr %1 oifname \\\"%2\\\" masquerade; ").arg(m_subnetV4.toString(), out4);
        if (v6)
            nat += QStringLiteral("ip6 saddr %1 oifname \\\"%2\\\" masquerade; ").arg(m_subnetV6.toString(), out6);
        chains.append(nat + QLatin1Char('}'));
    }
    QString up;
    if (f.nat && f.egress.isEmpty())
    {
        // The interface after "dev" in the first default route (awk reads to the end: an
        // early exit could fail the pipe under wg-quick's pipefail).
        const QString dev = QStringLiteral("awk 'd == \"\" { for (i = 1; i < NF; i++) if ($i == \"dev\") d = $(i + 1) } END { print d }'");
        up = QStringLiteral("e4=$(ip -4 route show default | %1); e6=$(ip -6 route show default | %1); e6=${e6:-$e4}; "
                            "[ -n \"$e4\" ] || { echo \"%i: no default route to masquerade out of (set egress)\" >&2; false; }; ")
                 .arg(dev);
    }
    up += QStringLiteral("nft \"table inet meshwright-%i {}; delete table inet meshwright-%i; table inet meshwright-%i { %1; }\"")
              .arg(chains.join(QLatin1String("; ")));
    postUp->append(up);
    postDown->append(QStringLiteral("nft delete table inet meshwright-%i"));
}

QStringList Planner::pfRules(qsizetype host, const QStringList &interfaces, const QList<int> &ports) const
{
    const Host &h = m_project.hosts[host];
    const Forwarding f = forwarding(host);
    if (!h.isOpenBsd() || !f.any())
        return {};
    const QString egress = f.egress.isEmpty() ? QStringLiteral("egress") : f.egress;
    QStringList ports_;
    for (const int port : ports)
        ports_.append(QString::number(port));
    QStringList rules{QStringLiteral("pass in on %1 proto udp to port { %2 }").arg(egress, ports_.join(QLatin1String(", ")))};
    for (const QString &iface : interfaces)
        rules.append(QStringLiteral("pass on %1").arg(iface));
    if (f.nat) {
        rules.append(QStringLiteral("match out on %1 inet from %2 to any nat-to (%1)").arg(egress, m_subnetV4.toString()));
        if (m_subnetV6.isValid())
            rules.append(QStringLiteral("match out on %1 inet6 from %2 to any nat-to (%1)").arg(egress, m_subnetV6.toString()));
    }
    return rules;
}

void Planner::addRouterLines(qsizetype host, InterfaceConfig &config) const
{
    const Host &h = m_project.hosts[host];
    // pf on OpenBSD (pfRules()); FreeBSD is not yet written for (the validator says so).
    if (h.isOpenBsd() || h.isFreeBsd())
        return;
    forwardingLines(host, &config.postUp, &config.postDown);
    if (!h.router)
        return;
    const RouterSettings &router = *h.router;
    auto both = [&](const QString &up, const QString &down) {
        config.postUp.append(up);
        config.postDown.append(down);
    };
    if (router.routes == RouterSettings::Routes::Explicit) {
        // The router's own table decides (BGP among others): no routes from AllowedIPs,
        // but one per prefix a peer serves, except what BGP announces.
        config.table = QStringLiteral("off");
        for (const PeerConfig &peer : std::as_const(config.peers)) {
            for (const IpPrefix &prefix : staticRoutes(host, m_project.indexOf(peer.name), true))
                config.postUp.append(QStringLiteral("ip %1 route replace %2 dev %i")
                                         .arg(prefix.address().isV6() ? QStringLiteral("-6") : QStringLiteral("-4"), prefix.toString()));
        }
    }
    if (router.mssClamp) {
        const int mtu = config.mtu.value_or(TunnelMtu::mtu(router.uplinkMtu, router.outerIpv6));
        for (const bool v6 : {false, true}) {
            const QString tool = v6 ? QStringLiteral("ip6tables") : QStringLiteral("iptables");
            const QString rule = QStringLiteral("FORWARD %1 %i -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss %2");
            const QString mss = QString::number(TunnelMtu::mss(mtu, v6));
            both(QStringLiteral("%1 -t mangle -A %2; %1 -t mangle -A %3")
                     .arg(tool, rule.arg(QStringLiteral("-o"), mss), rule.arg(QStringLiteral("-i"), mss)),
                 QStringLiteral("%1 -t mangle -D %2; %1 -t mangle -D %3")
                     .arg(tool, rule.arg(QStringLiteral("-o"), mss), rule.arg(QStringLiteral("-i"), mss)));
        }
    }
}

PlannedInterface Planner::plan(qsizetype host, const KeyStore &keys, const std::vector<int> *keyNumbers,
                                const Copies *copies) const
{
    if (perPeer(host))
        return planAll(host, keys).value(0);
    const Host &h = m_project.hosts[host];
    const Interface &iface = h.meshInterface();
    PlannedInterface planned;
    planned.host = h.name;
    planned.interfaceName = iface.name;
    planned.os = h.os;
    if (!iface.ip.isEmpty())
        planned.ipv4Address = iface.ip + QLatin1Char('/') + QString::number(m_subnetV4.length());
    if (!iface.ipv6.isEmpty())
        planned.ipv6Address = iface.ipv6 + QLatin1Char('/') + QString::number(m_subnetV6.isValid() ? m_subnetV6.length() : 64);

    InterfaceConfig &config = planned.config;
    config.privateKey = keys.privateKey(keyId(h));
    if (!h.isOpenBsd()) { // OpenBSD sets addresses in hostname.wg0, not in wg0.conf
        if (planned.ipv4Address)
            config.addresses.append(h.isFreeBsd() || iface.subnetRoute ? *planned.ipv4Address : iface.ip);
        if (planned.ipv6Address)
            config.addresses.append(*planned.ipv6Address);
    }
    const bool roaming = h.role() == Host::Role::Roaming;
    if (!roaming || iface.listenPort) // a roaming host listens only where the project says so
        config.listenPort = listenPort(host);
    if (roaming && h.gateway && !h.isOpenBsd())
        config.dns = m_project.defaults.dns;
    if (const int mtu = tunnelMtu(host); mtu > 0)
        config.mtu = mtu;
    planned.pfRules = pfRules(host, {iface.name}, {config.listenPort.value_or(0)});

    QList<std::pair<qsizetype, qsizetype>> gateways; // host, its place in config.peers
    const KeyStore::PresharedKeys presharedKeys = keys.presharedKeysOf(keyId(h));
    config.peers.reserve(m_project.hosts.size());
    for (qsizetype peer = 0; peer < m_project.hosts.size(); ++peer) {
        if (!hasPeer(host, peer) || relayOf(host, peer) >= 0) // a relayed peer is reached through its relay
            continue;
        config.peers.append(peerConfig(host, peer, keys, presharedKeys, keyNumbers, copies));
        if (m_project.hosts[peer].role() == Host::Role::Internet)
            gateways.append({peer, config.peers.size() - 1});
    }
    // After the peers: a router with explicit routes writes one per prefix of each peer.
    addRouterLines(host, config);
    addKeptLines(host, config);

    // Its exits, for a failover watchdog: the first holds the default route.
    if (roaming && h.gateway && exitsOf(host).size() >= 2) {
        for (const qsizetype exit : exitsOf(host)) {
            const auto peer = std::find_if(config.peers.cbegin(), config.peers.cend(),
                                           [&](const PeerConfig &p) { return p.name == m_project.hosts[exit].name; });
            if (peer == config.peers.cend())
                continue;
            PlannedInterface::Exit exitOf{peer->name, peer->publicKey, {}, {}};
            for (const QString &address : {m_project.hosts[exit].meshInterface().ip, m_project.hosts[exit].meshInterface().ipv6}) {
                if (!address.isEmpty())
                    exitOf.probe.append(address);
            }
            for (const QString &prefix : peer->allowedIps) {
                if (prefix.endsWith(QLatin1String("/0")))
                    planned.defaultRoutes.append(prefix);
                else
                    exitOf.allowedIps.append(prefix);
            }
            // Without the default route an exit keeps at least its own addresses: the
            // watchdog's probes of it must go to it, not to the exit that holds the route.
            qsizetype at = 0;
            for (const QString &address : std::as_const(exitOf.probe)) {
                const QString own = address + (address.contains(QLatin1Char(':')) ? QLatin1String("/128") : QLatin1String("/32"));
                if (!exitOf.allowedIps.contains(own))
                    exitOf.allowedIps.insert(at++, own);
            }
            planned.exits.append(exitOf);
        }
        planned.defaultRoutes.removeDuplicates();
    }
    // Peers it dials by DNS name: wg-quick resolves a name once, at `up`.
    for (const PeerConfig &peer : std::as_const(config.peers)) {
        QString name;
        if (!peer.endpoint.isEmpty() && splitEndpoint(peer.endpoint, &name, nullptr) && !IpAddress::parse(name))
            planned.namedEndpoints.append({peer.name, peer.publicKey, peer.endpoint});
    }

    // A roaming client with several gateways also gets one profile per gateway, for
    // manual failover: WireGuard does not fail over between peers with equal AllowedIPs.
    if (roaming && gateways.size() >= 2) {
        QStringList taken{iface.name};
        for (const auto &[peer, at] : std::as_const(gateways)) {
            InterfaceConfig profile = config;
            PeerConfig gateway = config.peers[at];
            if (h.gateway) { // this gateway alone, as the exit
                gateway.allowedIps = allowedIps(host, peer, Routes::Everything, copies);
            } else {
                gateway.allowedIps = {m_subnetV4.toString()};
                if (m_subnetV6.isValid())
                    gateway.allowedIps.append(m_subnetV6.toString());
            }
            profile.peers = {gateway};
            const QString name = profileName(iface.name, gateway.name, taken);
            taken.append(name);
            planned.profiles.append({name, profile});
        }
    }
    return planned;
}
