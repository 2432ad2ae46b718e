// Importing wg-quick configs into one project, and checking that nothing changed meaning.
#include "configimport.h"

#include "planner.h"
#include "wgquick.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <map>

namespace ConfigImport {

namespace {

constexpr qint64 MaxConfigSize = 1024 * 1024;

/// Where each key stands in a config, for messages with a line.
struct LineIndex
{
    QHash<QString, int> interfaceKeys;        ///< lowercase key -> its first line in [Interface]
    QHash<QString, int> peers;                ///< public key -> the line of its [Peer]
    QHash<QString, QHash<QString, int>> peerKeys; ///< public key -> lowercase key -> line
    QList<int> peerSections;                  ///< the line of each [Peer], in order
};

LineIndex indexLines(const QByteArray &text)
{
    LineIndex index;
    enum class Section { None, Interface, Peer } section = Section::None;
    int peerLine = 0;
    QHash<QString, int> keys; // of the [Peer] being read
    QString peerKey;
    int number = 0;
    for (const QByteArray &raw : text.split('\n')) {
        ++number;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(QLatin1Char('['))) {
            if (section == Section::Peer && !peerKey.isEmpty())
                index.peerKeys.insert(peerKey, keys);
            keys.clear();
            peerKey.clear();
            section = line.compare(QLatin1String("[Interface]"), Qt::CaseInsensitive) == 0 ? Section::Interface
                    : line.compare(QLatin1String("[Peer]"), Qt::CaseInsensitive) == 0      ? Section::Peer
                                                                                            : Section::None;
            peerLine = number;
            if (section == Section::Peer)
                index.peerSections.append(number);
            continue;
        }
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (line.startsWith(QLatin1Char('#')) || equals < 0)
            continue;
        const QString key = line.left(equals).trimmed().toLower();
        if (section == Section::Interface && !index.interfaceKeys.contains(key))
            index.interfaceKeys.insert(key, number);
        if (section == Section::Peer) {
            if (!keys.contains(key))
                keys.insert(key, number);
            if (key == QLatin1String("publickey")) {
                peerKey = line.mid(equals + 1).trimmed();
                index.peers.insert(peerKey, peerLine);
            }
        }
    }
    if (section == Section::Peer && !peerKey.isEmpty())
        index.peerKeys.insert(peerKey, keys);
    return index;
}

struct Parsed
{
    Source source;
    InterfaceConfig config;
    LineIndex lines;
    QString publicKey;
    bool external = false; ///< a peer none of the sources is: only its public key is known
};

/// Addresses that a home network uses: RFC 1918, CGNAT, link-local, unique local.
bool isPrivate(const IpAddress &address)
{
    static const QList<IpPrefix> ranges = [] {
        QList<IpPrefix> list;
        for (const char *text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7",
                                 "fe80::/10"})
            list.append(*IpPrefix::parse(QLatin1String(text)));
        return list;
    }();
    return std::any_of(ranges.cbegin(), ranges.cend(), [&](const IpPrefix &range) { return range.contains(address); });
}

bool isDefaultRoute(const QString &text)
{
    const auto prefix = IpPrefix::parse(text.trimmed(), true);
    return prefix && prefix->isDefaultRoute();
}

template<typename T>
T mostCommon(const QList<T> &values, const T &fallback)
{
    std::map<T, int> counts;
    for (const T &value : values)
        ++counts[value];
    T best = fallback;
    int most = 0;
    for (const T &value : values) { // the first of the most common, in file order
        if (counts[value] > most) {
            most = counts[value];
            best = value;
        }
    }
    return best;
}

