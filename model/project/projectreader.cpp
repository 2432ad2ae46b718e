// Reading a project file: wireguardmeshgenerator's format plus Meshwright's own keys, every
// value checked with its line.
#include "projectreader.h"

#include "fieldcheck.h"
#include "keybase64.h"
#include "projectcomments.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace ProjectReader {

namespace {

using ProjectComments::EndAnchor;
using ProjectComments::HostKeys;
using ProjectComments::TopKeys;

/// Thrown inside this file only; parse() turns it into a LoadError.
struct ReadFailure
{
    int line;
    QString message;
};

using Node = YamlTree::Node;

/// Reads the node tree into a Project, checking every value on the way.
class Reader
{
public:
    explicit Reader(QList<Diagnostic> *warnings)
        : m_warnings(warnings)
    {
    }

    Project read(const Node &root);
    /// Where keys stand, for anchoring comments.
    QList<ProjectComments::KeyPosition> keyPositions;

private:
    [[noreturn]] void fail(const Node &node, const QString &message) const
    {
        throw ReadFailure{node.line(), message};
    }
    void visit(const Node &node)
    {
        // Aliases share nodes, so a small file can reference one list many times; count
        // every visit so that such a file is refused rather than walked for minutes.
        if (++m_visited > ProjectFile::MaxNodes)
            fail(node, QStringLiteral("the document expands to more than %1 nodes (aliases?)")
                           .arg(ProjectFile::MaxNodes));
    }
    void expectMap(const Node &node, const QString &what) const
    {
        if (!node.isMap())
            fail(node, QStringLiteral("%1 must be a mapping of keys to values").arg(what));
    }
    QString scalar(const Node &node, const QString &what)
    {
        if (!node.isDefined() || node.isNull())
            return {};
        visit(node);
        if (!node.isScalar())
            fail(node, QStringLiteral("%1 must be a single value").arg(what));
        const QString value = node.text();
        if (hasControlCharacters(value))
            fail(node, QStringLiteral("%1 holds a line break or control character").arg(what));
        return value;
    }
    QString requiredScalar(const Node &map, const char *key, const QString &what)
    {
        const Node node = map[key];
        if (!node.isDefined() || node.isNull())
            fail(map, QStringLiteral("%1: missing '%2'").arg(what, QLatin1String(key)));
        const QString value = scalar(node, what + QLatin1Char('.') + QLatin1String(key));
        if (value.trimmed().isEmpty())
            fail(node, QStringLiteral("%1: '%2' is empty").arg(what, QLatin1String(key)));
        return value;
    }
    int integer(const Node &node, const QString &what, int min, int max)
    {
        const QString text = scalar(node, what);
        bool ok = false;
        const int value = text.toInt(&ok);
        if (!ok || value < min || value > max)
            fail(node, QStringLiteral("%1 must be a whole number from %2 to %3, not '%4'")
                           .arg(what)
                           .arg(min)
                           .arg(max)
                           .arg(text));
        return value;
    }
    double number(const Node &node, const QString &what)
    {
        const QString text = scalar(node, what);
        bool ok = false;
        const double value = text.toDouble(&ok);
        if (!ok || !qIsFinite(value) || qAbs(value) > 1e7)
            fail(node, QStringLiteral("%1 must be a number, not '%2'").arg(what, text));
        return value;
    }
    bool boolean(const Node &node, const QString &what)
    {
        const QString text = scalar(node, what).toLower();
        if (text == QLatin1String("true") || text == QLatin1String("yes") || text == QLatin1String("on"))
            return true;
        if (text == QLatin1String("false") || text == QLatin1String("no") || text == QLatin1String("off"))
            return false;
        fail(node, QStringLiteral("%1 must be true or false, not '%2'").arg(what, text));
    }
    QString address(const Node &map, const char *key, const QString &what, bool required,
                    IpAddress::Family family)
    {
        const Node node = map[key];
        if (!required && (!node.isDefined() || node.isNull()))
            return {};
        const QString text = required ? requiredScalar(map, key, what)
                                      : scalar(node, what + QLatin1Char('.') + QLatin1String(key));
        const auto parsed = IpAddress::parse(text);
        if (!parsed || (family != IpAddress::Family::None && parsed->family() != family))
            fail(node, QStringLiteral("%1: '%2' is not a valid %3 address")
                           .arg(what, text,
                                family == IpAddress::Family::V4   ? QStringLiteral("IPv4")
                                : family == IpAddress::Family::V6 ? QStringLiteral("IPv6")
                                                                  : QStringLiteral("IP")));
        return text.trimmed();
    }
    QStringList stringList(const Node &node, const QString &what)
    {
        QStringList result;
        if (node.isNull())
            return result;
        if (node.isScalar()) {
            for (const QString &part : scalar(node, what).split(QLatin1Char(','), Qt::SkipEmptyParts))
                result.append(part.trimmed());
            return result;
        }
        if (!node.isSequence())
            fail(node, QStringLiteral("%1 must be a list").arg(what));
        for (const Node item : node.items())
            result.append(scalar(item, what));
        return result;
    }

