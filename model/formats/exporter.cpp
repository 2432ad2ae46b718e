// Exporting a project for routers and clusters: EdgeOS/VyOS command scripts, Kubernetes manifests.
#include "exporter.h"

#include "generation.h"
#include "keystore.h"
#include "planner.h"

#include <QRegularExpression>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace Exporter {

namespace {

// ---------------------------------------------------------------------------------------
// Router command scripts
// ---------------------------------------------------------------------------------------

/// \a value as one word of a vbash command line: as it is when it holds nothing the shell
/// would act on, else in single quotes.
QString shellWord(const QString &value)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:+=@,%-]+$"));
    if (plain.match(value).hasMatch())
        return value;
    return QLatin1Char('\'') + QString(value).replace(QLatin1String("'"), QLatin1String("'\\''")) + QLatin1Char('\'');
}

/// \a value in single quotes, always (descriptions, as the routers print them).
QString quoted(const QString &value)
{
    return QLatin1Char('\'') + QString(value).replace(QLatin1String("'"), QLatin1String("'\\''")) + QLatin1Char('\'');
}

/// One interface as a router script configures it.
struct RouterInterface
{
    QString name;        ///< wgN: EdgeOS and VyOS accept no other WireGuard interface names
    QString plannedName; ///< the interface's name in the project
    QStringList addresses; ///< with prefix length, which both routers require
    InterfaceConfig config;
    /// Per peer (same order as config.peers): the prefixes that get a static route.
    QList<QList<IpPrefix>> routes;
    int mtu = 0; ///< the tunnel MTU of a router, for MSS clamping
};

/// What a router script needs of one host, taken from its planned interfaces.
struct RouterHost
{
    const Host *host = nullptr;
    QList<RouterInterface> interfaces;
    bool explicitRoutes = false;
    bool mssClamp = false;
    bool outerIpv6 = false;
};

/// Firewall rules accepting every interface's listen port, numbered from 20, in the chain
/// \a chain (a "%1" for the rule number) and, when given, \a chain6 for IPv6.
QStringList portRules(const QList<RouterInterface> &interfaces, const QString &chain, const QString &chain6)
{
    QStringList rules;
    int rule = 20;
    for (const RouterInterface &iface : interfaces) {
        if (!iface.config.listenPort)
            continue;
        for (const QString &base : {chain, chain6}) {
            if (base.isEmpty())
                continue;
            const QString set = base.arg(rule);
            rules << set + QLatin1String("action accept") << set + QLatin1String("protocol udp")
                  << set + QLatin1String("destination port ") + QString::number(*iface.config.listenPort)
                  << set + QLatin1String("description ") + quoted(QLatin1String("WireGuard ") + iface.name);
        }
        ++rule;
    }
    return rules;
}

/// \a address with a host prefix length when it has none (wg-quick takes a bare address
/// as a host address; the routers want the length).
QString withPrefixLength(const QString &address)
{
    if (address.contains(QLatin1Char('/')))
        return address;
    const auto parsed = IpAddress::parse(address);
    return address + QLatin1Char('/') + QString::number(parsed && parsed->isV6() ? 128 : 32);
}

RouterHost routerHost(const Project &project, KeyStore &keys, qsizetype index, Format format)
{
    const Host &host = project.hosts[index];
    RouterHost result;
    result.host = &host;
    if (host.router) {
        result.explicitRoutes = host.router->routes == RouterSettings::Routes::Explicit;
        result.mssClamp = host.router->mssClamp;
        result.outerIpv6 = host.router->outerIpv6;
    }
    // EdgeOS routes AllowedIPs itself unless told not to; VyOS never does.
    const bool staticRoutes = format == Format::VyOs || result.explicitRoutes;
    static const QRegularExpression routerName(QStringLiteral("^wg\\d+$"));
    const QList<PlannedInterface> planned = Generation::planHost(project, keys, index);
    const Planner planner(project);
    for (qsizetype i = 0; i < planned.size(); ++i) {
        const PlannedInterface &p = planned[i];
        RouterInterface iface;
        iface.plannedName = p.interfaceName;
        iface.name = routerName.match(p.interfaceName).hasMatch() ? p.interfaceName : QStringLiteral("wg%1").arg(i);
        iface.config = p.config;
        QStringList addresses = p.config.addresses;
        if (addresses.isEmpty()) { // OpenBSD keeps its addresses out of wg0.conf
            if (p.ipv4Address)
                addresses.append(*p.ipv4Address);
            if (p.ipv6Address)
                addresses.append(*p.ipv6Address);
        }
        for (const QString &address : std::as_const(addresses))
            iface.addresses.append(withPrefixLength(address));
        for (const PeerConfig &peer : std::as_const(p.config.peers))
            iface.routes.append(staticRoutes ? planner.staticRoutes(index, project.indexOf(peer.name), result.explicitRoutes) : QList<IpPrefix>());
        if (host.router)
            iface.mtu = p.config.mtu.value_or(TunnelMtu::mtu(host.router->uplinkMtu, host.router->outerIpv6));
        result.interfaces.append(iface);
    }
    return result;
}

