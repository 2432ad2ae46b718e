// Importing wg-quick configs into one project, and checking that nothing changed meaning.
#include "configimport.h"

#include "fieldcheck.h"
#include "openbsdhostname.h"
#include "planner.h"
#include "wgquick.h"
#include "ziparchive.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <map>

namespace ConfigImport {

namespace {

constexpr qint64 MaxConfigSize = 1024 * 1024;
constexpr qint64 MaxArchiveSize = 64 * 1024 * 1024;      ///< a zip of configs, as read
constexpr qint64 MaxArchiveUnpacked = 64 * 1024 * 1024;  ///< all its configs, unpacked

/// Where each key stands in a config, for messages with a line.
struct LineIndex
{
    QHash<QString, int> interfaceKeys;        ///< lowercase key -> its first line in [Interface]
    QHash<QString, int> peers;                ///< public key -> the line of its [Peer]
    QHash<QString, QHash<QString, int>> peerKeys; ///< public key -> lowercase key -> line
    QList<int> peerSections;                  ///< the line of each [Peer], in order
    int interfaceSection = 0;                 ///< the line of [Interface]
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
            if (section == Section::Interface && index.interfaceSection == 0)
                index.interfaceSection = number;
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

/// One interface file of a host, read.
struct ParsedInterface
{
    Source source;
    InterfaceConfig config;
    LineIndex lines;
    QString publicKey;
    /// Where the addresses are set: the file itself, or the hostname.wgN beside it.
    QString addressFile;
    int addressLine = 0;
};

/// One host: its interface files (several on a router with one interface per peer, in
/// interface order), or an external host known by its key alone.
struct Parsed
{
    Source source;          ///< the first interface's
    InterfaceConfig config; ///< the first interface's, with the peers of every interface
    QList<ParsedInterface> interfaces;
    QStringList publicKeys; ///< one per interface
    bool external = false;  ///< a peer none of the sources is: only its public key is known