/// The host and interface a config file at \a relative (inside a searched folder, or
/// just its name) stands for; empty host when the layout is not one we know.
std::pair<QString, QString> hostOf(const QStringList &relative)
{
    const QString file = relative.back();
    const QString base = file.left(file.size() - 5); // without ".conf"
    const qsizetype n = relative.size();
    if (n >= 4 && relative[n - 2] == QLatin1String("wireguard") && relative[n - 3] == QLatin1String("etc")) {
        if (n >= 6 && relative[n - 4] == QLatin1String("local") && relative[n - 5] == QLatin1String("usr"))
            return {relative[n - 6], base}; // dist/HOST/usr/local/etc/wireguard/wg0.conf (FreeBSD)
        return {relative[n - 4], base}; // dist/HOST/etc/wireguard/wg0.conf
    }
    if (n >= 2)
        return {relative[n - 2], base}; // HOST/wg0.conf
    return {base, QStringLiteral("wg0")}; // HOST.conf
}

bool isInterfaceFileName(const QString &base)
{
    return base.size() <= 15 && isValidInterfaceName(base) && base.startsWith(QLatin1String("wg"));
}

} // namespace

QString Loss::toString() const
{
    if (line > 0)
        return QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(message);
    return QStringLiteral("%1: %2").arg(file, message);
}

std::optional<QList<Source>> collect(const QStringList &paths, const QHash<QString, QString> &rename, QStringList *notes,
                                     QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<QList<Source>> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QList<Source> sources;
    auto add = [&](const QString &path, QString host, const QString &interfaceName) -> bool {
        QFile file(path);
        if (file.size() > MaxConfigSize) {
            if (error)
                *error = QStringLiteral("%1: larger than 1 MiB; not a WireGuard config").arg(path);
            return false;
        }
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(path, file.errorString());
            return false;
        }
        host = rename.value(host, host);
        sources.append({host, interfaceName, path, file.readAll()});
        return true;
    };
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (info.isFile()) {
            if (!path.endsWith(QLatin1String(".conf")))
                return fail(QStringLiteral("%1: not a wg-quick config (NAME.conf)").arg(path));
            // A file called wg0.conf is its folder's host's; NAME.conf is host NAME's wg0.
            const QString base = info.completeBaseName();
            const QStringList parts = QDir::cleanPath(info.absoluteFilePath()).split(QLatin1Char('/'), Qt::SkipEmptyParts);
            const auto [host, iface] = isInterfaceFileName(base) ? hostOf(parts) : std::pair(base, QStringLiteral("wg0"));
            if (!add(path, host, iface))
                return std::nullopt;
            continue;
        }
        if (!info.isDir())
            return fail(QStringLiteral("%1: no such file or folder").arg(path));
        // Absolute, so that every found file is named relative to the folder itself.
        const QDir root(info.absoluteFilePath());
        QStringList found;
        QDirIterator it(root.path(), {QStringLiteral("*.conf")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            found.append(it.next());
        found.sort();
        const qsizetype before = sources.size();
        for (const QString &file : std::as_const(found)) {
            const QStringList relative = root.relativeFilePath(file).split(QLatin1Char('/'));
            const QString base = relative.back().left(relative.back().size() - 5);
            // wg0-GATEWAY.conf beside wg0.conf: a roaming client's profile for one gateway.
            const qsizetype dash = base.lastIndexOf(QLatin1Char('-'));
            if (dash > 0 && QFileInfo::exists(QFileInfo(file).dir().filePath(base.left(dash) + QLatin1String(".conf")))) {
                if (notes)
                    notes->append(QStringLiteral("%1: a profile of %2.conf, left out").arg(file, base.left(dash)));
                continue;
            }
            const auto [host, iface] = relative.size() == 1 ? std::pair(base, QStringLiteral("wg0")) : hostOf(relative);
            if (relative.size() > 1 && !isInterfaceFileName(iface)) {
                if (notes)
                    notes->append(QStringLiteral("%1: not HOST/wgN.conf, left out").arg(file));
                continue;
            }
            if (!add(file, host, iface))
                return std::nullopt;
        }
        if (sources.size() == before)
            return fail(QStringLiteral("%1: no WireGuard config (*.conf) in it").arg(path));
    }
    return sources;
}