    /// A list of the project's hosts (\a names), each once.
    QStringList hostList(const Node &node, const QString &what, const QSet<QString> &names)
    {
        const QStringList result = stringList(node, what);
        for (qsizetype i = 0; i < result.size(); ++i) {
            if (!names.contains(result[i]))
                fail(node, QStringLiteral("%1: unknown host '%2'").arg(what, result[i]));
            if (result.indexOf(result[i]) < i)
                fail(node, QStringLiteral("%1: '%2' is listed twice").arg(what, result[i]));
        }
        return result;
    }
    void checkKeys(const Node &map, std::initializer_list<const char *> known,
                   const QString &host, const QString &where)
    {
        for (const auto &entry : map.entries()) {
            visit(entry.key);
            const std::string_view key = entry.key.scalar();
            const bool isKnown = std::any_of(known.begin(), known.end(),
                                             [&](const char *k) { return key == k; });
            if (isKnown || !m_warnings)
                continue;
            Diagnostic warning;
            warning.severity = Diagnostic::Severity::Warning;
            warning.host = host;
            warning.line = entry.key.line();
            warning.message = QStringLiteral("unknown key '%1'%2 at line %3; it is ignored and "
                                             "not kept when saving")
                                  .arg(entry.key.text(), where, QString::number(warning.line));
            m_warnings->append(warning);
        }
    }

    std::optional<SshSettings> readSsh(const Node &node, const QString &host);
    std::optional<SiteAddress> readSite(const Node &node, const QString &what, const QString &host);
    Interface readInterface(const Node &node, const QString &name, const QString &host);
    Host readHost(const Node &key, const Node &value);
    LinkSettings readLink(const Node &node, const Project &project);
    std::optional<RouterSettings> readRouter(const Node &node, const QString &host);