/// A script's first lines: what it is and how to run it.
void appendHeader(QStringList &lines, const RouterHost &router, const QString &system)
{
    const QString file = router.host->name + QLatin1String(".sh");
    lines << QStringLiteral("# %1: WireGuard on %2 for %3, generated by Meshwright.").arg(file, system, router.host->name)
          << QStringLiteral("# Edits here are overwritten; change the project instead.")
          << QStringLiteral("# It holds private keys: keep it readable by you alone, and delete it from the router after use.")
          << QStringLiteral("# Run it on the router as a user of group vyattacfg (the admin login):")
          << QStringLiteral("#   vbash -c 'source /opt/vyatta/etc/functions/script-template; source ./%1'").arg(file)
          << QStringLiteral("# or paste its lines from 'configure' on into an SSH session.");
    QStringList summary;
    for (const RouterInterface &iface : router.interfaces) {
        QStringList peers;
        for (const PeerConfig &peer : iface.config.peers)
            peers.append(peer.name);
        summary.append(QStringLiteral("%1 (%2)").arg(iface.name, peers.join(QLatin1String(", "))));
    }
    lines << QStringLiteral("# Interfaces: %1.").arg(summary.join(QLatin1String("; ")));
    for (const RouterInterface &iface : router.interfaces) {
        if (iface.name != iface.plannedName)
            lines << QStringLiteral("# %1 is called %2 here: %3 names WireGuard interfaces wgN.")
                         .arg(iface.plannedName, iface.name, system);
    }
}

