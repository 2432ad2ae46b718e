// Writing a project file.
#include "projectwriter.h"

#include "projectcomments.h"

#include <QSet>

namespace {

using ProjectComments::EndAnchor;

QByteArray quoted(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\''), QLatin1String("''"));
    return '\'' + escaped.toUtf8() + '\'';
}

/// A plain scalar when YAML reads it back as the same string, else single-quoted.
QByteArray scalarText(const QString &value)
{
    static const QSet<QString> reserved{QStringLiteral("true"), QStringLiteral("false"),
                                        QStringLiteral("yes"),  QStringLiteral("no"),
                                        QStringLiteral("on"),   QStringLiteral("off"),
                                        QStringLiteral("null"), QStringLiteral("~")};
    if (value.isEmpty() || reserved.contains(value.toLower()) || value.front().isSpace()
        || value.back().isSpace())
        return quoted(value);
    bool ok = false;
    value.toDouble(&ok);
    if (ok)
        return quoted(value);
    static const QString safeFirst = QStringLiteral("_./@%+$");
    if (!value.front().isLetterOrNumber() && !safeFirst.contains(value.front()))
        return quoted(value);
    for (const QChar c : value) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char(' ') || QStringLiteral("_./@%+$=-").contains(c)))
            return quoted(value);
    }
    return value.toUtf8();
}

} // namespace

void ProjectWriter::comments(const QString &host, const QString &key, int indent)
{
    if (m_byAnchor.isEmpty() && !m_project.comments.isEmpty()) {
        for (int i = 0; i < m_project.comments.size(); ++i)
            m_byAnchor[{m_project.comments[i].host, m_project.comments[i].key}].append(i);
    }
    for (const int i : m_byAnchor.value({host, key})) {
        m_out += QByteArray(indent, ' ') + '#' + m_project.comments[i].text.toUtf8() + '\n';
        emittedComments.append(i);
    }
}

void ProjectWriter::line(int indent, const char *key, const QByteArray &value)
{
    m_out += QByteArray(indent, ' ') + key + ':';
    if (!value.isEmpty())
        m_out += ' ' + value;
    m_out += '\n';
}

void ProjectWriter::list(int indent, const char *key, const QStringList &values)
{
    line(indent, key);
    for (const QString &value : values)
        m_out += QByteArray(indent + 2, ' ') + "- " + scalarText(value) + '\n';
}