std::optional<Result> build(const QList<Source> &sources, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<Result> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QList<Parsed> parsed;
    QHash<QString, qsizetype> byKey;  // public key -> host index
    QHash<QString, QString> fileOf;    // host -> file
    for (const Source &source : sources) {
        if (!isValidHostName(source.host))
            return fail(QStringLiteral("%1: '%2' is not a usable host name (rename it with --name %2=NAME)").arg(source.path, source.host));
        if (fileOf.contains(source.host))
            return fail(QStringLiteral("%1: host %2 has another config already (%3); several interfaces per host are not "
                                       "imported yet")
                            .arg(source.path, source.host, fileOf.value(source.host)));
        QString why;
        const auto config = WgQuick::parse(source.text, &why);
        if (!config)
            return fail(QStringLiteral("%1: %2").arg(source.path, why));
        const LineIndex lines = indexLines(source.text);
        for (qsizetype k = 0; k < config->peers.size(); ++k) {
            if (!WireGuardKeys::isValidKey(config->peers[k].publicKey))
                return fail(QStringLiteral("%1:%2: a [Peer] without a valid PublicKey").arg(source.path).arg(lines.peerSections.value(k)));
        }
        const auto pub = WireGuardKeys::publicKey(config->privateKey);
        if (!pub)
            return fail(QStringLiteral("%1: no valid PrivateKey: Meshwright manages a host only with its private key").arg(source.path));
        if (byKey.contains(*pub))
            return fail(QStringLiteral("%1: the same private key as %2").arg(source.path, fileOf.value(parsed[byKey.value(*pub)].source.host)));
        byKey.insert(*pub, parsed.size());
        fileOf.insert(source.host, source.path);
        parsed.append({source, *config, lines, *pub});
    }
    if (parsed.isEmpty())
        return fail(QStringLiteral("nothing to import"));

    // Peers that are none of the imported hosts: external hosts, run by someone else.
    QStringList externalNotes;
    {
        QSet<QString> names;
        for (const Parsed &p : std::as_const(parsed))
            names.insert(p.source.host);
        const qsizetype imported = parsed.size();
        for (qsizetype i = 0; i < imported; ++i) {
            const QList<PeerConfig> peers = parsed[i].config.peers; // parsed grows below
            for (const PeerConfig &peer : peers) {
                if (byKey.contains(peer.publicKey))
                    continue;
                // Named as the peer's comment names it, when that is a free host name.
                QString name = peer.name.trimmed();
                if (!isValidHostName(name) || names.contains(name)) {
                    int n = 1;
                    do
                        name = QStringLiteral("external-%1").arg(n++);
                    while (names.contains(name));
                }
                names.insert(name);
                Parsed external;
                external.source = {name, QStringLiteral("wg0"), parsed[i].source.path, QByteArray()};
                external.publicKey = peer.publicKey;
                external.external = true;
                byKey.insert(peer.publicKey, parsed.size());
                externalNotes.append(QStringLiteral("%1: external (peer %2… of %3; its own config was not imported)")
                                         .arg(name, peer.publicKey.left(8), parsed[i].source.host));
                parsed.append(external);
            }
        }
    }

    Result result;
    result.notes = externalNotes;
    Project &project = result.project;
    const qsizetype count = parsed.size();
    auto lineOf = [&](qsizetype host, const char *key) { return parsed[host].lines.interfaceKeys.value(QLatin1String(key)); };
    auto lose = [&](qsizetype host, int line, const QString &message) {
        result.losses.append({parsed[host].source.path, line, message});
    };
    auto lists = [&](qsizetype host, qsizetype peer) -> const PeerConfig * {
        for (const PeerConfig &p : parsed[host].config.peers) {
            if (p.publicKey == parsed[peer].publicKey)
                return &p;
        }
        return nullptr;
    };

    // Hosts: name, mesh addresses, MTU.
    for (qsizetype i = 0; i < count; ++i) {
        const Parsed &p = parsed[i];
        Host host;
        host.name = p.source.host;
        host.os = !p.source.os.isEmpty() ? p.source.os
                : p.source.path.contains(QLatin1String("usr/local/etc/wireguard/")) ? QStringLiteral("FreeBSD")
                                                                                     : QStringLiteral("Linux");
        host.meshInterface().name = p.source.interfaceName;
        if (p.external) {
            // Its mesh addresses: the host prefixes its peers route to it.
            host.publicKey = p.publicKey;
            for (qsizetype k = 0; k < count; ++k) {
                for (const PeerConfig &peer : parsed[k].config.peers) {
                    if (peer.publicKey != p.publicKey)
                        continue;
                    for (const QString &text : peer.allowedIps) {
                        const auto prefix = IpPrefix::parse(text.trimmed(), true);
                        if (!prefix || !prefix->isHostPrefix())
                            continue;
                        QString &slot = prefix->address().isV6() ? host.meshInterface().ipv6 : host.meshInterface().ip;
                        if (slot.isEmpty())
                            slot = prefix->address().toString();
                    }
                }
            }
            if (host.meshInterface().ip.isEmpty())
                return fail(QStringLiteral("%1: peer %2… is none of the imported hosts, and no /32 in its AllowedIPs gives its mesh "
                                           "address: import its config too")
                                .arg(p.source.path, p.publicKey.left(8)));
            project.hosts.append(host);
            continue;
        }
        for (const QString &text : p.config.addresses) {
            const auto prefix = IpPrefix::parse(text.trimmed(), true);
            if (!prefix) {
                lose(i, lineOf(i, "address"), QStringLiteral("Address %1 is not an address").arg(text));
                continue;
            }
            QString &slot = prefix->address().isV6() ? host.meshInterface().ipv6 : host.meshInterface().ip;
            if (slot.isEmpty())
                slot = prefix->address().toString();
            else
                lose(i, lineOf(i, "address"), QStringLiteral("a second %1 address (%2): a host has one of each in the mesh")
                                                  .arg(prefix->address().isV6() ? QStringLiteral("IPv6") : QStringLiteral("IPv4"), text));
        }
        if (host.meshInterface().ip.isEmpty())
            return fail(QStringLiteral("%1: no IPv4 Address: every host needs an IPv4 address in the mesh").arg(p.source.path));
        host.meshInterface().mtu = p.config.mtu;
        project.hosts.append(host);
    }

    // Roles: how the others reach each host.
    for (qsizetype j = 0; j < count; ++j) {
        QStringList addresses;
        for (qsizetype i = 0; i < count; ++i) {
            const PeerConfig *peer = i == j ? nullptr : lists(i, j);
            QString address;
            if (peer && !peer->endpoint.isEmpty() && splitEndpoint(peer->endpoint, &address, nullptr) && IpAddress::parse(address))
                addresses.append(IpAddress::parse(address)->toString());
        }
        Host &host = project.hosts[j];
        if (addresses.isEmpty()) {
            const bool fullTunnel = std::any_of(parsed[j].config.peers.cbegin(), parsed[j].config.peers.cend(), [](const PeerConfig &peer) {
                return std::any_of(peer.allowedIps.cbegin(), peer.allowedIps.cend(), isDefaultRoute);
            });
            if (parsed[j].external)
                continue; // how it routes is its owner's
            host.gateway = fullTunnel;
            result.notes.append(QStringLiteral("%1: roaming (no peer dials it)%2").arg(host.name, fullTunnel ? QStringLiteral(", full tunnel") : QString()));
            continue;
        }
        const QString ip = mostCommon(addresses, QString());
        if (isPrivate(*IpAddress::parse(ip))) {
            host.lan = SiteAddress{QString(), ip};
            result.notes.append(QStringLiteral("%1: on a LAN at %2").arg(host.name, ip));
        } else {
            host.internet = SiteAddress{QString(), ip};
            result.notes.append(QStringLiteral("%1: internet gateway at %2").arg(host.name, ip));
        }
    }

    // A roaming client that is not a full tunnel sends the mesh subnets to the first of its
    // gateways in host order (Planner::meshGatewayOf): the gateways those clients chose
    // come first, the other hosts keep their order.
    {
        QList<qsizetype> first;
        for (qsizetype i = 0; i < count; ++i) {
            const Host &host = project.hosts[i];
            if (host.role() != Host::Role::Roaming || host.gateway)
                continue;
            for (const PeerConfig &peer : parsed[i].config.peers) {
                const qsizetype j = byKey.value(peer.publicKey, -1);
                const bool subnet = std::any_of(peer.allowedIps.cbegin(), peer.allowedIps.cend(), [](const QString &text) {
                    const auto prefix = IpPrefix::parse(text.trimmed(), true);
                    return prefix && !prefix->isHostPrefix() && !prefix->isDefaultRoute();
                });
                if (j >= 0 && subnet && project.hosts[j].role() == Host::Role::Internet) {
                    if (!first.contains(j))
                        first.append(j);
                    break;
                }
            }
        }
        QList<qsizetype> order = first;
        for (qsizetype i = 0; i < count; ++i) {
            if (!order.contains(i))
                order.append(i);
        }
        QList<Parsed> reordered;
        QList<Host> hosts;
        for (const qsizetype i : std::as_const(order)) {
            reordered.append(parsed[i]);
            hosts.append(project.hosts[i]);
        }
        parsed = reordered;
        project.hosts = hosts;
        byKey.clear();
        for (qsizetype i = 0; i < count; ++i)
            byKey.insert(parsed[i].publicKey, i);
    }

    // The mesh subnets, when the configs show them: a prefix in AllowedIPs (a roaming
    // client's route to the mesh, a FreeBSD Address) that holds every mesh address.
    for (const bool v6 : {false, true}) {
        QList<IpAddress> mesh;
        for (const Host &host : std::as_const(project.hosts)) {
            if (const auto address = IpAddress::parse(v6 ? host.meshInterface().ipv6 : host.meshInterface().ip))
                mesh.append(*address);
        }
        QList<QString> subnets;
        for (const Parsed &p : std::as_const(parsed)) {
            QStringList texts = p.config.addresses;
            for (const PeerConfig &peer : p.config.peers)
                texts += peer.allowedIps;
            for (const QString &text : std::as_const(texts)) {
                const auto prefix = IpPrefix::parse(text.trimmed(), true);
                if (!prefix || prefix->isDefaultRoute() || prefix->isHostPrefix() || prefix->address().isV6() != v6 || mesh.size() < 2)
                    continue;
                const IpPrefix network = prefix->network();
                if (std::all_of(mesh.cbegin(), mesh.cend(), [&](const IpAddress &a) { return network.contains(a); }))
                    subnets.append(network.toString());
            }
        }
        if (!subnets.isEmpty())
            (v6 ? project.network.ipv6 : project.network.ipv4) = IpPrefix::parse(mostCommon(subnets, QString()));
    }

    // Ports and DNS: the most common as the defaults, the others per host.
    QList<int> ports;
    for (qsizetype i = 0; i < count; ++i) {
        if (!parsed[i].external && project.hosts[i].role() != Host::Role::Roaming && parsed[i].config.listenPort)
            ports.append(*parsed[i].config.listenPort);
    }
    project.defaults.listenPort = mostCommon(ports, project.defaults.listenPort);
    QList<QStringList> dns;
    for (qsizetype i = 0; i < count; ++i) {
        const Host &host = project.hosts[i];
        if (host.role() != Host::Role::Roaming && parsed[i].config.listenPort && *parsed[i].config.listenPort != project.defaults.listenPort)
            project.hosts[i].meshInterface().listenPort = parsed[i].config.listenPort;
        if (host.role() == Host::Role::Roaming && host.gateway)
            dns.append(parsed[i].config.dns);
    }
    if (!dns.isEmpty())
        project.defaults.dns = mostCommon(dns, project.defaults.dns);

    // The default keepalive: what the hosts send where the rule sends one (roaming clients,
    // LAN hosts to the others).
    {
        const Planner roles(project);
        QList<int> keepalives;
        for (qsizetype i = 0; i < count; ++i) {
            for (const PeerConfig &peer : parsed[i].config.peers) {
                const qsizetype j = byKey.value(peer.publicKey, -1);
                if (j >= 0 && j != i && roles.keepalive(i, j) != 0)
                    keepalives.append(peer.persistentKeepalive);
            }
        }
        project.defaults.keepalive = mostCommon(keepalives, project.defaults.keepalive);
    }

    // Who has whom as a peer.
    for (qsizetype i = 0; i < count; ++i) {
        for (qsizetype j = 0; j < count; ++j) {
            // An external host's own list is not known: it is taken to list who lists it.
            if (i != j && !(parsed[i].external ? lists(j, i) : lists(i, j)))
                project.hosts[i].excludePeers.append(project.hosts[j].name);
        }
    }

    // Links: where the rules say otherwise, an override; the preshared keys.
    for (qsizetype i = 0; i < count; ++i) {
        if (!parsed[i].external)
            result.keys.setPrivateKey(Planner::keyId(project.hosts[i]), parsed[i].config.privateKey);
    }
    const Planner rules(project);
    for (qsizetype i = 0; i < count; ++i) {
        for (qsizetype j = i + 1; j < count; ++j) {
            const PeerConfig *ij = lists(i, j);
            const PeerConfig *ji = lists(j, i);
            if (!ij && !ji)
                continue;
            LinkSettings link;
            link.a = project.hosts[i].name;
            link.b = project.hosts[j].name;
            for (const auto &[from, to, peer] : {std::tuple(i, j, ij), std::tuple(j, i, ji)}) {
                if (!peer)
                    continue;
                LinkEnd &far = link.end(project.hosts[to].name);
                if (!peer->endpoint.isEmpty() && peer->endpoint != rules.endpoint(from, to))
                    far.endpoint = peer->endpoint;
                const QStringList planned = WgQuick::canonicalPrefixes(rules.allowedIps(from, to));
                for (const QString &prefix : peer->allowedIps) {
                    const auto parsedPrefix = IpPrefix::parse(prefix.trimmed(), true);
                    const QString text = parsedPrefix ? parsedPrefix->toString() : prefix.trimmed();
                    if (!planned.contains(text) && !far.allowedIps.contains(text))
                        far.allowedIps.append(text);
                }
            }
            // One keepalive for both directions: kept when every listed direction has it.
            const bool ruleHolds = (!ij || ij->persistentKeepalive == rules.keepalive(i, j))
                                && (!ji || ji->persistentKeepalive == rules.keepalive(j, i));
            if (!ruleHolds) {
                const int keepalive = ij ? ij->persistentKeepalive : ji->persistentKeepalive;
                if ((!ij || ij->persistentKeepalive == keepalive) && (!ji || ji->persistentKeepalive == keepalive))
                    link.keepalive = keepalive;
            }
            const QString psk = ij ? ij->presharedKey : ji->presharedKey;
            if ((ij && ji && ij->presharedKey != ji->presharedKey))
                lose(i, parsed[i].lines.peers.value(parsed[j].publicKey),
                     QStringLiteral("the preshared key with %1 differs from the one %1 has").arg(link.b));
            if (psk.isEmpty())
                link.presharedKey = false;
            else
                result.keys.setPresharedKey(Planner::keyId(project.hosts[i]), Planner::keyId(project.hosts[j]), psk);
            LinkSettings defaults;
            defaults.a = link.a;
            defaults.b = link.b;
            if (!(link == defaults)) {
                project.links.append(link);
                QStringList what;
                if (link.keepalive)
                    what.append(QStringLiteral("keepalive %1").arg(*link.keepalive));
                if (!link.presharedKey)
                    what.append(QStringLiteral("no preshared key"));
                for (const auto &[name, end] : {std::pair(link.a, link.atA), std::pair(link.b, link.atB)}) {
                    if (!end.endpoint.isEmpty())
                        what.append(QStringLiteral("%1 at %2").arg(name, end.endpoint));
                    if (!end.allowedIps.isEmpty())
                        what.append(QStringLiteral("%1 also routes %2").arg(name, end.allowedIps.join(QLatin1String(", "))));
                }
                result.notes.append(QStringLiteral("link %1 - %2: %3").arg(link.a, link.b, what.join(QLatin1String("; "))));
            }
        }
    }

    // An MTU the rule gives anyway (a roaming client's 1420) is left to the rule.
    {
        Project bare = project;
        for (Host &host : bare.hosts)
            host.meshInterface().mtu.reset();
        const Planner rule(bare);
        for (qsizetype i = 0; i < count; ++i) {
            std::optional<int> &mtu = project.hosts[i].meshInterface().mtu;
            if (mtu && *mtu == rule.tunnelMtu(i))
                mtu.reset();
        }
    }

    // What wg-quick runs that the rules do not make (its own PostUp lines, a Table, ...)
    // is kept as written, after what the rules make (an exit gateway's NAT, say).
    {
        const Planner generated(project);
        for (qsizetype i = 0; i < count; ++i) {
            if (parsed[i].external)
                continue;
            const InterfaceConfig &was = parsed[i].config;
            const InterfaceConfig made = generated.plan(i, result.keys).config;
            Interface &iface = project.hosts[i].meshInterface();
            const auto beyond = [](const QStringList &file, const QStringList &rules) {
                return file.mid(0, rules.size()) == rules ? file.mid(rules.size()) : file;
            };
            iface.preUp = beyond(was.preUp, made.preUp);
            iface.postUp = beyond(was.postUp, made.postUp);
            iface.preDown = beyond(was.preDown, made.preDown);
            iface.postDown = beyond(was.postDown, made.postDown);
            if (was.table != made.table)
                iface.table = was.table;
            iface.fwMark = was.fwMark;
            iface.saveConfig = was.saveConfig;
            const qsizetype kept = iface.preUp.size() + iface.postUp.size() + iface.preDown.size() + iface.postDown.size();
            if (kept > 0)
                result.notes.append(QStringLiteral("%1: %2 Pre/PostUp/Down line(s) kept as written").arg(project.hosts[i].name).arg(kept));
        }
    }

    // The proof: every host planned again, compared with its file.
    const Planner planner(project);
    for (qsizetype i = 0; i < count; ++i) {
        if (parsed[i].external)
            continue; // no file to compare with: its owner's
        const InterfaceConfig &was = parsed[i].config;
        const InterfaceConfig now = planner.plan(i, result.keys).config;
        const LineIndex &lines = parsed[i].lines;
        if (WgQuick::canonicalPrefixes(was.addresses) != WgQuick::canonicalPrefixes(now.addresses))
            lose(i, lineOf(i, "address"), QStringLiteral("Address %1: the project gives %2")
                                              .arg(was.addresses.join(QLatin1String(", ")), now.addresses.join(QLatin1String(", "))));
        if (was.listenPort != now.listenPort)
            lose(i, lineOf(i, "listenport"), was.listenPort ? QStringLiteral("ListenPort %1: the project gives %2 (a roaming host has none)")
                                                                  .arg(*was.listenPort)
                                                                  .arg(now.listenPort ? QString::number(*now.listenPort) : QStringLiteral("none"))
                                                            : QStringLiteral("no ListenPort: the project gives %1").arg(now.listenPort.value_or(0)));
        if (was.mtu != now.mtu)
            lose(i, lineOf(i, "mtu"), QStringLiteral("MTU %1: the project gives %2")
                                          .arg(was.mtu ? QString::number(*was.mtu) : QStringLiteral("none"),
                                               now.mtu ? QString::number(*now.mtu) : QStringLiteral("none")));
        QStringList wasDns = was.dns, nowDns = now.dns;
        wasDns.sort();
        nowDns.sort();
        if (wasDns != nowDns)
            lose(i, lineOf(i, "dns"), QStringLiteral("DNS %1: the project gives %2")
                                          .arg(was.dns.isEmpty() ? QStringLiteral("none") : was.dns.join(QLatin1String(", ")),
                                               now.dns.isEmpty() ? QStringLiteral("none") : now.dns.join(QLatin1String(", "))));
        if (was.table != now.table)
            lose(i, lineOf(i, "table"), QStringLiteral("Table = %1 has no field in the project").arg(was.table));
        if (was.fwMark != now.fwMark)
            lose(i, lineOf(i, "fwmark"), QStringLiteral("FwMark has no field in the project"));
        if (was.saveConfig != now.saveConfig)
            lose(i, lineOf(i, "saveconfig"), QStringLiteral("SaveConfig has no field in the project"));
        for (const auto &[key, wasLines, nowLines] : {std::tuple("preup", &was.preUp, &now.preUp), std::tuple("postup", &was.postUp, &now.postUp),
                                                      std::tuple("predown", &was.preDown, &now.preDown),
                                                      std::tuple("postdown", &was.postDown, &now.postDown)}) {
            if (*wasLines != *nowLines)
                lose(i, lineOf(i, key), QStringLiteral("%1 lines differ: the file has %2, the project gives %3")
                                            .arg(QLatin1String(key), wasLines->isEmpty() ? QStringLiteral("none") : wasLines->join(QLatin1String("; ")),
                                                 nowLines->isEmpty() ? QStringLiteral("none") : nowLines->join(QLatin1String("; "))));
        }
        for (const PeerConfig &peer : was.peers) {
            const int line = lines.peers.value(peer.publicKey);
            const auto keyLine = [&](const char *key) { return lines.peerKeys.value(peer.publicKey).value(QLatin1String(key), line); };
            const QString name = project.hosts[byKey.value(peer.publicKey)].name;
            const auto match = std::find_if(now.peers.cbegin(), now.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == peer.publicKey; });
            if (match == now.peers.cend()) {
                lose(i, line, QStringLiteral("peer %1: the project leaves it out").arg(name));
                continue;
            }
            if (WgQuick::canonicalPrefixes(peer.allowedIps) != WgQuick::canonicalPrefixes(match->allowedIps))
                lose(i, keyLine("allowedips"), QStringLiteral("peer %1: AllowedIPs %2, the project gives %3")
                                  .arg(name, peer.allowedIps.join(QLatin1String(", ")), match->allowedIps.join(QLatin1String(", "))));
            if (peer.endpoint != match->endpoint)
                lose(i, keyLine("endpoint"), QStringLiteral("peer %1: Endpoint %2, the project gives %3")
                                  .arg(name, peer.endpoint.isEmpty() ? QStringLiteral("none") : peer.endpoint,
                                       match->endpoint.isEmpty() ? QStringLiteral("none") : match->endpoint));
            if (peer.persistentKeepalive != match->persistentKeepalive)
                lose(i, keyLine("persistentkeepalive"), QStringLiteral("peer %1: PersistentKeepalive %2, the project gives %3")
                                  .arg(name)
                                  .arg(peer.persistentKeepalive)
                                  .arg(match->persistentKeepalive));
            if (peer.presharedKey != match->presharedKey)
                lose(i, keyLine("presharedkey"), QStringLiteral("peer %1: the preshared key is not the one the project gives").arg(name));
        }
        for (const PeerConfig &peer : now.peers) {
            const bool listed = std::any_of(was.peers.cbegin(), was.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == peer.publicKey; });
            if (!listed)
                lose(i, 0, QStringLiteral("the project adds peer %1").arg(peer.name));
        }
    }
    return result;
}

} // namespace ConfigImport