QByteArray edgeOsScript(const RouterHost &router)
{
    QStringList lines;
    appendHeader(lines, router, QStringLiteral("EdgeOS (the wireguard-vyatta-ubnt package)"));
    lines << QStringLiteral("configure");
    for (const RouterInterface &iface : router.interfaces) {
        const QString set = QLatin1String("set interfaces wireguard ") + iface.name + QLatin1Char(' ');
        lines << QString();
        for (const QString &address : iface.addresses)
            lines << set + QLatin1String("address ") + shellWord(address);
        if (iface.config.listenPort)
            lines << set + QLatin1String("listen-port ") + QString::number(*iface.config.listenPort);
        // Explicit routing: the router's own table (static routes below, BGP) decides.
        lines << set + QLatin1String("route-allowed-ips ") + QLatin1String(router.explicitRoutes ? "false" : "true");
        if (iface.config.mtu)
            lines << set + QLatin1String("mtu ") + QString::number(*iface.config.mtu);
        lines << set + QLatin1String("private-key ") + shellWord(iface.config.privateKey);
        for (const PeerConfig &peer : iface.config.peers) {
            const QString setPeer = set + QLatin1String("peer ") + shellWord(peer.publicKey) + QLatin1Char(' ');
            if (!peer.endpoint.isEmpty())
                lines << setPeer + QLatin1String("endpoint ") + shellWord(peer.endpoint);
            for (const QString &prefix : peer.allowedIps)
                lines << setPeer + QLatin1String("allowed-ips ") + shellWord(prefix);
            if (!peer.presharedKey.isEmpty())
                lines << setPeer + QLatin1String("preshared-key ") + shellWord(peer.presharedKey);
            if (peer.persistentKeepalive > 0)
                lines << setPeer + QLatin1String("persistent-keepalive ") + QString::number(peer.persistentKeepalive);
            lines << setPeer + QLatin1String("description ") + quoted(peer.name);
        }
    }

    const QStringList firewall = portRules(router.interfaces, QStringLiteral("set firewall name WAN_LOCAL rule %1 "),
                                           router.outerIpv6 ? QStringLiteral("set firewall ipv6-name WAN6_LOCAL rule %1 ") : QString());
    if (!firewall.isEmpty())
        lines << QString() << QStringLiteral("# Let the peers reach the listen ports (WAN_LOCAL: the rule set of the setup wizard).")
              << firewall;

    QStringList routes;
    for (const RouterInterface &iface : router.interfaces) {
        for (qsizetype i = 0; i < iface.config.peers.size(); ++i) {
            for (const IpPrefix &prefix : iface.routes[i]) {
                routes << QStringLiteral("set protocols static %1 %2 next-hop-interface %3 description %4")
                              .arg(QLatin1String(prefix.address().isV6() ? "interface-route6" : "interface-route"),
                                   prefix.toString(), iface.name, quoted(iface.config.peers[i].name));
            }
        }
    }
    if (!routes.isEmpty())
        lines << QString() << QStringLiteral("# What each peer serves; BGP announces the rest.") << routes;

    if (router.mssClamp && !router.interfaces.isEmpty()) {
        // EdgeOS clamps per interface type, so the smallest tunnel MTU of the host counts.
        const int mtu = std::min_element(router.interfaces.cbegin(), router.interfaces.cend(),
                                         [](const RouterInterface &a, const RouterInterface &b) { return a.mtu < b.mtu; })
                            ->mtu;
        lines << QString() << QStringLiteral("# TCP MSS for a tunnel MTU of %1.").arg(mtu)
              << QStringLiteral("set firewall options mss-clamp interface-type wg")
              << QStringLiteral("set firewall options mss-clamp mss %1").arg(TunnelMtu::mss(mtu, false))
              << QStringLiteral("set firewall options mss-clamp6 interface-type wg")
              << QStringLiteral("set firewall options mss-clamp6 mss %1").arg(TunnelMtu::mss(mtu, true));
    }
    lines << QString() << QStringLiteral("commit") << QStringLiteral("save") << QStringLiteral("exit");
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QByteArray vyOsScript(const RouterHost &router)
{
    QStringList lines;
    appendHeader(lines, router, QStringLiteral("VyOS 1.4"));
    lines << QStringLiteral("configure");
    for (const RouterInterface &iface : router.interfaces) {
        const QString set = QLatin1String("set interfaces wireguard ") + iface.name + QLatin1Char(' ');
        lines << QString();
        for (const QString &address : iface.addresses)
            lines << set + QLatin1String("address ") + shellWord(address);
        if (iface.config.listenPort)
            lines << set + QLatin1String("port ") + QString::number(*iface.config.listenPort);
        if (iface.config.mtu)
            lines << set + QLatin1String("mtu ") + QString::number(*iface.config.mtu);
        lines << set + QLatin1String("private-key ") + shellWord(iface.config.privateKey);
        for (const PeerConfig &peer : iface.config.peers) {
            const QString setPeer = set + QLatin1String("peer ") + shellWord(peer.name) + QLatin1Char(' ');
            lines << setPeer + QLatin1String("public-key ") + shellWord(peer.publicKey);
            for (const QString &prefix : peer.allowedIps)
                lines << setPeer + QLatin1String("allowed-ips ") + shellWord(prefix);
            QString host;
            int port = 0;
            if (!peer.endpoint.isEmpty() && splitEndpoint(peer.endpoint, &host, &port)) {
                // VyOS 1.4 takes an address only; names need host-name (VyOS 1.5).
                lines << setPeer + QLatin1String(IpAddress::parse(host) ? "address " : "host-name ") + shellWord(host)
                      << setPeer + QLatin1String("port ") + QString::number(port);
            }
            if (!peer.presharedKey.isEmpty())
                lines << setPeer + QLatin1String("preshared-key ") + shellWord(peer.presharedKey);
            if (peer.persistentKeepalive > 0)
                lines << setPeer + QLatin1String("persistent-keepalive ") + QString::number(peer.persistentKeepalive);
        }
        if (router.mssClamp) {
            lines << set + QLatin1String("ip adjust-mss ") + QString::number(TunnelMtu::mss(iface.mtu, false))
                  << set + QLatin1String("ipv6 adjust-mss ") + QString::number(TunnelMtu::mss(iface.mtu, true));
        }
    }

    const QStringList firewall = portRules(router.interfaces, QStringLiteral("set firewall ipv4 input filter rule %1 "),
                                           router.outerIpv6 ? QStringLiteral("set firewall ipv6 input filter rule %1 ") : QString());
    if (!firewall.isEmpty())
        lines << QString() << QStringLiteral("# Let the peers reach the listen ports.") << firewall;

    QStringList routes;
    for (const RouterInterface &iface : router.interfaces) {
        for (const QList<IpPrefix> &prefixes : iface.routes) {
            for (const IpPrefix &prefix : prefixes) {
                routes << QStringLiteral("set protocols static %1 %2 interface %3")
                              .arg(QLatin1String(prefix.address().isV6() ? "route6" : "route"), prefix.toString(), iface.name);
            }
        }
    }
    if (!routes.isEmpty())
        lines << QString()
              << (router.explicitRoutes ? QStringLiteral("# VyOS does not route AllowedIPs: what each peer serves; BGP announces the rest.")
                                        : QStringLiteral("# VyOS does not route AllowedIPs: what each peer serves."))
              << routes;
    lines << QString() << QStringLiteral("commit") << QStringLiteral("save") << QStringLiteral("exit");
    return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QList<Generator::File> routerScripts(const Project &project, KeyStore &keys, Format format, QString *error)
{
    const QLatin1String os(format == Format::EdgeOs ? "EdgeOS" : "VyOS");
    QList<qsizetype> hosts;
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        if (project.hosts[i].os.compare(os, Qt::CaseInsensitive) == 0)
            hosts.append(i);
    }
    if (hosts.isEmpty()) {
        for (qsizetype i = 0; i < project.hosts.size(); ++i) {
            if (project.hosts[i].router)
                hosts.append(i);
        }
    }
    if (hosts.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing to export for %1: no host has os: %1 or router settings").arg(os);
        return {};
    }
    QList<Generator::File> files;
    for (const qsizetype index : std::as_const(hosts)) {
        const RouterHost router = routerHost(project, keys, index, format);
        files.append({project.hosts[index].name + QLatin1String(".sh"),
                      format == Format::EdgeOs ? edgeOsScript(router) : vyOsScript(router)});
    }
    return files;
}

// ---------------------------------------------------------------------------------------
// Kubernetes manifests
// ---------------------------------------------------------------------------------------

YAML::Emitter &operator<<(YAML::Emitter &out, const QString &text)
{
    return out << text.toStdString();
}

void emitLabels(YAML::Emitter &out, const QString &node)
{
    out << YAML::BeginMap << YAML::Key << "app.kubernetes.io/name" << YAML::Value << KubernetesNamespace;
    if (!node.isEmpty())
        out << YAML::Key << "app.kubernetes.io/instance" << YAML::Value << node;
    out << YAML::Key << "app.kubernetes.io/managed-by" << YAML::Value << "meshwright" << YAML::EndMap;
}

void emitMetadata(YAML::Emitter &out, const QString &name, const QString &node)
{
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
        << YAML::Key << "namespace" << YAML::Value << KubernetesNamespace << YAML::Key << "labels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
}

/// The container's command: brings the tunnel up (after clearing what a pod that died may
/// have left on the host), waits, and brings it down when the pod is stopped.
QString tunnelScript(const QString &interfaceName)
{
    return QStringLiteral("wg-quick down %1 2>/dev/null || true\n"
                          "wg-quick up %1 || exit 1\n"
                          "trap 'wg-quick down %1; exit 0' TERM INT\n"
                          "while true; do sleep 3600 & wait $!; done")
        .arg(interfaceName);
}

/// A node's Secret: its config alone, under the interface's file name.
void emitSecret(YAML::Emitter &out, const QString &node, const PlannedInterface &planned)
{
    const Generator::File conf = Generator::files(planned).front();
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
        << YAML::Value << "Secret";
    emitMetadata(out, QLatin1String("wireguard-") + node, node);
    out << YAML::Key << "type" << YAML::Value << "Opaque" << YAML::Key << "stringData" << YAML::Value << YAML::BeginMap
        << YAML::Key << planned.interfaceName + QLatin1String(".conf") << YAML::Value << YAML::Literal
        << QString::fromUtf8(conf.content) << YAML::EndMap << YAML::EndMap;
}

/// A node's DaemonSet: one pod on that node, on the host's network, with the Secret as
/// /etc/wireguard.
void emitDaemonSet(YAML::Emitter &out, const QString &node, const QString &interfaceName)
{
    const QString name = QLatin1String("wireguard-") + node;
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "apps/v1" << YAML::Key
        << "kind" << YAML::Value << "DaemonSet";
    emitMetadata(out, name, node);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
    out << YAML::Key << "template" << YAML::Value << YAML::BeginMap << YAML::Key << "metadata" << YAML::Value
        << YAML::BeginMap << YAML::Key << "labels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "nodeSelector" << YAML::Value << YAML::BeginMap << YAML::Key << "kubernetes.io/hostname"
        << YAML::Value << node << YAML::EndMap;
    // The tunnel and its routes belong to the node, not to the pod.
    out << YAML::Key << "hostNetwork" << YAML::Value << true;
    // Pinned to one node: run there even when the node is tainted (a control-plane node).
    out << YAML::Key << "tolerations" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "operator"
        << YAML::Value << "Exists" << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << "wireguard" << YAML::Key << "image" << YAML::Value
        << DefaultKubernetesImage << YAML::Key << "imagePullPolicy" << YAML::Value << "IfNotPresent";
    out << YAML::Key << "command" << YAML::Value << YAML::BeginSeq << "/bin/sh" << "-c" << YAML::Literal
        << tunnelScript(interfaceName) << YAML::EndSeq;
    out << YAML::Key << "securityContext" << YAML::Value << YAML::BeginMap << YAML::Key << "capabilities"
        << YAML::Value << YAML::BeginMap << YAML::Key << "add" << YAML::Value << YAML::BeginSeq << "NET_ADMIN"
        << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << "config" << YAML::Key << "mountPath" << YAML::Value << "/etc/wireguard" << YAML::Key
        << "readOnly" << YAML::Value << true << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap << YAML::EndSeq; // the container, the containers
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << "config" << YAML::Key << "secret" << YAML::Value << YAML::BeginMap << YAML::Key
        << "secretName" << YAML::Value << name << YAML::Key << "defaultMode" << YAML::Value << 0600 << YAML::EndMap
        << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap << YAML::EndMap; // template spec, template
    out << YAML::EndMap << YAML::EndMap; // spec, document
}

/// True for names Kubernetes accepts as object names and label values both (a DNS label
/// or subdomain in lowercase): what a node name is.
bool isKubernetesName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$"));
    return pattern.match(name).hasMatch();
}