void ProjectWriter::host(const Host &h)
{
    comments(h.name, QString(), 2);
    m_out += "  " + scalarText(h.name) + ":\n";
    comments(h.name, QStringLiteral("os"), 4);
    line(4, "os", scalarText(h.os));
    comments(h.name, QStringLiteral("ssh"), 4);
    if (h.ssh) {
        line(4, "ssh");
        if (!h.ssh->host.isEmpty())
            line(6, "host", scalarText(h.ssh->host));
        if (!h.ssh->identity.isEmpty())
            line(6, "identity", scalarText(h.ssh->identity));
        if (!h.ssh->user.isEmpty())
            line(6, "user", scalarText(h.ssh->user));
        if (h.ssh->port != 22)
            line(6, "port", QByteArray::number(h.ssh->port));
        line(6, "conf_dir", scalarText(h.ssh->confDir));
        line(6, "sudo_cmd", h.ssh->sudoCmd.isEmpty() ? QByteArray() : scalarText(h.ssh->sudoCmd));
        line(6, "reload_cmd", h.ssh->reloadCmd.isEmpty() ? QByteArray() : scalarText(h.ssh->reloadCmd));
    }
    auto site = [&](const char *key, const std::optional<SiteAddress> &address) {
        comments(h.name, QLatin1String(key), 4);
        if (!address)
            return;
        line(4, key);
        if (!address->domain.isEmpty())
            line(6, "domain", quoted(address->domain));
        if (!address->ip.isEmpty() || address->domain.isEmpty()) // none: dialled by name
            line(6, "ip", quoted(address->ip));
    };
    site("lan", h.lan);
    site("internet", h.internet);
    comments(h.name, QStringLiteral("site"), 4);
    if (!h.site.isEmpty())
        line(4, "site", scalarText(h.site));
    for (const Interface &iface : h.interfaces) {
        comments(h.name, iface.name, 4);
        m_out += "    " + iface.name.toUtf8() + ":\n";
        if (!iface.domain.isEmpty())
            line(6, "domain", quoted(iface.domain));
        line(6, "ip", quoted(iface.ip));
        if (!iface.ipv6.isEmpty())
            line(6, "ipv6", quoted(iface.ipv6));
        if (iface.listenPort)
            line(6, "listen_port", QByteArray::number(*iface.listenPort));
        if (iface.mtu)
            line(6, "mtu", *iface.mtu == 0 ? QByteArray("auto") : QByteArray::number(*iface.mtu));
        for (const auto &[key, lines] : {std::pair("pre_up", &iface.preUp), std::pair("post_up", &iface.postUp),
                                         std::pair("pre_down", &iface.preDown), std::pair("post_down", &iface.postDown)}) {
            if (!lines->isEmpty())
                list(6, key, *lines);
        }
        if (!iface.table.isEmpty())
            line(6, "table", quoted(iface.table));
        if (iface.fwMark)
            line(6, "fwmark", QByteArray::number(*iface.fwMark));
        if (iface.saveConfig)
            line(6, "save_config", "true");
        if (iface.subnetRoute)
            line(6, "subnet_route", "true");
    }
    comments(h.name, QStringLiteral("exclude_peers"), 4);
    if (!h.excludePeers.isEmpty())
        list(4, "exclude_peers", h.excludePeers);
    comments(h.name, QStringLiteral("exits"), 4);
    if (!h.exits.isEmpty())
        list(4, "exits", h.exits);
    comments(h.name, QStringLiteral("gateway"), 4);
    if (!h.gateway)
        line(4, "gateway", "false");
    comments(h.name, QStringLiteral("nat"), 4);
    if (h.nat)
        line(4, "nat", *h.nat ? "true" : "false");
    comments(h.name, QStringLiteral("egress"), 4);
    if (!h.egress.isEmpty())
        line(4, "egress", scalarText(h.egress));
    comments(h.name, QStringLiteral("own_forwarding"), 4);
    if (h.ownForwarding)
        line(4, "own_forwarding", "true");
    comments(h.name, QStringLiteral("public_key"), 4);
    if (h.isExternal())
        line(4, "public_key", quoted(h.publicKey));
    comments(h.name, QStringLiteral("router"), 4);
    if (h.router) {
        const RouterSettings standard;
        const RouterSettings &r = *h.router;
        line(4, "router");
        if (r.interfacePerPeer)
            line(6, "interface_per_peer", "true");
        if (r.basePort != standard.basePort)
            line(6, "base_port", QByteArray::number(r.basePort));
        if (r.tunnelRange)
            line(6, "tunnel_range", quoted(r.tunnelRange->toString()));
        if (r.routes == RouterSettings::Routes::Explicit)
            line(6, "routes", "explicit");
        if (r.uplinkMtu != standard.uplinkMtu)
            line(6, "uplink_mtu", QByteArray::number(r.uplinkMtu));
        if (r.outerIpv6)
            line(6, "outer", "ipv6");
        for (const auto &[key, on] : {std::pair("mss_clamp", r.mssClamp), std::pair("forwarding", r.forwarding), std::pair("nat", r.nat)}) {
            if (on)
                line(6, key, "true");
        }
        if (r == standard)
            m_out.chop(1), m_out += " {}\n";
    }
    comments(h.name, QStringLiteral("kubernetes"), 4);
    if (!h.kubernetesNode.isEmpty()) {
        line(4, "kubernetes", "{node: " + scalarText(h.kubernetesNode) + '}');
    }
    comments(h.name, QStringLiteral("position"), 4);
    if (h.position) {
        line(4, "position", "{x: " + QByteArray::number(h.position->x(), 'g', 10)
                                + ", y: " + QByteArray::number(h.position->y(), 'g', 10) + '}');
    }
    comments(h.name, EndAnchor, 4);
}

