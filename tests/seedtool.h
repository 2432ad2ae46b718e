// wireguardmeshgenerator's output, written the way that Ruby tool writes it, for the import
// tests: its keys/ and dist/ trees, in its exact layout and spelling, from its own rules.
#pragma once

#include "keystore.h"
#include "project.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <optional>

namespace SeedTool {

/// A host as wireguardmeshgenerator.yaml describes it: the keys that tool reads.
struct Host
{
    QString name;
    QString os = QStringLiteral("Linux");
    std::optional<SiteAddress> lan;
    std::optional<SiteAddress> internet;
    QString wgDomain = QStringLiteral("wg0.example.net");
    QString ip;
    QString ipv6; ///< empty: IPv4 only
    QStringList excludePeers;
    std::optional<bool> gateway; ///< absent: the tool's default (true)
    bool ssh = false;

    bool roaming() const { return !lan && !internet; }
};

/// The hosts of \a project, as its file would give them to the Ruby tool.
inline QList<Host> fromProject(const Project &project)
{
    QList<Host> hosts;
    for (const ::Host &from : project.hosts) {
        Host host;
        host.name = from.name;
        host.os = from.os;
        host.lan = from.lan;
        host.internet = from.internet;
        host.wgDomain = from.meshInterface().domain;
        host.ip = from.meshInterface().ip;
        host.ipv6 = from.meshInterface().ipv6;
        host.excludePeers = from.excludePeers;
        if (!from.gateway)
            host.gateway = false;
        host.ssh = from.ssh.has_value();
        hosts.append(host);
    }
    return hosts;
}

/// wireguardmeshgenerator.yaml for \a hosts, in the layout of the f3s article's file.
inline QByteArray yaml(const QList<Host> &hosts)
{
    QByteArray out = "---\nhosts:\n";
    auto quoted = [](const QString &text) { return "'" + text.toUtf8() + "'"; };
    for (const Host &host : hosts) {
        out += "  " + host.name.toUtf8() + ":\n    os: " + host.os.toUtf8() + "\n";
        if (host.ssh) {
            const bool freeBsd = host.os == QLatin1String("FreeBSD");
            out += "    ssh:\n      user: root\n";
            out += freeBsd ? "      conf_dir: /usr/local/etc/wireguard\n      sudo_cmd: doas\n      reload_cmd: service wireguard reload\n"
                           : "      conf_dir: /etc/wireguard\n      sudo_cmd:\n      reload_cmd: systemctl reload wg-quick@wg0.service\n";
        }
        for (const auto &[key, site] : {std::pair("lan", &host.lan), std::pair("internet", &host.internet)}) {
            if (*site)
                out += "    " + QByteArray(key) + ":\n      domain: " + quoted((*site)->domain) + "\n      ip: " + quoted((*site)->ip) + "\n";
        }
        out += "    wg0:\n      domain: " + quoted(host.wgDomain) + "\n      ip: " + quoted(host.ip) + "\n";
        if (!host.ipv6.isEmpty())
            out += "      ipv6: " + quoted(host.ipv6) + "\n";
        if (host.gateway)
            out += "    gateway: " + QByteArray(*host.gateway ? "true" : "false") + "\n";
        if (!host.excludePeers.isEmpty()) {
            out += "    exclude_peers:\n";
            for (const QString &peer : host.excludePeers)
                out += "      - " + peer.toUtf8() + "\n";
        }
    }
    return out;
}

namespace Detail {

inline bool write(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

inline QString read(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll()).trimmed() : QString();
}

} // namespace Detail

/// Writes what `wireguardmeshgenerator.rb --generate` writes in \a dir for \a hosts: each
/// host's keys/HOST/{priv,pub}.key and keys/psk/A_B.key (kept when they exist, as the tool
/// keeps them) and dist/HOST/etc/wireguard/wg0.conf, by the tool's own rules and in its
/// spelling, its comments and its hard-coded port, DNS and mesh subnets included. False
/// when a file cannot be written.
inline bool writeTree(const QList<Host> &hosts, const QString &dir)
{
    const QDir root(dir);
    auto privateKey = [&](const QString &host) {
        const QString path = root.filePath(QStringLiteral("keys/%1/priv.key").arg(host));
        if (!QFile::exists(path)) {
            const QString key = WireGuardKeys::generatePrivateKey();
            Detail::write(path, key.toLatin1() + '\n');
            Detail::write(root.filePath(QStringLiteral("keys/%1/pub.key").arg(host)), WireGuardKeys::publicKey(key)->toLatin1() + '\n');
        }
        return Detail::read(path);
    };
    auto presharedKey = [&](const QString &a, const QString &b) {
        QStringList pair{a, b};
        pair.sort();
        const QString path = root.filePath(QStringLiteral("keys/psk/%1.key").arg(pair.join(QLatin1Char('_'))));
        if (!QFile::exists(path))
            Detail::write(path, WireGuardKeys::generatePresharedKey().toLatin1() + '\n');
        return Detail::read(path);
    };
    for (const Host &self : hosts) {
        const bool inLan = self.lan.has_value();
        const bool useGateway = self.gateway.value_or(true);
        QByteArray text = "[Interface]\n# " + self.name.toUtf8() + '.' + self.wgDomain.toUtf8() + '\n';
        if (self.os == QLatin1String("OpenBSD")) {
            text += "# No Address = ... for OpenBSD here\n";
        } else {
            text += "Address = " + self.ip.toUtf8() + (self.os == QLatin1String("FreeBSD") ? "/24" : "") + '\n';
            if (!self.ipv6.isEmpty())
                text += "Address = " + self.ipv6.toUtf8() + "/64\n";
        }
        text += "PrivateKey = " + privateKey(self.name).toLatin1() + "\nListenPort = 56709\n";
        text += self.roaming() && useGateway ? "DNS = 1.1.1.1, 8.8.8.8\n" : "# No DNS configured\n";
        text += '\n';
        QList<QByteArray> peers;
        bool primaryAssigned = false;
        for (const Host &peer : hosts) {
            if (peer.name == self.name || self.excludePeers.contains(peer.name))
                continue;
            QString domain;
            QString endpoint; // empty: behind NAT
            bool peerInLan = false; // the tool leaves it unset (false) for a roaming peer
            if (peer.roaming()) {
                domain = peer.wgDomain;
            } else {
                peerInLan = peer.lan.has_value();
                const SiteAddress &reach = peerInLan ? *peer.lan : *peer.internet;
                domain = reach.domain;
                if (peerInLan == inLan || !peerInLan)
                    endpoint = reach.ip;
            }
            const bool keepalive = self.roaming() || (inLan && !peerInLan);
            const QString own = peer.ipv6.isEmpty() ? peer.ip + QLatin1String("/32") : QStringLiteral("%1/32, %2/128").arg(peer.ip, peer.ipv6);
            QString allowed = own;
            if (self.roaming() && useGateway) {
                allowed = QStringLiteral("0.0.0.0/0, ::/0");
            } else if (self.roaming() && peer.internet && !primaryAssigned) {
                allowed = QStringLiteral("192.168.2.0/24, fd42:beef:cafe:2::/64");
                primaryAssigned = true;
            }
            QByteArray entry = "[Peer]\n# " + peer.name.toUtf8() + '.' + domain.toUtf8() + " as " + peer.name.toUtf8() + '.'
                             + peer.wgDomain.toUtf8() + '\n';
            privateKey(peer.name);
            entry += "PublicKey = " + Detail::read(root.filePath(QStringLiteral("keys/%1/pub.key").arg(peer.name))).toLatin1() + '\n';
            entry += "PresharedKey = " + presharedKey(peer.name, self.name).toLatin1() + '\n';
            entry += "AllowedIPs = " + allowed.toUtf8() + '\n';
            entry += endpoint.isEmpty() ? QByteArray("# Due to NAT no Endpoint configured\n") : "Endpoint = " + endpoint.toUtf8() + ":56709\n";
            entry += keepalive ? "PersistentKeepalive = 25\n" : "# No KeepAlive configured\n";
            peers.append(entry);
        }
        text += peers.join('\n') + '\n';
        if (!Detail::write(root.filePath(QStringLiteral("dist/%1/etc/wireguard/wg0.conf").arg(self.name)), text))
            return false;
    }
    return true;
}

/// A mesh of \a count hosts (at least 5) as people write them for the tool, made from
/// \a seed: LAN servers on Linux and FreeBSD, internet gateways on OpenBSD and Linux,
/// roaming clients with and without `gateway: false` that have only the gateways as peers
/// (and the LAN hosts leave them out), IPv4-only hosts (\a ipv6: some hosts with IPv6, else none), and now and
/// then two LAN hosts that leave each other out. Addresses in the tool's hard-coded mesh
/// subnets, 192.168.2.0/24 and fd42:beef:cafe:2::/64.
inline QList<Host> randomMesh(int count, quint32 seed, bool ipv6 = true)
{
    QRandomGenerator random(seed);
    QList<Host> hosts;
    const int gateways = 2 + int(random.bounded(2));
    const int roaming = 1 + int(random.bounded(3));
    const int lan = qMax(1, count - gateways - roaming);
    for (int i = 0; i < lan + gateways + roaming; ++i) {
        Host host;
        const int n = 10 + i;
        host.ip = QStringLiteral("192.168.2.%1").arg(n);
        if (ipv6 && random.bounded(4) != 0)
            host.ipv6 = QStringLiteral("fd42:beef:cafe:2::%1").arg(n);
        if (i < lan) {
            host.name = QStringLiteral("s%1").arg(i);
            host.os = random.bounded(2) ? QStringLiteral("FreeBSD") : QStringLiteral("Linux");
            host.lan = SiteAddress{QStringLiteral("lan.example.net"), QStringLiteral("192.168.1.%1").arg(n)};
            host.ssh = true;
        } else if (i < lan + gateways) {
            host.name = QStringLiteral("gw%1").arg(i - lan);
            host.os = random.bounded(3) ? QStringLiteral("OpenBSD") : QStringLiteral("Linux");
            host.internet = SiteAddress{QStringLiteral("example.net"), QStringLiteral("203.0.113.%1").arg(n)};
            host.ssh = true;
        } else {
            host.name = QStringLiteral("road%1").arg(i - lan - gateways);
            host.os = random.bounded(3) == 0 ? QStringLiteral("Android") : random.bounded(2) ? QStringLiteral("FreeBSD") : QStringLiteral("Linux");
            if (random.bounded(2))
                host.gateway = random.bounded(3) != 0 ? false : true;
        }
        hosts.append(host);
    }
    for (Host &host : hosts) {
        for (const Host &peer : std::as_const(hosts)) {
            if (peer.name != host.name && ((host.roaming() && !peer.internet) || (host.lan && peer.roaming())))
                host.excludePeers.append(peer.name);
        }
    }
    if (lan >= 3 && random.bounded(2)) {
        const int a = int(random.bounded(lan));
        const int b = (a + 1) % lan;
        hosts[a].excludePeers.append(hosts[b].name);
        hosts[b].excludePeers.append(hosts[a].name);
    }
    return hosts;
}

} // namespace SeedTool