    QList<Diagnostic> *m_warnings;
    qint64 m_visited = 0;
};

std::optional<SshSettings> Reader::readSsh(const Node &node, const QString &host)
{
    if (!node.isDefined() || node.isNull())
        return std::nullopt;
    const QString what = host + QLatin1String(".ssh");
    expectMap(node, what);
    checkKeys(node, {"host", "identity", "user", "port", "conf_dir", "sudo_cmd", "reload_cmd"}, host, QStringLiteral(" in ssh"));
    SshSettings ssh;
    ssh.host = scalar(node["host"], what + QLatin1String(".host")).trimmed();
    ssh.identity = scalar(node["identity"], what + QLatin1String(".identity")).trimmed();
    static const QRegularExpression hostPattern(QStringLiteral("^[A-Za-z0-9.:_-]*$"));
    if (!hostPattern.match(ssh.host).hasMatch())
        fail(node["host"], QStringLiteral("%1.host: '%2' is not a host name or address").arg(what, ssh.host));
    ssh.user = scalar(node["user"], what + QLatin1String(".user")).trimmed();
    if (node["port"].isDefined() && !node["port"].isNull())
        ssh.port = integer(node["port"], what + QLatin1String(".port"), 1, 65535);
    if (node["conf_dir"].isDefined() && !node["conf_dir"].isNull())
        ssh.confDir = scalar(node["conf_dir"], what + QLatin1String(".conf_dir")).trimmed();
    ssh.sudoCmd = scalar(node["sudo_cmd"], what + QLatin1String(".sudo_cmd")).trimmed();
    ssh.reloadCmd = scalar(node["reload_cmd"], what + QLatin1String(".reload_cmd")).trimmed();
    if (const QString problem = FieldCheck::configFolder(ssh.confDir); !problem.isEmpty())
        fail(node["conf_dir"].isDefined() ? node["conf_dir"] : node, QStringLiteral("%1.conf_dir: %2").arg(what, problem));

    return ssh;
}

std::optional<SiteAddress> Reader::readSite(const Node &node, const QString &what,
                                            const QString &host)
{
    if (!node.isDefined() || node.isNull())
        return std::nullopt;
    expectMap(node, what);
    checkKeys(node, {"domain", "ip"}, host, QStringLiteral(" in ") + what.section(QLatin1Char('.'), -1));
    SiteAddress site;
    site.domain = scalar(node["domain"], what + QLatin1String(".domain")).trimmed();
    // Without an address, a host with a domain is dialled by name (NAME.DOMAIN: dynamic DNS).
    const bool byName = !site.domain.isEmpty() && (!node["ip"].isDefined() || node["ip"].isNull());
    site.ip = address(node, "ip", what, !byName, IpAddress::Family::None);
    return site;
}

Interface Reader::readInterface(const Node &node, const QString &name, const QString &host)
{
    const QString what = host + QLatin1Char('.') + name;
    expectMap(node, what);
    checkKeys(node, {"domain", "ip", "ipv6", "listen_port", "mtu", "pre_up", "post_up", "pre_down", "post_down", "table", "fwmark", "save_config",
                     "subnet_route"},
              host, QStringLiteral(" in ") + name);
    Interface iface;
    iface.name = name;
    iface.domain = scalar(node["domain"], what + QLatin1String(".domain")).trimmed();
    iface.ip = address(node, "ip", what, true, IpAddress::Family::V4);
    iface.ipv6 = address(node, "ipv6", what, false, IpAddress::Family::V6);
    if (node["listen_port"].isDefined() && !node["listen_port"].isNull())
        iface.listenPort = integer(node["listen_port"], what + QLatin1String(".listen_port"), 1, 65535);
    if (node["mtu"].isDefined() && !node["mtu"].isNull()) {
        // auto: no MTU line at all, wg-quick (or the app) picks it, whatever the rule says
        iface.mtu = node["mtu"].isScalar() && node["mtu"].scalar() == "auto" ? 0 : integer(node["mtu"], what + QLatin1String(".mtu"), 1280, 9000);
    }
    for (const auto &[key, lines] : {std::pair("pre_up", &iface.preUp), std::pair("post_up", &iface.postUp),
                                     std::pair("pre_down", &iface.preDown), std::pair("post_down", &iface.postDown)}) {
        const Node list = node[key];
        if (!list.isDefined() || list.isNull())
            continue;
        *lines = stringList(list, what + QLatin1Char('.') + QLatin1String(key));
        for (const QString &command : std::as_const(*lines)) {
            if (!isSafeConfigValue(command))
                fail(list, QStringLiteral("%1.%2: a command may not hold '#' or control characters").arg(what, QLatin1String(key)));
        }
    }
    if (node["table"].isDefined() && !node["table"].isNull()) {
        iface.table = scalar(node["table"], what + QLatin1String(".table")).trimmed();
        static const QRegularExpression table(QStringLiteral("^[A-Za-z0-9_-]+$"));
        if (!table.match(iface.table).hasMatch())
            fail(node["table"], QStringLiteral("%1.table: '%2' is not off, auto or a routing table").arg(what, iface.table));
    }
    if (node["fwmark"].isDefined() && !node["fwmark"].isNull()) {
        bool ok = false;
        const uint mark = scalar(node["fwmark"], what + QLatin1String(".fwmark")).trimmed().toUInt(&ok, 0);
        if (!ok)
            fail(node["fwmark"], QStringLiteral("%1.fwmark must be a number (decimal or 0x…)").arg(what));
        iface.fwMark = mark;
    }
    if (node["save_config"].isDefined())
        iface.saveConfig = boolean(node["save_config"], what + QLatin1String(".save_config"));
    if (node["subnet_route"].isDefined())
        iface.subnetRoute = boolean(node["subnet_route"], what + QLatin1String(".subnet_route"));
    return iface;
}

Host Reader::readHost(const Node &key, const Node &value)
{
    Host host;
    host.name = scalar(key, QStringLiteral("host name"));
    if (const QString problem = FieldCheck::hostName(host.name); !problem.isEmpty())
        fail(key, QStringLiteral("'%1' is not a valid host name: %2").arg(host.name, problem));
    keyPositions.append({key.line(), key.column(), host.name, QString()});
    expectMap(value, QStringLiteral("host '%1'").arg(host.name));
    checkKeys(value, {"os", "ssh", "lan", "internet", "site", "wg0", "exclude_peers", "exits", "gateway", "nat", "egress", "own_forwarding", "public_key", "position",
                      "router", "kubernetes"},
              host.name, QString());
    for (const auto &entry : value.entries()) {
        // Comments anchor to keys a save writes back; unknown keys are not kept.
        if (entry.key.isScalar() && HostKeys.contains(entry.key.text()))
            keyPositions.append({entry.key.line(), entry.key.column(), host.name,
                                 entry.key.text()});
    }
    if (value["os"].isDefined() && !value["os"].isNull()) {
        host.os = scalar(value["os"], host.name + QLatin1String(".os")).trimmed();
        if (!isSafeConfigValue(host.os))
            fail(value["os"], QStringLiteral("%1.os holds a '#'").arg(host.name));
    }
    if (value["public_key"].isDefined() && !value["public_key"].isNull()) {
        host.publicKey = scalar(value["public_key"], host.name + QLatin1String(".public_key")).trimmed();
        if (!KeyBase64::isValid(host.publicKey))
            fail(value["public_key"], QStringLiteral("%1.public_key is not a WireGuard key (44 characters of base64)").arg(host.name));
    }
    host.ssh = readSsh(value["ssh"], host.name);
    host.lan = readSite(value["lan"], host.name + QLatin1String(".lan"), host.name);
    host.internet = readSite(value["internet"], host.name + QLatin1String(".internet"), host.name);
    if (value["site"].isDefined() && !value["site"].isNull()) {
        host.site = scalar(value["site"], host.name + QLatin1String(".site")).trimmed();
        if (const QString problem = FieldCheck::hostName(host.site); !problem.isEmpty())
            fail(value["site"], QStringLiteral("%1.site: '%2' is not a valid site name: %3").arg(host.name, host.site, problem));
    }
    if (!value["wg0"].isDefined() || value["wg0"].isNull())
        fail(key, QStringLiteral("host '%1' has no 'wg0' section (its WireGuard interface)").arg(host.name));
    host.interfaces = {readInterface(value["wg0"], QStringLiteral("wg0"), host.name)};
    if (const Node excluded = value["exclude_peers"]; excluded.isDefined()) {
        host.excludePeers = stringList(excluded, host.name + QLatin1String(".exclude_peers"));
    }
    if (const Node exits = value["exits"]; exits.isDefined() && !exits.isNull())
        host.exits = stringList(exits, host.name + QLatin1String(".exits"));
    if (value["gateway"].isDefined() && !value["gateway"].isNull())
        host.gateway = boolean(value["gateway"], host.name + QLatin1String(".gateway"));
    if (value["nat"].isDefined() && !value["nat"].isNull())
        host.nat = boolean(value["nat"], host.name + QLatin1String(".nat"));
    if (value["own_forwarding"].isDefined())
        host.ownForwarding = boolean(value["own_forwarding"], host.name + QLatin1String(".own_forwarding"));
    if (value["egress"].isDefined() && !value["egress"].isNull()) {
        host.egress = scalar(value["egress"], host.name + QLatin1String(".egress")).trimmed();
        if (!isValidInterfaceName(host.egress))
            fail(value["egress"], QStringLiteral("%1.egress: '%2' is not an interface name (up to 15 letters, digits, '_', '.', '-')")
                                      .arg(host.name, host.egress));
    }
    const Node position = value["position"];
    if (position.isDefined() && !position.isNull()) {
        expectMap(position, host.name + QLatin1String(".position"));
        if (!position["x"].isDefined() || !position["y"].isDefined())
            fail(position, QStringLiteral("%1.position needs x and y").arg(host.name));
        host.position = QPointF(number(position["x"], host.name + QLatin1String(".position.x")),
                                number(position["y"], host.name + QLatin1String(".position.y")));
    }
    host.router = readRouter(value["router"], host.name);
    const Node kubernetes = value["kubernetes"];
    if (kubernetes.isDefined() && !kubernetes.isNull()) {
        expectMap(kubernetes, host.name + QLatin1String(".kubernetes"));
        checkKeys(kubernetes, {"node"}, host.name, QStringLiteral(" in kubernetes"));
        host.kubernetesNode = scalar(kubernetes["node"], host.name + QLatin1String(".kubernetes.node")).trimmed();
        if (host.kubernetesNode.isEmpty())
            host.kubernetesNode = host.name;
        if (!isValidHostName(host.kubernetesNode))
            fail(kubernetes, QStringLiteral("%1.kubernetes.node: '%2' is not a valid node name").arg(host.name, host.kubernetesNode));
    }
    return host;
}

std::optional<RouterSettings> Reader::readRouter(const Node &node, const QString &host)
{
    if (!node.isDefined() || node.isNull())
        return std::nullopt;
    const QString what = host + QLatin1String(".router");
    expectMap(node, what);
    checkKeys(node, {"interface_per_peer", "base_port", "tunnel_range", "routes", "uplink_mtu", "outer", "mss_clamp",
                     "forwarding", "nat"},
              host, QStringLiteral(" in router"));
    RouterSettings router;
    auto flag = [&](const char *key, bool *out) {
        if (node[key].isDefined() && !node[key].isNull())
            *out = boolean(node[key], what + QLatin1Char('.') + QLatin1String(key));
    };
    flag("interface_per_peer", &router.interfacePerPeer);
    flag("mss_clamp", &router.mssClamp);
    flag("forwarding", &router.forwarding);
    flag("nat", &router.nat);
    if (node["base_port"].isDefined())
        router.basePort = integer(node["base_port"], what + QLatin1String(".base_port"), 1, 65000);
    if (node["uplink_mtu"].isDefined())
        router.uplinkMtu = integer(node["uplink_mtu"], what + QLatin1String(".uplink_mtu"), 1280, 9000);
    if (node["tunnel_range"].isDefined() && !node["tunnel_range"].isNull()) {
        const QString text = scalar(node["tunnel_range"], what + QLatin1String(".tunnel_range"));
        const auto range = IpPrefix::parse(text);
        if (!range || !range->address().isV4())
            fail(node["tunnel_range"], QStringLiteral("%1.tunnel_range: '%2' is not an IPv4 prefix").arg(what, text));
        router.tunnelRange = range->network();
    }
    if (node["routes"].isDefined()) {
        const QString routes = scalar(node["routes"], what + QLatin1String(".routes")).trimmed();
        if (routes == QLatin1String("explicit"))
            router.routes = RouterSettings::Routes::Explicit;
        else if (routes != QLatin1String("allowed_ips"))
            fail(node["routes"], QStringLiteral("%1.routes must be allowed_ips or explicit, not '%2'").arg(what, routes));
    }
    if (node["outer"].isDefined()) {
        const QString outer = scalar(node["outer"], what + QLatin1String(".outer")).trimmed();
        if (outer != QLatin1String("ipv4") && outer != QLatin1String("ipv6"))
            fail(node["outer"], QStringLiteral("%1.outer must be ipv4 or ipv6, not '%2'").arg(what, outer));
        router.outerIpv6 = outer == QLatin1String("ipv6");
    }
    if (router.interfacePerPeer && !router.tunnelRange)
        fail(node, QStringLiteral("%1: interface_per_peer needs a tunnel_range for the interfaces' addresses").arg(what));
    return router;
}

LinkSettings Reader::readLink(const Node &node, const Project &project)
{
    expectMap(node, QStringLiteral("a link"));
    checkKeys(node, {"hosts", "keepalive", "preshared_key", "endpoint", "allowed_ips", "bgp_prefixes", "encrypt_public_address", "relay"},
              QString(), QStringLiteral(" in links"));
    const Node hosts = node["hosts"];
    if (!hosts.isDefined())
        fail(node, QStringLiteral("a link needs 'hosts: [A, B]'"));
    const QStringList names = stringList(hosts, QStringLiteral("links.hosts"));
    if (names.size() != 2 || names[0] == names[1])
        fail(hosts, QStringLiteral("a link joins exactly two different hosts"));
    for (const QString &name : names) {
        if (project.indexOf(name) < 0)
            fail(hosts, QStringLiteral("link to unknown host '%1'").arg(name));
    }
    LinkSettings link;
    link.a = names[0];
    link.b = names[1];
    const QString what = QStringLiteral("link %1-%2").arg(link.a, link.b);
    if (node["keepalive"].isDefined())
        link.keepalive = integer(node["keepalive"], what + QLatin1String(" keepalive"), 0, 65535);
    if (node["preshared_key"].isDefined())
        link.presharedKey = boolean(node["preshared_key"], what + QLatin1String(" preshared_key"));
    auto perHost = [&](const char *key, auto store) {
        const Node map = node[key];
        if (!map.isDefined() || map.isNull())
            return;
        expectMap(map, what + QLatin1Char(' ') + QLatin1String(key));
        for (const auto &entry : map.entries()) {
            const QString host = scalar(entry.key, what + QLatin1Char(' ') + QLatin1String(key));
            if (host != link.a && host != link.b)
                fail(entry.key, QStringLiteral("%1: '%2' is not one of its two hosts").arg(what, host));
            store(link.end(host), entry.value);
        }
    };
    perHost("endpoint", [&](LinkEnd &end, const Node &value) {
        const QString endpoint = scalar(value, what + QLatin1String(" endpoint")).trimmed();
        if (const QString problem = FieldCheck::endpoint(endpoint); !problem.isEmpty() || endpoint.isEmpty())
            fail(value, QStringLiteral("%1: endpoint %2").arg(what, endpoint.isEmpty() ? QStringLiteral("is empty") : problem));
        end.endpoint = endpoint;
    });
    auto prefixList = [&](const Node &value, const char *key) {
        QStringList prefixes = stringList(value, what + QLatin1Char(' ') + QLatin1String(key));
        for (QString &prefix : prefixes) {
            const auto parsed = IpPrefix::parse(prefix, true);
            if (!parsed)
                fail(value, QStringLiteral("%1: '%2' is not an address prefix").arg(what, prefix));
            prefix = parsed->toString();
        }
        return prefixes;
    };
    perHost("allowed_ips", [&](LinkEnd &end, const Node &value) { end.allowedIps = prefixList(value, "allowed_ips"); });
    perHost("bgp_prefixes", [&](LinkEnd &end, const Node &value) { end.bgpPrefixes = prefixList(value, "bgp_prefixes"); });
    if (node["encrypt_public_address"].isDefined())
        link.encryptPublicAddress = boolean(node["encrypt_public_address"], what + QLatin1String(" encrypt_public_address"));
    if (node["relay"].isDefined() && !node["relay"].isNull()) {
        link.relay = scalar(node["relay"], what + QLatin1String(" relay")).trimmed();
        if (project.indexOf(link.relay) < 0)
            fail(node["relay"], QStringLiteral("%1: relay '%2' is not a host of the project").arg(what, link.relay));
        if (link.relay == link.a || link.relay == link.b)
            fail(node["relay"], QStringLiteral("%1: a link cannot be relayed by one of its own ends").arg(what));
    }
    return link;
}

Project Reader::read(const Node &root)
{
    if (!root.isDefined() || root.isNull())
        throw ReadFailure{1, QStringLiteral("the file is empty")};
    expectMap(root, QStringLiteral("the project"));
    checkKeys(root, {"hosts", "defaults", "network", "sites", "links"}, QString(), QString());
    for (const auto &entry : root.entries()) {
        if (entry.key.isScalar() && TopKeys.contains(entry.key.text()))
            keyPositions.append({entry.key.line(), entry.key.column(), QString(),
                                 entry.key.text()});
    }
    Project project;
    const Node hosts = root["hosts"];
    if (!hosts.isDefined())
        fail(root, QStringLiteral("missing 'hosts'"));
    expectMap(hosts, QStringLiteral("hosts"));
    QSet<QString> names;
    QHash<QString, Node> excludeNodes;
    QHash<QString, Node> exitNodes;
    for (const auto &entry : hosts.entries()) {
        Host host = readHost(entry.key, entry.value);
        if (names.contains(host.name))
            fail(entry.key, QStringLiteral("host '%1' is defined twice").arg(host.name));
        names.insert(host.name);
        excludeNodes.insert(host.name, entry.value["exclude_peers"]);
        exitNodes.insert(host.name, entry.value["exits"]);
        project.hosts.append(std::move(host));
    }
    if (project.hosts.isEmpty())
        fail(hosts, QStringLiteral("'hosts' lists no host"));
    for (const Host &host : std::as_const(project.hosts)) {
        for (const QString &peer : host.excludePeers) {
            if (!names.contains(peer))
                fail(excludeNodes.value(host.name),
                     QStringLiteral("%1.exclude_peers: unknown host '%2'").arg(host.name, peer));
        }
        for (const QString &exit : host.exits) {
            if (!names.contains(exit))
                fail(exitNodes.value(host.name), QStringLiteral("%1.exits: unknown host '%2'").arg(host.name, exit));
        }
    }

    const Node defaults = root["defaults"];
    if (defaults.isDefined() && !defaults.isNull()) {
        expectMap(defaults, QStringLiteral("defaults"));
        checkKeys(defaults, {"listen_port", "keepalive", "dns", "hosts_file", "failover_hold_down", "relays"}, QString(), QStringLiteral(" in defaults"));
        if (defaults["relays"].isDefined() && !defaults["relays"].isNull())
            project.defaults.relays = hostList(defaults["relays"], QStringLiteral("defaults.relays"), names);
        if (defaults["hosts_file"].isDefined() && !defaults["hosts_file"].isNull())
            project.defaults.hostsFile = boolean(defaults["hosts_file"], QStringLiteral("defaults.hosts_file"));
        if (defaults["listen_port"].isDefined())
            project.defaults.listenPort = integer(defaults["listen_port"], QStringLiteral("defaults.listen_port"), 1, 65535);
        if (defaults["failover_hold_down"].isDefined())
            project.defaults.failoverHoldDown = integer(defaults["failover_hold_down"], QStringLiteral("defaults.failover_hold_down"), 5, 86400);
        if (defaults["keepalive"].isDefined())
            project.defaults.keepalive = integer(defaults["keepalive"], QStringLiteral("defaults.keepalive"), 0, 65535);
        if (defaults["dns"].isDefined()) {
            project.defaults.dns = stringList(defaults["dns"], QStringLiteral("defaults.dns"));
            for (const QString &server : std::as_const(project.defaults.dns)) {
                if (!IpAddress::parse(server))
                    fail(defaults["dns"], QStringLiteral("defaults.dns: '%1' is not an IP address").arg(server));
            }
        }
    }
    const Node network = root["network"];
    if (network.isDefined() && !network.isNull()) {
        expectMap(network, QStringLiteral("network"));
        checkKeys(network, {"ipv4", "ipv6"}, QString(), QStringLiteral(" in network"));
        auto subnet = [&](const char *key, IpAddress::Family family) -> std::optional<IpPrefix> {
            const Node node = network[key];
            if (!node.isDefined() || node.isNull())
                return std::nullopt;
            const QString text = scalar(node, QStringLiteral("network.") + QLatin1String(key));
            const auto prefix = IpPrefix::parse(text);
            if (!prefix || prefix->address().family() != family)
                fail(node, QStringLiteral("network.%1: '%2' is not an %3 prefix (ADDRESS/LENGTH)")
                               .arg(QLatin1String(key), text,
                                    family == IpAddress::Family::V4 ? QStringLiteral("IPv4")
                                                                    : QStringLiteral("IPv6")));
            return prefix->network();
        };
        project.network.ipv4 = subnet("ipv4", IpAddress::Family::V4);
        project.network.ipv6 = subnet("ipv6", IpAddress::Family::V6);
    }
    const Node sites = root["sites"];
    if (sites.isDefined() && !sites.isNull()) {
        expectMap(sites, QStringLiteral("sites"));
        for (const auto &entry : sites.entries()) {
            SiteSettings site;
            site.name = scalar(entry.key, QStringLiteral("a site's name"));
            if (const QString problem = FieldCheck::hostName(site.name); !problem.isEmpty())
                fail(entry.key, QStringLiteral("'%1' is not a valid site name: %2").arg(site.name, problem));
            if (project.siteSettings(site.name))
                fail(entry.key, QStringLiteral("site '%1' is listed twice").arg(site.name));
            const QString what = QStringLiteral("sites.") + site.name;
            if (!entry.value.isNull()) {
                expectMap(entry.value, what);
                checkKeys(entry.value, {"relays"}, QString(), QStringLiteral(" in ") + what);
                if (entry.value["relays"].isDefined() && !entry.value["relays"].isNull())
                    site.relays = hostList(entry.value["relays"], what + QLatin1String(".relays"), names);
            }
            project.sites.append(site);
        }
    }
    const Node links = root["links"];
    if (links.isDefined() && !links.isNull()) {
        if (!links.isSequence())
            fail(links, QStringLiteral("links must be a list"));
        for (const Node node : links.items()) {
            LinkSettings link = readLink(node, project);
            if (project.linkSettings(link.a, link.b))
                fail(node, QStringLiteral("the link %1-%2 is listed twice").arg(link.a, link.b));
            project.links.append(std::move(link));
        }
    }
    return project;
}

} // namespace