QByteArray ProjectWriter::write()
{
    m_out.reserve(300 * m_project.hosts.size() + 1024);
    m_out += "---\n";
    comments(QString(), QStringLiteral("hosts"), 0);
    m_out += "hosts:\n";
    for (const Host &h : m_project.hosts)
        host(h);
    const Defaults standard;
    comments(QString(), QStringLiteral("defaults"), 0);
    if (m_project.defaults != standard) {
        m_out += "defaults:\n";
        if (m_project.defaults.listenPort != standard.listenPort)
            line(2, "listen_port", QByteArray::number(m_project.defaults.listenPort));
        if (m_project.defaults.keepalive != standard.keepalive)
            line(2, "keepalive", QByteArray::number(m_project.defaults.keepalive));
        if (m_project.defaults.dns != standard.dns)
            list(2, "dns", m_project.defaults.dns);
        if (m_project.defaults.hostsFile)
            line(2, "hosts_file", "true");
        if (m_project.defaults.failoverHoldDown != standard.failoverHoldDown)
            line(2, "failover_hold_down", QByteArray::number(m_project.defaults.failoverHoldDown));
        if (!m_project.defaults.relays.isEmpty())
            list(2, "relays", m_project.defaults.relays);
    }
    comments(QString(), QStringLiteral("network"), 0);
    if (m_project.network.ipv4 || m_project.network.ipv6) {
        m_out += "network:\n";
        if (m_project.network.ipv4)
            line(2, "ipv4", quoted(m_project.network.ipv4->toString()));
        if (m_project.network.ipv6)
            line(2, "ipv6", quoted(m_project.network.ipv6->toString()));
    }
    comments(QString(), QStringLiteral("sites"), 0);
    if (!m_project.sites.isEmpty()) {
        m_out += "sites:\n";
        for (const SiteSettings &site : m_project.sites) {
            line(2, scalarText(site.name).constData());
            if (!site.relays.isEmpty())
                list(4, "relays", site.relays);
        }
    }
    comments(QString(), QStringLiteral("links"), 0);
    if (!m_project.links.isEmpty()) {
        m_out += "links:\n";
        for (const LinkSettings &link : m_project.links) {
            m_out += "  - hosts: [" + scalarText(link.a) + ", " + scalarText(link.b) + "]\n";
            if (link.keepalive)
                line(4, "keepalive", QByteArray::number(*link.keepalive));
            if (!link.presharedKey)
                line(4, "preshared_key", "false");
            const std::pair<const QString &, const LinkEnd &> ends[] = {{link.a, link.atA}, {link.b, link.atB}};
            bool endpointHeader = false;
            for (const auto &[host, end] : ends) {
                if (end.endpoint.isEmpty())
                    continue;
                if (!endpointHeader)
                    line(4, "endpoint");
                endpointHeader = true;
                m_out += "      " + scalarText(host) + ": " + quoted(end.endpoint) + '\n';
            }
            for (const auto &[key, list] : {std::pair("allowed_ips", &LinkEnd::allowedIps), std::pair("bgp_prefixes", &LinkEnd::bgpPrefixes)}) {
                bool header = false;
                for (const auto &[host, end] : ends) {
                    if ((end.*list).isEmpty())
                        continue;
                    if (!header)
                        line(4, key);
                    header = true;
                    m_out += "      " + scalarText(host) + ":\n";
                    for (const QString &prefix : end.*list)
                        m_out += "        - " + quoted(prefix) + '\n';
                }
            }
            if (link.encryptPublicAddress)
                line(4, "encrypt_public_address", "true");
            if (!link.relay.isEmpty())
                line(4, "relay", scalarText(link.relay));
        }
    }
    comments(QString(), EndAnchor, 0);
    return m_out;
}