QList<Generator::File> kubernetesManifests(const Project &project, KeyStore &keys, QString *error)
{
    QList<qsizetype> nodes;
    QSet<QString> names;
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const Host &host = project.hosts[i];
        if (host.kubernetesNode.isEmpty())
            continue;
        QString problem;
        if (!isKubernetesName(host.kubernetesNode))
            problem = QStringLiteral("'%1' is not a Kubernetes node name (lowercase letters, digits, '-' and '.')");
        else if (names.contains(host.kubernetesNode))
            problem = QStringLiteral("another host is Kubernetes node '%1' too");
        if (!problem.isEmpty()) {
            if (error)
                *error = host.name + QLatin1String(": ") + problem.arg(host.kubernetesNode) + QLatin1String("; nothing exported");
            return {};
        }
        names.insert(host.kubernetesNode);
        nodes.append(i);
    }
    if (nodes.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing to export for Kubernetes: no host has a kubernetes node name");
        return {};
    }

    QStringList nodeNames;
    for (const qsizetype index : std::as_const(nodes))
        nodeNames.append(project.hosts[index].kubernetesNode);
    YAML::Emitter out;
    out << YAML::Comment(QStringLiteral("WireGuard on the Kubernetes nodes %1, generated by Meshwright.\n"
                                        "It holds private keys: apply it (kubectl apply -f), do not commit it.\n"
                                        "Per node a Secret with that node's config alone and a DaemonSet on that node.")
                             .arg(nodeNames.join(QLatin1String(", ")))
                             .toStdString());
    // Namespace: allowed to run privileged pods (host network, NET_ADMIN) where Pod
    // Security Admission enforces a stricter level by default.
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
        << YAML::Value << "Namespace" << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << KubernetesNamespace << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key
        << "app.kubernetes.io/name" << YAML::Value << KubernetesNamespace << YAML::Key << "app.kubernetes.io/managed-by"
        << YAML::Value << "meshwright" << YAML::Key << "pod-security.kubernetes.io/enforce" << YAML::Value
        << "privileged" << YAML::EndMap << YAML::EndMap << YAML::EndMap;
    for (const qsizetype index : std::as_const(nodes)) {
        const QString &node = project.hosts[index].kubernetesNode;
        const PlannedInterface planned = Generation::planHost(project, keys, index).value(0);
        emitSecret(out, node, planned);
        emitDaemonSet(out, node, planned.interfaceName);
    }
    if (!out.good()) { // a bug in the emitting above, not in the project
        if (error)
            *error = QStringLiteral("cannot write the Kubernetes manifests: %1").arg(QString::fromStdString(out.GetLastError()));
        return {};
    }
    return {{QString::fromLatin1(KubernetesFileName), QByteArray(out.c_str()) + '\n'}};
}

} // namespace

std::optional<Format> formatFromName(const QString &name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("edgeos"))
        return Format::EdgeOs;
    if (lower == QLatin1String("vyos"))
        return Format::VyOs;
    if (lower == QLatin1String("k8s") || lower == QLatin1String("kubernetes"))
        return Format::Kubernetes;
    return std::nullopt;
}

QList<Generator::File> files(const Project &project, KeyStore &keys, Format format, QString *error)
{
    if (format == Format::Kubernetes)
        return kubernetesManifests(project, keys, error);
    return routerScripts(project, keys, format, error);
}

} // namespace Exporter