    bool isRouter() const { return interfaces.size() > 1; }
    /// The interface that has \a publicKey as a peer, or the first.
    const ParsedInterface &facing(const QString &publicKey) const
    {
        for (const ParsedInterface &iface : interfaces) {
            for (const PeerConfig &peer : iface.config.peers) {
                if (peer.publicKey == publicKey)
                    return iface;
            }
        }
        return interfaces.front();
    }
};

/// A config file as its system reads it: the interface, where each key stands, and the
/// lines it has that a wg-quick config cannot say. False with \a error on bad syntax.
bool readInterface(const Source &source, ParsedInterface *out, QList<Loss> *losses, QString *error)
{
    out->source = source;
    if (source.format == Format::OpenBsdHostname) {
        QString why;
        const auto parsed = OpenBsdHostname::parse(source.text, &why);
        if (!parsed) {
            const QStringList lines = QString::fromUtf8(source.text).split(QLatin1Char('\n'));
            const auto setconf = std::find_if(lines.cbegin(), lines.cend(), [&](const QString &line) {
                return OpenBsdHostname::isSetconfLine(line, source.interfaceName);
            });
            *error = setconf == lines.cend()
                ? QStringLiteral("%1: %2").arg(source.path, why)
                : QStringLiteral("%1: it leaves the keys and peers to '%2': import the %3.conf it loads with it, in the same folder "
                                 "or in wireguard/ beside it")
                      .arg(source.path, setconf->trimmed(), source.interfaceName);
            return false;
        }
        out->addressFile = source.path;
        out->addressLine = parsed->lines.value(QStringLiteral("address"));
        out->config = parsed->config;
        for (auto it = parsed->lines.cbegin(); it != parsed->lines.cend(); ++it)
            out->lines.interfaceKeys.insert(it.key(), it.value());
        for (qsizetype k = 0; k < parsed->config.peers.size(); ++k) {
            const QString &key = parsed->config.peers[k].publicKey;
            out->lines.peers.insert(key, parsed->peerLines[k]);
            out->lines.peerSections.append(parsed->peerLines[k]);
        }
        for (const auto &[line, text] : parsed->unsupported)
            losses->append({source.path, line, QStringLiteral("'%1' has no field in the project").arg(text)});
        return true;
    }
    QString why;
    const auto config = WgQuick::parse(source.text, &why);
    if (!config) {
        *error = QStringLiteral("%1: %2").arg(source.path, why);
        return false;
    }
    out->config = *config;
    out->lines = indexLines(source.text);
    out->addressFile = source.path;
    out->addressLine = out->lines.interfaceKeys.value(QStringLiteral("address"));
    if (!source.hostnameText.isEmpty()) {
        // OpenBSD: the addresses (and an MTU) are ifconfig's, in the hostname.wgN.
        const auto hostname = OpenBsdHostname::parse(source.hostnameText, &why, true);
        if (!hostname) {
            *error = QStringLiteral("%1: %2").arg(source.hostnamePath, why);
            return false;
        }
        out->config.addresses = hostname->config.addresses;
        if (hostname->config.mtu)
            out->config.mtu = hostname->config.mtu;
        out->addressFile = source.hostnamePath;
        out->addressLine = hostname->lines.value(QStringLiteral("address"));
        for (const auto &[line, text] : hostname->unsupported) {
            if (!OpenBsdHostname::isSetconfLine(text, source.interfaceName))
                losses->append({source.hostnamePath, line, QStringLiteral("'%1' has no field in the project").arg(text)});
        }
    }
    return true;
}

/// \a planned as the system reads it back from files like \a source, to compare with it.
InterfaceConfig asRead(const PlannedInterface &planned, const Source &source)
{
    const bool hostname = source.format == Format::OpenBsdHostname || !source.hostnameText.isEmpty();
    const auto parsed = hostname ? OpenBsdHostname::parse(OpenBsdHostname::write(planned)) : std::nullopt;
    if (!parsed)
        return planned.config;
    if (source.format == Format::OpenBsdHostname)
        return parsed->config;
    InterfaceConfig config = planned.config; // wg setconf's file, with ifconfig's addresses
    config.addresses = parsed->config.addresses;
    config.mtu = parsed->config.mtu;
    return config;
}

/// The prefix length of the smallest range whose network address is \a first and that
/// holds \a count addresses after it before its broadcast address (a router's
/// tunnel_range), or -1.
int rangeLength(const IpAddress &first, int count)
{
    for (int length = 30; length >= 8; --length) {
        const auto range = IpPrefix::parse(first.toString() + QLatin1Char('/') + QString::number(length));
        if (range && range->network().address() == first && range->contains(first.offsetBy(quint32(count + 1))))
            return length;
    }
    return -1;
}

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
    const bool openBsd = file.startsWith(QLatin1String("hostname."));
    const QString base = openBsd ? file.mid(9) : file.left(file.size() - 5); // without ".conf"
    const qsizetype n = relative.size();
    if (openBsd) {
        if (n >= 3 && relative[n - 2] == QLatin1String("etc"))
            return {relative[n - 3], base}; // dist/HOST/etc/hostname.wg0
        if (n >= 2)
            return {relative[n - 2], base}; // HOST/hostname.wg0
        return {QString(), base};
    }
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

/// OpenBSD's hostname.wgN.
bool isHostnameFile(const QString &name)
{
    return name.startsWith(QLatin1String("hostname.")) && isInterfaceFileName(name.mid(9));
}

bool isConfigFile(const QString &name)
{
    return name.endsWith(QLatin1String(".conf")) || isHostnameFile(name);
}

/// The configs among the files of one searched folder or archive, each named by its path
/// relative to it, as collect() takes them; \a origin names the folder or archive for the
/// messages.
void addFound(QList<Source> &sources, const QList<std::pair<QStringList, QByteArray>> &found, const QString &origin,
              const QHash<QString, QString> &rename, QStringList *notes)
{
    auto note = [&](const QString &text) {
        if (notes)
            notes->append(text);
    };
    QHash<QString, QByteArray> files; // relative path -> text
    for (const auto &[relative, text] : found)
        files.insert(relative.join(QLatin1Char('/')), text);
    // A hostname.wgN without wgkey that loads a wg(8) config beside it: the two are one
    // interface (how people run a wg-quick file on OpenBSD, as the f3s article does).
    auto delegates = [&](const QString &hostnamePath) {
        if (!files.contains(hostnamePath))
            return false;
        const auto parsed = OpenBsdHostname::parse(files.value(hostnamePath), nullptr, true);
        return parsed && parsed->config.privateKey.isEmpty() && parsed->config.peers.isEmpty();
    };
    // Where a hostname.wgN of \a folder finds its wgN.conf: beside it, or in wireguard/.
    auto wgQuickBeside = [&](const QString &folder, const QString &base) {
        for (const QString &candidate : {folder + base + QLatin1String(".conf"), folder + QLatin1String("wireguard/") + base + QLatin1String(".conf")}) {
            if (files.contains(candidate))
                return candidate;
        }
        return QString();
    };
    for (const auto &[relative, text] : found) {
        const QString path = origin + relative.join(QLatin1Char('/'));
        const QString name = relative.back();
        const QString folder = relative.mid(0, relative.size() - 1).join(QLatin1Char('/'));
        const QString sibling = folder.isEmpty() ? QString() : folder + QLatin1Char('/');
        const bool openBsd = isHostnameFile(name);
        const QString base = openBsd ? name.mid(9) : name.left(name.size() - 5);
        QString hostnamePath; // relative, of the hostname.wgN that sets this file's addresses
        if (openBsd && delegates(sibling + name) && !wgQuickBeside(sibling, base).isEmpty())
            continue; // read with its wgN.conf, below
        if (!openBsd) {
            // wg0-GATEWAY.conf beside wg0.conf: a roaming client's profile for one gateway.
            const qsizetype dash = base.lastIndexOf(QLatin1Char('-'));
            if (dash > 0 && files.contains(sibling + base.left(dash) + QLatin1String(".conf"))) {
                note(QStringLiteral("%1: a profile of %2.conf, left out").arg(path, base.left(dash)));
                continue;
            }
            // OpenBSD configures wgN from hostname.wgN; a wgN.conf beside it is wg(8)'s.
            QString hostname = sibling + QLatin1String("hostname.") + base;
            if (!files.contains(hostname) && relative.size() >= 3 && relative[relative.size() - 2] == QLatin1String("wireguard"))
                hostname = relative.mid(0, relative.size() - 2).join(QLatin1Char('/')) + QLatin1String("/hostname.") + base;
            if (files.contains(hostname)) {
                const QString folderOf = hostname.left(hostname.lastIndexOf(QLatin1Char('/')) + 1);
                if (!delegates(hostname) || wgQuickBeside(folderOf, base) != relative.join(QLatin1Char('/'))) {
                    note(QStringLiteral("%1: left out; its host's hostname.%2 configures the interface").arg(path, base));
                    continue;
                }
                hostnamePath = hostname;
                note(QStringLiteral("%1: OpenBSD; the addresses from %2, the keys and peers from this file (wg setconf)")
                         .arg(path, origin + hostname));
            }
        }
        auto [host, iface] = relative.size() == 1 && !openBsd ? std::pair(base, QStringLiteral("wg0")) : hostOf(relative);
        if (host.isEmpty() || (relative.size() > 1 && !isInterfaceFileName(iface))) {
            note(QStringLiteral("%1: not HOST/wgN.conf or HOST/hostname.wgN, left out").arg(path));
            continue;
        }
        host = rename.value(host, host);
        Source source{host, iface, path, text};
        if (openBsd) {
            source.format = Format::OpenBsdHostname;
            source.os = QStringLiteral("OpenBSD");
        }
        if (!hostnamePath.isEmpty()) {
            source.os = QStringLiteral("OpenBSD");
            source.hostnameText = files.value(hostnamePath);
            source.hostnamePath = origin + hostnamePath;
        }
        sources.append(source);
    }
}

/// What the file \a file says that \a now, the project's plan of the same interface, does
/// not: each a Loss with the file's line.
void compare(const ParsedInterface &file, const InterfaceConfig &now, const Project &project, const QHash<QString, qsizetype> &byKey,
             QList<Loss> *losses, QStringList *notes)
{
    // AllowedIPs as WireGuard holds them: a prefix on the last peer that lists it.
    const InterfaceConfig wasHeld = WgQuick::effective(file.config);
    const InterfaceConfig nowHeld = WgQuick::effective(now);
    auto held = [](const InterfaceConfig &config, const QString &key) {
        for (const PeerConfig &peer : config.peers) {
            if (peer.publicKey == key)
                return peer.allowedIps;
        }
        return QStringList();
    };
    const InterfaceConfig &was = file.config;
    const LineIndex &lines = file.lines;
    auto lose = [&](int line, const QString &message) { losses->append({file.source.path, line, message}); };
    auto lineOf = [&](const char *key) { return lines.interfaceKeys.value(QLatin1String(key)); };
    if (WgQuick::canonicalPrefixes(was.addresses) != WgQuick::canonicalPrefixes(now.addresses))
        losses->append({file.addressFile, file.addressLine,
                        QStringLiteral("Address %1: the project gives %2")
                            .arg(was.addresses.isEmpty() ? QStringLiteral("none") : was.addresses.join(QLatin1String(", ")),
                                 now.addresses.isEmpty() ? QStringLiteral("none") : now.addresses.join(QLatin1String(", ")))});
    if (was.listenPort != now.listenPort)
        lose(lineOf("listenport"), was.listenPort ? QStringLiteral("ListenPort %1: the project gives %2 (a roaming host has none)")
                                                        .arg(*was.listenPort)
                                                        .arg(now.listenPort ? QString::number(*now.listenPort) : QStringLiteral("none"))
                                                  : QStringLiteral("no ListenPort: the project gives %1").arg(now.listenPort.value_or(0)));
    if (was.mtu != now.mtu)
        lose(lineOf("mtu"), QStringLiteral("MTU %1: the project gives %2")
                                .arg(was.mtu ? QString::number(*was.mtu) : QStringLiteral("none"),
                                     now.mtu ? QString::number(*now.mtu) : QStringLiteral("none")));
    QStringList wasDns = was.dns, nowDns = now.dns;
    wasDns.sort();
    nowDns.sort();
    if (wasDns != nowDns)
        lose(lineOf("dns"), QStringLiteral("DNS %1: the project gives %2")
                                .arg(was.dns.isEmpty() ? QStringLiteral("none") : was.dns.join(QLatin1String(", ")),
                                     now.dns.isEmpty() ? QStringLiteral("none") : now.dns.join(QLatin1String(", "))));
    if (was.table != now.table)
        lose(lineOf("table"), QStringLiteral("Table = %1: the project gives %2")
                                  .arg(was.table.isEmpty() ? QStringLiteral("auto") : was.table, now.table.isEmpty() ? QStringLiteral("auto") : now.table));
    if (was.fwMark != now.fwMark)
        lose(lineOf("fwmark"), QStringLiteral("FwMark has no field in the project"));
    if (was.saveConfig != now.saveConfig)
        lose(lineOf("saveconfig"), QStringLiteral("SaveConfig has no field in the project"));
    for (const auto &[key, wasLines, nowLines] : {std::tuple("preup", &was.preUp, &now.preUp), std::tuple("postup", &was.postUp, &now.postUp),
                                                  std::tuple("predown", &was.preDown, &now.preDown),
                                                  std::tuple("postdown", &was.postDown, &now.postDown)}) {
        if (*wasLines != *nowLines)
            lose(lineOf(key), QStringLiteral("%1 lines differ: the file has %2, the project gives %3")
                                  .arg(QLatin1String(key), wasLines->isEmpty() ? QStringLiteral("none") : wasLines->join(QLatin1String("; ")),
                                       nowLines->isEmpty() ? QStringLiteral("none") : nowLines->join(QLatin1String("; "))));
    }
    for (const PeerConfig &peer : was.peers) {
        const int line = lines.peers.value(peer.publicKey);
        const auto keyLine = [&](const char *key) { return lines.peerKeys.value(peer.publicKey).value(QLatin1String(key), line); };
        const QString name = project.hosts[byKey.value(peer.publicKey)].name;
        const auto match = std::find_if(now.peers.cbegin(), now.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == peer.publicKey; });
        if (match == now.peers.cend()) {
            lose(line, QStringLiteral("peer %1: the project leaves it out").arg(name));
            continue;
        }
        const QStringList wasPrefixes = held(wasHeld, peer.publicKey);
        const QStringList nowPrefixes = held(nowHeld, peer.publicKey);
        const bool onlyDefault = !peer.allowedIps.isEmpty() && std::all_of(peer.allowedIps.cbegin(), peer.allowedIps.cend(), isDefaultRoute);
        if (wasPrefixes.isEmpty() && onlyDefault && std::none_of(nowPrefixes.cbegin(), nowPrefixes.cend(), isDefaultRoute)) {
            // A second exit: its default route was another peer's in WireGuard; the project
            // gives it its own addresses, so that its link carries traffic (the one
            // difference from such a file that the project makes on purpose).
            notes->append(QStringLiteral("%1: the link to %2 now carries %2's own addresses (%3); WireGuard gave the default route "
                                         "to another exit only")
                              .arg(project.hosts[byKey.value(file.publicKey)].name, name, nowPrefixes.join(QLatin1String(", "))));
        } else if (WgQuick::canonicalPrefixes(wasPrefixes) != WgQuick::canonicalPrefixes(nowPrefixes)) {
            lose(keyLine("allowedips"), QStringLiteral("peer %1: AllowedIPs %2, the project gives %3")
                                            .arg(name, peer.allowedIps.join(QLatin1String(", ")), match->allowedIps.join(QLatin1String(", "))));
        }
        if (peer.endpoint != match->endpoint)
            lose(keyLine("endpoint"), QStringLiteral("peer %1: Endpoint %2, the project gives %3")
                                          .arg(name, peer.endpoint.isEmpty() ? QStringLiteral("none") : peer.endpoint,
                                               match->endpoint.isEmpty() ? QStringLiteral("none") : match->endpoint));
        if (peer.persistentKeepalive != match->persistentKeepalive)
            lose(keyLine("persistentkeepalive"), QStringLiteral("peer %1: PersistentKeepalive %2, the project gives %3")
                                                     .arg(name)
                                                     .arg(peer.persistentKeepalive)
                                                     .arg(match->persistentKeepalive));
        if (peer.presharedKey != match->presharedKey)
            lose(keyLine("presharedkey"), QStringLiteral("peer %1: the preshared key is not the one the project gives").arg(name));
    }
    for (const PeerConfig &peer : now.peers) {
        const bool listed = std::any_of(was.peers.cbegin(), was.peers.cend(), [&](const PeerConfig &p) { return p.publicKey == peer.publicKey; });
        if (!listed)
            lose(0, QStringLiteral("the project adds peer %1").arg(peer.name));
    }
}

/// The comments wireguardmeshgenerator writes where it leaves a key out, and the one it puts
/// after each [Peer] ("HOST.SITE-DOMAIN as HOST.WG0-DOMAIN"): a file that has one is that
/// tool's, and its spelling then says what the tool was told.
bool isSeedToolFile(const InterfaceConfig &config, const QByteArray &text)
{
    static const QRegularExpression peerComment(QStringLiteral("^([^.\\s]+)\\.\\S+ as \\1\\.\\S+$"));
    for (const char *mark : {"# No Address = ... for OpenBSD here", "# No DNS configured", "# Due to NAT no Endpoint configured",
                             "# No KeepAlive configured"}) {
        if (text.contains(mark))
            return true;
    }
    return std::any_of(config.peers.cbegin(), config.peers.cend(), [](const PeerConfig &peer) { return peerComment.match(peer.name).hasMatch(); });
}

/// The system wireguardmeshgenerator was told a host runs, from how it spelled the host's
/// file: no Address and its comment for OpenBSD, an IPv4 Address with /24 for FreeBSD (the
/// only system it gives one); empty when the spelling says nothing.
QString seedToolOs(const InterfaceConfig &config, const QByteArray &text)
{
    if (text.contains("# No Address = ... for OpenBSD here") && config.addresses.isEmpty())
        return QStringLiteral("OpenBSD");
    const bool slash24 = std::any_of(config.addresses.cbegin(), config.addresses.cend(), [](const QString &address) {
        const auto prefix = IpPrefix::parse(address.trimmed(), true);
        return prefix && !prefix->address().isV6() && address.contains(QLatin1String("/24"));
    });
    return slash24 ? QStringLiteral("FreeBSD") : QString();
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
    auto readAll = [&](const QString &path, qint64 limit, QByteArray *out) -> bool {
        QFile file(path);
        if (file.size() > limit) {
            if (error)
                *error = QStringLiteral("%1: larger than %2 MiB; not a WireGuard %3")
                             .arg(path)
                             .arg(limit / (1024 * 1024))
                             .arg(path.endsWith(QLatin1String(".zip")) ? QStringLiteral("export") : QStringLiteral("config"));
            return false;
        }
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(path, file.errorString());
            return false;
        }
        *out = file.read(limit + 1);
        return true;
    };
    QList<Source> sources;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        const qsizetype before = sources.size();
        if (info.isFile() && path.endsWith(QLatin1String(".zip"))) {
            QByteArray bytes;
            if (!readAll(path, MaxArchiveSize, &bytes))
                return std::nullopt;
            QString why;
            const auto entries = ZipArchive::read(bytes, MaxConfigSize, MaxArchiveUnpacked, &why);
            if (!entries)
                return fail(QStringLiteral("%1: %2").arg(path, why));
            QList<std::pair<QStringList, QByteArray>> found;
            for (const ZipArchive::Entry &entry : *entries) {
                const QStringList relative = entry.name.split(QLatin1Char('/'), Qt::SkipEmptyParts);
                if (relative.isEmpty() || relative.contains(QLatin1String("..")) || !isConfigFile(relative.back()))
                    continue;
                found.append({relative, entry.data});
            }
            addFound(sources, found, path + QLatin1Char(':'), rename, notes);
            if (sources.size() == before)
                return fail(QStringLiteral("%1: no WireGuard config (*.conf, hostname.wgN) in the archive").arg(path));
            continue;
        }
        if (info.isFile()) {
            const QString name = info.fileName();
            if (!isConfigFile(name))
                return fail(QStringLiteral("%1: not a wg-quick config (NAME.conf), an OpenBSD hostname.wgN or a zip of them").arg(path));
            QByteArray text;
            if (!readAll(path, MaxConfigSize, &text))
                return std::nullopt;
            // wgN.conf and hostname.wgN are their folder's host's; NAME.conf is host NAME's wg0.
            const QStringList parts = QDir::cleanPath(info.absoluteFilePath()).split(QLatin1Char('/'), Qt::SkipEmptyParts);
            const bool named = !isHostnameFile(name) && !isInterfaceFileName(info.completeBaseName());
            addFound(sources, {{named ? QStringList{name} : parts, text}}, QString(), rename, notes);
            if (sources.size() == before)
                return fail(QStringLiteral("%1: no host name in its path (rename it HOST.conf, or import its folder)").arg(path));
            sources.back().path = path;
            continue;
        }
        if (!info.isDir())
            return fail(QStringLiteral("%1: no such file or folder").arg(path));
        // Absolute, so that every found file is named relative to the folder itself.
        const QDir root(info.absoluteFilePath());
        QStringList files;
        QDirIterator it(root.path(), {QStringLiteral("*.conf"), QStringLiteral("hostname.wg*")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        files.sort();
        QList<std::pair<QStringList, QByteArray>> found;
        for (const QString &file : std::as_const(files)) {
            if (!isConfigFile(QFileInfo(file).fileName()))
                continue;
            QByteArray text;
            if (!readAll(file, MaxConfigSize, &text))
                return std::nullopt;
            found.append({root.relativeFilePath(file).split(QLatin1Char('/')), text});
        }
        addFound(sources, found, root.path() + QLatin1Char('/'), rename, notes);
        if (sources.size() == before)
            return fail(QStringLiteral("%1: no WireGuard config (*.conf, hostname.wgN) in it").arg(path));
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
    Result result;
    QList<Parsed> parsed;
    QHash<QString, qsizetype> byKey;  // public key (of any interface) -> host index
    QHash<QString, QString> fileOf;   // public key -> file
    QHash<QString, qsizetype> byHost; // host -> index
    for (const Source &source : sources) {
        if (!isValidHostName(source.host))
            return fail(QStringLiteral("%1: '%2' is not a usable host name (rename it with --name %2=NAME)").arg(source.path, source.host));
        ParsedInterface iface;
        QString why;
        if (!readInterface(source, &iface, &result.losses, &why))
            return fail(why);
        for (qsizetype k = 0; k < iface.config.peers.size(); ++k) {
            if (!KeyBase64::isValid(iface.config.peers[k].publicKey))
                return fail(QStringLiteral("%1:%2: a [Peer] without a valid PublicKey").arg(source.path).arg(iface.lines.peerSections.value(k)));
        }
        const auto pub = WireGuardKeys::publicKey(iface.config.privateKey);
        if (!pub)
            return fail(QStringLiteral("%1: no valid PrivateKey: Meshwright manages a host only with its private key").arg(source.path));
        if (fileOf.contains(*pub))
            return fail(QStringLiteral("%1: the same private key as %2").arg(source.path, fileOf.value(*pub)));
        fileOf.insert(*pub, source.path);
        iface.publicKey = *pub;
        qsizetype at = byHost.value(source.host, -1);
        if (at < 0) {
            at = parsed.size();
            byHost.insert(source.host, at);
            parsed.append(Parsed{});
        }
        parsed[at].interfaces.append(iface);
        byKey.insert(*pub, at);
    }
    if (parsed.isEmpty())
        return fail(QStringLiteral("nothing to import"));
    for (Parsed &p : parsed) {
        // Several interfaces: a router with one per peer, wg0, wg1, ... (the router pattern).
        std::sort(p.interfaces.begin(), p.interfaces.end(), [](const ParsedInterface &a, const ParsedInterface &b) {
            return a.source.interfaceName.mid(2).toInt() < b.source.interfaceName.mid(2).toInt();
        });
        for (qsizetype k = 0; k < p.interfaces.size() && p.interfaces.size() > 1; ++k) {
            const ParsedInterface &iface = p.interfaces[k];
            if (iface.source.interfaceName != QStringLiteral("wg%1").arg(k) || iface.config.peers.size() != 1)
                return fail(QStringLiteral("%1: host %2 has %3 interfaces, and they are not one per peer numbered from wg0 (a router "
                                           "with one interface per peer); a host has one interface in the mesh")
                                .arg(iface.source.path, iface.source.host)
                                .arg(p.interfaces.size()));
        }
        p.source = p.interfaces.front().source;
        p.config = p.interfaces.front().config;
        p.config.peers.clear();
        for (const ParsedInterface &iface : std::as_const(p.interfaces)) {
            p.config.peers += iface.config.peers;
            p.publicKeys.append(iface.publicKey);
        }
    }

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
                external.source = {name, QStringLiteral("wg0"), parsed[i].facing(peer.publicKey).source.path, QByteArray()};
                external.publicKeys = {peer.publicKey};
                external.external = true;
                byKey.insert(peer.publicKey, parsed.size());
                externalNotes.append(QStringLiteral("%1: external (peer %2… of %3; its own config was not imported)")
                                         .arg(name, peer.publicKey.left(8), parsed[i].source.host));
                parsed.append(external);
            }
        }
    }