std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, ProjectFile::LoadError *error,
                             QList<Diagnostic> *warnings, QList<int> *commentLines, QList<int> *lineEndComments,
                             YamlTree::Reader yamlReader)
{
    auto failWith = [&](int line, const QString &message) -> std::optional<Project> {
        if (error)
            *error = ProjectFile::LoadError{fileName, line, message};
        return std::nullopt;
    };
    if (yaml.size() > ProjectFile::MaxFileSize)
        return failWith(0, QStringLiteral("the file is larger than %1 MiB; not a project file")
                               .arg(ProjectFile::MaxFileSize / (1024 * 1024)));
    if (yaml.contains('\0'))
        return failWith(0, QStringLiteral("the file holds binary data; not a project file"));
    try {
        YamlTree::Error yamlError;
        const auto tree = YamlTree::read(std::string_view(yaml.constData(), size_t(yaml.size())),
                                         {ProjectFile::MaxDepth, ProjectFile::MaxNodes}, &yamlError, yamlReader);
        if (!tree)
            return failWith(yamlError.line, yamlError.message);
        QList<Diagnostic> found;
        Reader reader(&found);
        Project project = reader.read(tree->root());
        ProjectComments::collect(yaml, reader.keyPositions, &project, commentLines, lineEndComments);
        ProjectComments::sort(&project, commentLines);
        for (const int line : std::as_const(*lineEndComments)) {
            Diagnostic warning;
            warning.severity = Diagnostic::Severity::Warning;
            warning.line = line;
            warning.message = QStringLiteral("the comment at the end of line %1 is not kept when "
                                             "saving; put it on a line of its own")
                                  .arg(line);
            found.append(warning);
        }
        if (warnings)
            *warnings += found;
        return project;
    } catch (const ReadFailure &failure) {
        return failWith(failure.line, failure.message);
    }
}

} // namespace ProjectReader