    result.notes = externalNotes + result.notes;
    Project &project = result.project;
    const qsizetype count = parsed.size();
    auto lineOf = [&](qsizetype host, const char *key) { return parsed[host].interfaces.value(0).lines.interfaceKeys.value(QLatin1String(key)); };
    auto lose = [&](qsizetype host, int line, const QString &message) {
        result.losses.append({parsed[host].source.path, line, message});
    };
    auto lists = [&](qsizetype host, qsizetype peer) -> const PeerConfig * {
        for (const PeerConfig &p : parsed[host].config.peers) {
            if (parsed[peer].publicKeys.contains(p.publicKey))
                return &p;
        }
        return nullptr;
    };
    auto hostPrefixesTo = [&](qsizetype j, bool v6) { // what the others route to host j alone
        QStringList found;
        for (qsizetype k = 0; k < count; ++k) {
            if (const PeerConfig *peer = k == j ? nullptr : lists(k, j)) {
                for (const QString &text : peer->allowedIps) {
                    const auto prefix = IpPrefix::parse(text.trimmed(), true);
                    if (prefix && prefix->isHostPrefix() && prefix->address().isV6() == v6)
                        found.append(prefix->address().toString());
                }
            }
        }
        return found;
    };

    // The mesh addresses of host j, which has no Address: for each family, the one host
    // prefix that every peer listing j with a host prefix of that family gives it.
    struct Inferred
    {
        QString v4;
        QString v6;
        int peers = 0;
    };
    auto meshAddressesFromPeers = [&](qsizetype j, QString *why) -> std::optional<Inferred> {
        Inferred inferred;
        QSet<qsizetype> listing;
        for (const bool v6 : {false, true}) {
            std::optional<QSet<QString>> common;
            QString firstWhere; // "FILE:LINE allows X" of the first peer, for the message
            for (qsizetype k = 0; k < count; ++k) {
                const PeerConfig *peer = k == j ? nullptr : lists(k, j);
                if (!peer)
                    continue;
                QSet<QString> own;
                for (const QString &text : peer->allowedIps) {
                    const auto prefix = IpPrefix::parse(text.trimmed(), true);
                    if (prefix && prefix->isHostPrefix() && prefix->address().isV6() == v6)
                        own.insert(prefix->address().toString());
                }
                if (own.isEmpty())
                    continue;
                listing.insert(k);
                const ParsedInterface &iface = parsed[k].facing(peer->publicKey);
                const int line = iface.lines.peerKeys.value(peer->publicKey).value(QStringLiteral("allowedips"), iface.lines.peers.value(peer->publicKey));
                QStringList sorted(own.cbegin(), own.cend());
                sorted.sort();
                const QString where = QStringLiteral("%1:%2 allows %3").arg(iface.source.path).arg(line).arg(sorted.join(QLatin1String(", ")));
                if (!common) {
                    common = own;
                    firstWhere = where;
                    continue;
                }
                common->intersect(own);
                if (common->isEmpty()) {
                    *why = QStringLiteral("%1: no Address, and its peers disagree on its mesh %2 address: %3, but %4")
                               .arg(parsed[j].source.path, v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"), firstWhere, where);
                    return std::nullopt;
                }
            }
            if (common && common->size() > 1) {
                QStringList sorted(common->cbegin(), common->cend());
                sorted.sort();
                *why = QStringLiteral("%1: no Address, and its peers route several single %2 addresses to it (%3): which one is "
                                      "its own is not known; add Address = ... to it")
                           .arg(parsed[j].source.path, v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"), sorted.join(QLatin1String(", ")));
                return std::nullopt;
            }
            if (!common && !v6) {
                *why = QStringLiteral("%1:%2: no Address, and no imported peer routes a single IPv4 address (/32) to its public key: "
                                      "its mesh address is not known; add Address = ... to it, or import its peers' configs too")
                           .arg(parsed[j].source.path)
                           .arg(parsed[j].interfaces.value(0).lines.interfaceSection);
                return std::nullopt;
            }
            if (common)
                (v6 ? inferred.v6 : inferred.v4) = *common->cbegin();
        }
        inferred.peers = int(listing.size());
        return inferred;
    };

    // Hosts: name, mesh addresses, MTU; a router's interfaces.
    for (qsizetype i = 0; i < count; ++i) {
        const Parsed &p = parsed[i];
        Host host;
        host.name = p.source.host;
        const QString seedOs = !p.external && p.source.os.isEmpty() && isSeedToolFile(p.config, p.source.text)
            ? seedToolOs(p.config, p.source.text)
            : QString();
        host.os = !p.source.os.isEmpty() ? p.source.os
                : !seedOs.isEmpty()     ? seedOs
                : p.source.path.contains(QLatin1String("usr/local/etc/wireguard/")) ? QStringLiteral("FreeBSD")
                                                                                     : QStringLiteral("Linux");
        if (!seedOs.isEmpty())
            result.notes.append(QStringLiteral("%1: %2, as wireguardmeshgenerator writes that system's file (%3)")
                                    .arg(host.name, seedOs,
                                         seedOs == QLatin1String("OpenBSD") ? QStringLiteral("no Address, \"for OpenBSD here\"")
                                                                            : QStringLiteral("an IPv4 Address with /24")));
        host.meshInterface().name = p.source.interfaceName;
        if (p.external) {
            // Its mesh addresses: the host prefixes its peers route to it.
            host.publicKey = p.publicKeys.front();
            host.meshInterface().ip = hostPrefixesTo(i, false).value(0);
            host.meshInterface().ipv6 = hostPrefixesTo(i, true).value(0);
            if (host.meshInterface().ip.isEmpty())
                return fail(QStringLiteral("%1: peer %2… is none of the imported hosts, and no /32 in its AllowedIPs gives its mesh "
                                           "address: import its config too")
                                .arg(p.source.path, p.publicKeys.front().left(8)));
            project.hosts.append(host);
            continue;
        }
        if (p.isRouter()) {
            // Its interfaces' addresses come from the tunnel range; its own mesh address is
            // the one its peers route to it.
            RouterSettings router;
            router.interfacePerPeer = true;
            router.basePort = p.config.listenPort.value_or(router.basePort);
            const auto first = IpPrefix::parse(p.config.addresses.value(0).trimmed(), true);
            const int length = first && !first->address().isV6() && first->address().toString() != QLatin1String("0.0.0.0")
                ? rangeLength(first->address().offsetBy(quint32(-1)), int(p.interfaces.size()))
                : -1;
            if (length < 0)
                return fail(QStringLiteral("%1: a router's interfaces wg0, wg1, ... need consecutive IPv4 addresses, the first "
                                           "one after the start of a range")
                                .arg(p.source.path));
            router.tunnelRange = IpPrefix::parse(first->address().offsetBy(quint32(-1)).toString() + QLatin1Char('/') + QString::number(length));
            // What the rules write for each setting, as they write it; lines of another
            // hand are kept as written instead (below).
            const auto says = [&](const QRegularExpression &pattern) {
                return std::any_of(p.config.postUp.cbegin(), p.config.postUp.cend(), [&](const QString &line) { return pattern.match(line).hasMatch(); });
            };
            static const QRegularExpression route(QStringLiteral("^ip -[46] route replace \\S+ dev %i$"));
            static const QRegularExpression mss(QStringLiteral("^iptables -t mangle -A FORWARD -o %i -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS "));
            static const QRegularExpression forward(QStringLiteral("^sysctl -q -w net\\.ipv4\\.ip_forward=1$"));
            static const QRegularExpression nat(QStringLiteral("^nft .*table inet meshwright-%i .* masquerade; "));
            router.routes = p.config.table == QLatin1String("off") && says(route) ? RouterSettings::Routes::Explicit
                                                                                  : RouterSettings::Routes::FromAllowedIps;
            router.mssClamp = says(mss);
            router.forwarding = says(forward);
            router.nat = says(nat);
            if (p.config.mtu) {
                // The MTU says the uplink's less the outer headers, not which: 1420 reads as a
                // 1500 uplink with tunnels over IPv6, any other as tunnels over IPv4.
                router.outerIpv6 = TunnelMtu::mtu(1500, true) == *p.config.mtu;
                router.uplinkMtu = router.outerIpv6 ? 1500 : *p.config.mtu + (1500 - TunnelMtu::mtu(1500, false));
            }
            host.router = router;
            host.meshInterface().ip = mostCommon(hostPrefixesTo(i, false), first->address().toString());
            host.meshInterface().ipv6 = mostCommon(hostPrefixesTo(i, true), QString());
            result.notes.append(QStringLiteral("%1: a router with one interface per peer (wg0 to wg%2, tunnel range %3)")
                                    .arg(host.name)
                                    .arg(p.interfaces.size() - 1)
                                    .arg(router.tunnelRange->toString()));
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
        if (p.config.addresses.isEmpty()) {
            // No Address (OpenBSD sets it in hostname.wgN): the one address every peer that
            // lists the host routes to it alone.
            QString why;
            const auto inferred = meshAddressesFromPeers(i, &why);
            if (!inferred)
                return fail(why);
            host.meshInterface().ip = inferred->v4;
            host.meshInterface().ipv6 = inferred->v6;
            result.notes.append(QStringLiteral("%1: mesh address%2 %3 from its %4 peer%5")
                                    .arg(host.name, inferred->v6.isEmpty() ? QString() : QStringLiteral("es"),
                                         inferred->v6.isEmpty() ? inferred->v4 : inferred->v4 + QLatin1String(", ") + inferred->v6)
                                    .arg(inferred->peers)
                                    .arg(inferred->peers == 1 ? QString() : QStringLiteral("s")));
        }
        if (host.meshInterface().ip.isEmpty())
            return fail(QStringLiteral("%1: no IPv4 Address: every host needs an IPv4 address in the mesh").arg(p.source.path));
        host.meshInterface().mtu = p.config.mtu;
        project.hosts.append(host);
    }

    // Roles: how the others reach each host.
    for (qsizetype j = 0; j < count; ++j) {
        QStringList addresses;
        QStringList names; // endpoints by DNS name
        for (qsizetype i = 0; i < count; ++i) {
            const PeerConfig *peer = i == j ? nullptr : lists(i, j);
            QString address;
            if (!peer || peer->endpoint.isEmpty() || !splitEndpoint(peer->endpoint, &address, nullptr))
                continue;
            if (const auto ip = IpAddress::parse(address))
                addresses.append(ip->toString());
            else
                names.append(peer->endpoint);
        }
        Host &host = project.hosts[j];
        const auto reached = IpAddress::parse(parsed[j].source.reachedAt);
        if (addresses.isEmpty() && !names.isEmpty() && reached) {
            // Dialled by name only, and reached over SSH at an address: the site is there,
            // and each peer keeps dialling the name (a link's endpoint).
            SiteAddress site{QString(), reached->toString()};
            (isPrivate(*reached) ? host.lan : host.internet) = site;
            result.notes.append(QStringLiteral("%1: dialled as %2, reached at %3: %4 there").arg(host.name, names.front(), site.ip,
                                                                                               isPrivate(*reached) ? QStringLiteral("on a LAN") : QStringLiteral("an internet gateway")));
            continue;
        }
        if (addresses.isEmpty() && !parsed[j].external && parsed[j].config.listenPort && reached && isPrivate(*reached)) {
            // Nobody dials it, but it listens, at the LAN address it was reached at.
            host.lan = SiteAddress{QString(), reached->toString()};
            result.notes.append(QStringLiteral("%1: on a LAN at %2 (reached there; no peer dials it)").arg(host.name, host.lan->ip));
            continue;
        }
        if (addresses.isEmpty() && !names.isEmpty())
            result.notes.append(QStringLiteral("%1: dialled by name only (%2), and no config says its address: import it over SSH, "
                                               "or give it its internet address in the project")
                                    .arg(host.name, names.front()));
        if (addresses.isEmpty()) {
            const bool fullTunnel = std::any_of(parsed[j].config.peers.cbegin(), parsed[j].config.peers.cend(), [](const PeerConfig &peer) {
                return std::any_of(peer.allowedIps.cbegin(), peer.allowedIps.cend(), isDefaultRoute);
            });
            if (parsed[j].external)
                continue; // how it routes is its owner's
            host.gateway = fullTunnel;
            result.notes.append(QStringLiteral("%1: roaming (no peer dials it)%2").arg(host.name, fullTunnel ? QStringLiteral(", full tunnel") : QString()));
            if (parsed[j].config.listenPort && isSeedToolFile(parsed[j].config, parsed[j].source.text))
                result.notes.append(QStringLiteral("%1: keeps its ListenPort %2 (listen_port), as wireguardmeshgenerator gives every host one")
                                        .arg(host.name)
                                        .arg(*parsed[j].config.listenPort));
            else if (parsed[j].config.listenPort)
                result.notes.append(QStringLiteral("%1: listens on port %2 all the same, which it keeps (listen_port); if it is a LAN "
                                                   "host behind NAT, import it over SSH at its LAN address, or give it its lan address "
                                                   "in the project")
                                        .arg(host.name)
                                        .arg(*parsed[j].config.listenPort));
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

    // Domains, where wireguardmeshgenerator's comments name them: each peer of host j says
    // "j.SITE-DOMAIN as j.WG0-DOMAIN" (a roaming host's site domain is its wg0 domain).
    {
        static const QRegularExpression seedComment(QStringLiteral("^([^.\\s]+)\\.(\\S+) as \\1\\.(\\S+)$"));
        int named = 0;
        for (qsizetype j = 0; j < count; ++j) {
            QStringList sites;
            QStringList meshes;
            for (qsizetype i = 0; i < count; ++i) {
                const PeerConfig *peer = i == j ? nullptr : lists(i, j);
                const QRegularExpressionMatch match = peer && isSeedToolFile(parsed[i].config, parsed[i].source.text)
                    ? seedComment.match(peer->name)
                    : QRegularExpressionMatch();
                if (!match.hasMatch())
                    continue;
                sites.append(match.captured(2));
                meshes.append(match.captured(3));
            }
            if (meshes.isEmpty())
                continue;
            Host &host = project.hosts[j];
            if (host.meshInterface().domain.isEmpty() && FieldCheck::domainName(mostCommon(meshes, QString())).isEmpty())
                host.meshInterface().domain = mostCommon(meshes, QString());
            std::optional<SiteAddress> &site = host.internet ? host.internet : host.lan;
            if (site && site->domain.isEmpty() && FieldCheck::domainName(mostCommon(sites, QString())).isEmpty())
                site->domain = mostCommon(sites, QString());
            ++named;
        }
        if (named > 0)
            result.notes.append(QStringLiteral("the domains of %1 host(s) from wireguardmeshgenerator's comments").arg(named));
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
        // Every interface's key to its host's place, again after each move.
        const auto reindex = [&] {
            byKey.clear();
            for (qsizetype i = 0; i < count; ++i) {
                for (const QString &key : std::as_const(parsed[i].publicKeys))
                    byKey.insert(key, i);
            }
        };
        parsed = reordered;
        project.hosts = hosts;
        reindex();
        // A router numbers its interfaces in the order of its peers in the project: its
        // peers take the places they have among the hosts in the order of its interfaces.
        for (qsizetype r = 0; r < count; ++r) {
            if (!parsed[r].isRouter())
                continue;
            QList<qsizetype> peers; // in interface order
            for (const PeerConfig &peer : std::as_const(parsed[r].config.peers))
                peers.append(byKey.value(peer.publicKey));
            QList<qsizetype> places = peers;
            std::sort(places.begin(), places.end());
            QList<Parsed> moved = parsed;
            QList<Host> movedHosts = project.hosts;
            for (qsizetype k = 0; k < peers.size(); ++k) {
                moved[places[k]] = parsed[peers[k]];
                movedHosts[places[k]] = project.hosts[peers[k]];
            }
            parsed = moved;
            project.hosts = movedHosts;
            reindex();
        }
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

    // An IPv4 Address with the mesh subnet's length (a hub a web UI wrote, 10.8.0.1/24)
    // routes the subnet; FreeBSD's always does.
    for (qsizetype i = 0; i < count; ++i) {
        if (parsed[i].external || parsed[i].isRouter() || project.hosts[i].isFreeBsd() || project.hosts[i].isOpenBsd() || !project.network.ipv4)
            continue;
        for (const QString &text : std::as_const(parsed[i].config.addresses)) {
            const auto prefix = IpPrefix::parse(text.trimmed(), true);
            if (prefix && !prefix->address().isV6() && text.contains(QLatin1Char('/')) && prefix->length() == project.network.ipv4->length()
                && prefix->length() < 32)
                project.hosts[i].meshInterface().subnetRoute = true;
        }
    }

    // Ports and DNS: the most common as the defaults, the others per host.
    QList<int> ports;
    for (qsizetype i = 0; i < count; ++i) {
        if (!parsed[i].external && !parsed[i].isRouter() && project.hosts[i].role() != Host::Role::Roaming && parsed[i].config.listenPort)
            ports.append(*parsed[i].config.listenPort);
    }
    project.defaults.listenPort = mostCommon(ports, project.defaults.listenPort);
    QList<QStringList> dns;
    for (qsizetype i = 0; i < count; ++i) {
        const Host &host = project.hosts[i];
        if (host.role() != Host::Role::Roaming && !parsed[i].isRouter() && parsed[i].config.listenPort
            && *parsed[i].config.listenPort != project.defaults.listenPort)
            project.hosts[i].meshInterface().listenPort = parsed[i].config.listenPort;
        // A roaming host has no port of its own unless the project says one.
        if (host.role() == Host::Role::Roaming && !parsed[i].external && !parsed[i].isRouter())
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

    // Exits: a full-tunnel client's default route goes to one exit. Where its file gives
    // 0.0.0.0/0 to several, WireGuard held it on the last of them: that one stays the first
    // exit, so that the running route does not move.
    {
        const Planner defaults(project);
        for (qsizetype i = 0; i < count; ++i) {
            const Host &host = project.hosts[i];
            if (parsed[i].external || parsed[i].isRouter() || host.role() != Host::Role::Roaming || !host.gateway)
                continue;
            const InterfaceConfig held = WgQuick::effective(parsed[i].config);
            qsizetype holder = -1;
            for (const PeerConfig &peer : held.peers) {
                if (std::any_of(peer.allowedIps.cbegin(), peer.allowedIps.cend(), isDefaultRoute))
                    holder = byKey.value(peer.publicKey, -1);
            }
            QList<qsizetype> order = defaults.exitsOf(i);
            if (holder < 0 || !order.contains(holder) || order.front() == holder)
                continue;
            order.removeAll(holder);
            order.prepend(holder);
            QStringList names;
            for (const qsizetype exit : std::as_const(order))
                names.append(project.hosts[exit].name);
            project.hosts[i].exits = names;
            result.notes.append(QStringLiteral("%1: exits %2, in the order WireGuard used them (the last peer given 0.0.0.0/0 holds it)")
                                    .arg(host.name, names.join(QLatin1String(", "))));
        }
    }

    // Links: where the rules say otherwise, an override; the preshared keys.
    const Planner rules(project);
    for (qsizetype i = 0; i < count; ++i) {
        if (parsed[i].external)
            continue;
        for (const ParsedInterface &iface : std::as_const(parsed[i].interfaces)) {
            const QString id = parsed[i].isRouter() ? rules.keyIdFacing(i, byKey.value(iface.config.peers.front().publicKey))
                                                    : Planner::keyId(project.hosts[i]);
            result.keys.setPrivateKey(id, iface.config.privateKey);
        }
    }
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
                // A router that routes its peers itself gives each prefix a route; one it
                // does not is announced by BGP from the peer.
                const bool explicitRoutes = project.hosts[from].router && project.hosts[from].router->routes == RouterSettings::Routes::Explicit;
                const QStringList postUp = parsed[from].facing(parsed[to].publicKeys.front()).config.postUp;
                // A default route that another peer holds in WireGuard is no route of this one
                // (what WireGuard holds is worked out only for a peer with a default route).
                std::optional<QStringList> held;
                for (const QString &prefix : peer->allowedIps) {
                    if (isDefaultRoute(prefix)) {
                        if (!held) {
                            held = QStringList();
                            for (const PeerConfig &p : WgQuick::effective(parsed[from].facing(parsed[to].publicKeys.front()).config).peers) {
                                if (p.publicKey == peer->publicKey)
                                    held = p.allowedIps;
                            }
                        }
                        if (!held->contains(prefix))
                            continue;
                    }
                    const auto parsedPrefix = IpPrefix::parse(prefix.trimmed(), true);
                    const QString text = parsedPrefix ? parsedPrefix->toString() : prefix.trimmed();
                    if (planned.contains(text) || far.allowedIps.contains(text) || far.bgpPrefixes.contains(text))
                        continue;
                    const QString route = QStringLiteral(" route replace %1 dev ").arg(parsedPrefix ? parsedPrefix->network().toString() : text);
                    const bool routed = std::any_of(postUp.cbegin(), postUp.cend(), [&](const QString &line) { return line.contains(route); });
                    if (explicitRoutes && parsedPrefix && !parsedPrefix->isDefaultRoute() && !routed)
                        far.bgpPrefixes.append(text);
                    else
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
            const PresharedKey psk = ij ? ij->presharedKey : ji->presharedKey;
            if (ij && ji && ij->presharedKey != ji->presharedKey) {
                const ParsedInterface &iface = parsed[i].facing(ij->publicKey);
                result.losses.append({iface.source.path, iface.lines.peers.value(ij->publicKey),
                                      QStringLiteral("the preshared key with %1 differs from the one %1 has").arg(link.b)});
            }
            if (psk.isEmpty())
                link.presharedKey = false;
            else
                result.keys.setPresharedKey(rules.keyIdFacing(i, j), rules.keyIdFacing(j, i), psk.toBase64());
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
                    if (!end.bgpPrefixes.isEmpty())
                        what.append(QStringLiteral("%1 announces %2 by BGP").arg(name, end.bgpPrefixes.join(QLatin1String(", "))));
                }
                result.notes.append(QStringLiteral("link %1 - %2: %3").arg(link.a, link.b, what.join(QLatin1String("; "))));
            }
        }
    }

    // Inconsistencies the project keeps as they are, with their file and line.
    for (qsizetype i = 0; i < count; ++i) {
        for (const ParsedInterface &iface : std::as_const(parsed[i].interfaces)) {
            QHash<QString, QString> owner; // canonical prefix -> the peer that has it first
            for (const PeerConfig &peer : iface.config.peers) {
                const qsizetype j = byKey.value(peer.publicKey, -1);
                const int line = iface.lines.peers.value(peer.publicKey);
                const int allowedLine = iface.lines.peerKeys.value(peer.publicKey).value(QStringLiteral("allowedips"), line);
                const QString name = j >= 0 ? project.hosts[j].name : peer.publicKey.left(8);
                auto find = [&](int at, const QString &message) { result.findings.append({iface.source.path, at, message}); };
                if (j >= 0 && !parsed[j].external && !lists(j, i))
                    find(line, QStringLiteral("%1 lists %2 as a peer, but %2 does not list %1: the tunnel cannot come up")
                                   .arg(project.hosts[i].name, name));
                for (const QString &prefix : WgQuick::canonicalPrefixes(peer.allowedIps)) {
                    if (owner.contains(prefix))
                        find(allowedLine, QStringLiteral("peer %1: %2 is peer %3's too; WireGuard routes it to the last one only")
                                              .arg(name, prefix, owner.value(prefix)));
                    else
                        owner.insert(prefix, name);
                }
                QString host;
                const auto address = splitEndpoint(peer.endpoint, &host, nullptr) ? IpAddress::parse(host) : std::nullopt;
                for (const QString &text : peer.allowedIps) {
                    const auto prefix = IpPrefix::parse(text.trimmed(), true);
                    if (address && prefix && !prefix->isDefaultRoute() && prefix->contains(*address))
                        find(iface.lines.peerKeys.value(peer.publicKey).value(QStringLiteral("endpoint"), line),
                             QStringLiteral("peer %1: its endpoint %2 is inside its own AllowedIPs (%3): the tunnel would carry "
                                            "its own packets")
                                 .arg(name, peer.endpoint, prefix->toString()));
                }
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
            else if (!mtu && !parsed[i].external && !parsed[i].config.mtu && rule.tunnelMtu(i) > 0)
                mtu = 0; // the file leaves it to wg-quick where the rule would not
        }
    }

    // An exit gateway (or a forwarding router) whose files forward with lines of their own
    // (a web UI's iptables NAT) and not with the rules' does its own forwarding.
    {
        const Planner generated(project);
        for (qsizetype i = 0; i < count; ++i) {
            if (parsed[i].external || !generated.forwarding(i).any() || project.hosts[i].isOpenBsd() || project.hosts[i].isFreeBsd())
                continue;
            QStringList postUp;
            QStringList postDown;
            generated.forwardingLines(i, &postUp, &postDown);
            const QStringList &file = parsed[i].config.postUp;
            const bool ours = std::all_of(postUp.cbegin(), postUp.cend(), [&](const QString &line) { return file.contains(line); });
            if (!ours) {
                project.hosts[i].ownForwarding = true;
                result.notes.append(QStringLiteral("%1: forwards with lines of its own, which are kept; Meshwright adds no forwarding or NAT")
                                        .arg(project.hosts[i].name));
            }
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

    // The proof: every host planned again, each interface compared with its file as its
    // system reads both.
    const Planner planner(project);
    for (qsizetype i = 0; i < count; ++i) {
        if (parsed[i].external)
            continue; // no file to compare with: its owner's
        const QList<PlannedInterface> plannedAll = planner.planAll(i, result.keys);
        for (const ParsedInterface &file : std::as_const(parsed[i].interfaces)) {
            const auto planned = std::find_if(plannedAll.cbegin(), plannedAll.cend(), [&](const PlannedInterface &p) {
                return p.interfaceName == file.source.interfaceName;
            });
            if (planned == plannedAll.cend()) {
                result.losses.append({file.source.path, 0, QStringLiteral("the project gives %1 no interface %2")
                                                               .arg(project.hosts[i].name, file.source.interfaceName)});
                continue;
            }
            compare(file, asRead(*planned, file.source), project, byKey, &result.losses, &result.notes);
        }
        for (const PlannedInterface &planned : plannedAll) {
            if (std::none_of(parsed[i].interfaces.cbegin(), parsed[i].interfaces.cend(),
                             [&](const ParsedInterface &file) { return file.source.interfaceName == planned.interfaceName; }))
                lose(i, 0, QStringLiteral("the project adds interface %1").arg(planned.interfaceName));
        }
    }
    return result;
}

std::optional<PollTarget> parseSshTarget(const QString &text, QString *error)
{
    static const QRegularExpression pattern(QStringLiteral("^(?:([^@\\s:]+)@)?(?:\\[([0-9A-Fa-f:.]+)\\]|([A-Za-z0-9._-]+|[0-9A-Fa-f:]+))(?::(\\d+))?$"));
    QString spec = text.trimmed();
    QString name;
    if (const qsizetype equals = spec.indexOf(QLatin1Char('=')); equals > 0) {
        name = spec.left(equals);
        spec = spec.mid(equals + 1);
        if (!isValidHostName(name)) {
            if (error)
                *error = QStringLiteral("--ssh '%1': '%2' is not a host name").arg(text, name);
            return std::nullopt;
        }
    }
    // A bare IPv6 address (several colons, no brackets) has no port.
    const bool bareV6 = !spec.contains(QLatin1Char('[')) && spec.count(QLatin1Char(':')) > 1;
    const QRegularExpressionMatch match = bareV6 ? QRegularExpression(QStringLiteral("^(?:([^@\\s:]+)@)?()([0-9A-Fa-f:]+)()$")).match(spec)
                                                 : pattern.match(spec);
    if (!match.hasMatch()) {
        if (error)
            *error = QStringLiteral("--ssh '%1' is not [NAME=][USER@]HOST[:PORT]").arg(text);
        return std::nullopt;
    }
    PollTarget target;
    target.user = match.captured(1);
    target.address = match.captured(2).isEmpty() ? match.captured(3) : match.captured(2);
    if (!match.captured(4).isEmpty()) {
        const int port = match.captured(4).toInt();
        if (port < 1 || port > 65535) {
            if (error)
                *error = QStringLiteral("--ssh '%1': the port must be 1 to 65535").arg(text);
            return std::nullopt;
        }
        target.port = port;
    }
    target.host = name; // empty: the host's own name
    return target;
}

void recordSsh(Result &result, const QList<RemoteHost> &hosts)
{
    for (const RemoteHost &remote : hosts) {
        if (const qsizetype at = result.project.indexOf(remote.host); at >= 0)
            result.project.hosts[at].ssh = remote.ssh;
    }
}

} // namespace ConfigImport
