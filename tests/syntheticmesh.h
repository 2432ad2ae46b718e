// The synthetic meshes of the generation benchmark, which the import tests also read back:
// a project in wireguardmeshgenerator's format of any size, and what its generation gives.
#pragma once

#include "project.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace SyntheticMesh {

inline constexpr int MinHosts = 5;
inline constexpr int MaxHosts = 60000; // 250 addresses per /24 step inside the 10.20.0.0/16 mesh

struct SyntheticHost
{
    QString name;
    Host::Role role = Host::Role::Lan;
    bool openBsd = false;
    int site = -1; ///< Shape::Sites: the LAN host's site, 0 to sites - 1
};

/// A generated project and what a correct generation of it must give.
struct SyntheticProject
{
    QByteArray yaml;
    QList<SyntheticHost> hosts; ///< in file order
    int gateways = 0;
    int roaming = 0;
    int lan = 0;
    int sites = 0; ///< Shape::Sites: the LAN hosts in this many NATed sites, linked through gw-a
    QList<int> siteSizes;

    /// wg0.conf per host, one profile per gateway for each roaming client, hostname.wg0 for
    /// OpenBSD hosts, and pf-meshwright.conf for OpenBSD gateways when full-tunnel roaming
    /// clients make them exit gateways; each Linux roaming client (every other one) with two
    /// gateways or more also gets its failover watchdog (wg0.exits, the script, its systemd
    /// unit, its cron line).
    qsizetype expectedFiles() const
    {
        qsizetype linuxRoaming = 0;
        for (qsizetype i = 0; i < hosts.size(); ++i)
            linuxRoaming += hosts[i].role == Host::Role::Roaming && i % 2 == 0;
        const auto openBsd = std::count_if(hosts.cbegin(), hosts.cend(),
                                           [](const SyntheticHost &h) { return h.openBsd; });
        const auto openBsdGateways = std::count_if(hosts.cbegin(), hosts.cend(), [](const SyntheticHost &h) {
            return h.openBsd && h.role == Host::Role::Internet;
        });
        return hosts.size() + qsizetype(roaming) * gateways + openBsd + (roaming > 0 ? openBsdGateways : 0)
            + (gateways >= 2 ? linuxRoaming * 4 : 0);
    }
    /// Gateways and LAN hosts form a full mesh; each roaming client links to each gateway.
    /// With sites, LAN hosts of two sites share no key: their link is relayed, a key per hop.
    qsizetype expectedPresharedKeys() const
    {
        const qsizetype mesh = gateways + lan;
        qsizetype keys = mesh * (mesh - 1) / 2 + qsizetype(roaming) * gateways;
        if (sites > 0) {
            keys -= qsizetype(lan) * (lan - 1) / 2;
            for (const int size : siteSizes)
                keys += qsizetype(size) * (size - 1) / 2;
        }
        return keys;
    }
    qsizetype expectedPeers(const SyntheticHost &host) const
    {
        switch (host.role) {
        case Host::Role::Internet:
            return hosts.size() - 1;
        case Host::Role::Lan:
            return gateways + (host.site >= 0 ? siteSizes.value(host.site) : lan) - 1;
        case Host::Role::Roaming:
            return gateways;
        }
        return 0;
    }
};

/// The mesh addresses of the host at \a index: 10.20.Y.Z (Z in 1..250) and fd20::INDEX+1.
inline QByteArray meshIpv4(int index)
{
    return "10.20." + QByteArray::number(index / 250) + '.' + QByteArray::number(index % 250 + 1);
}

inline QByteArray meshIpv6(int index)
{
    return "fd20::" + QByteArray::number(index + 1, 16);
}

/// How a synthetic project's hosts divide into roles.
enum class Shape {
    HomeLab, ///< 2 gateways, 2 to 8 roaming clients, the rest on one LAN
    /// A tenth gateways and a fifth roaming clients (1000 hosts: 100 and 200), as a large
    /// remote-access setup: each roaming client gets a profile per gateway.
    ManyGateways,
    /// HomeLab's roles, the LAN hosts in 10 NATed sites: every link between two sites is
    /// relayed by the first gateway (1000 hosts: about 440,000 relayed links).
    Sites,
};

/// A project of \a hostCount hosts: gateways (the first one OpenBSD, as in the homelab
/// example), roaming clients and the rest on one LAN, as \a shape divides them. Roaming
/// clients exclude every LAN host and each other; LAN hosts exclude every roaming client,
/// so the project validates with warnings only (the roaming clients' default routes).
inline SyntheticProject makeProject(int hostCount, Shape shape = Shape::HomeLab)
{
    SyntheticProject p;
    if (shape == Shape::ManyGateways) {
        p.gateways = std::max(2, hostCount / 10);
        p.roaming = std::max(2, hostCount / 5);
    } else {
        p.gateways = 2;
        p.roaming = std::clamp(hostCount / 25, 2, 8);
    }
    p.lan = hostCount - p.gateways - p.roaming;

    const int nameWidth = int(QByteArray::number(hostCount).size());
    auto numbered = [nameWidth](const char *prefix, int n) {
        return QString::fromLatin1(prefix) + QStringLiteral("%1").arg(n, nameWidth, 10, QLatin1Char('0'));
    };
    p.hosts.append({QStringLiteral("gw-a"), Host::Role::Internet, true});
    p.hosts.append({QStringLiteral("gw-b"), Host::Role::Internet, false});
    for (int i = 3; i <= p.gateways; ++i)
        p.hosts.append({numbered("gw-", i), Host::Role::Internet, false});
    if (shape == Shape::Sites) {
        p.sites = std::min(10, p.lan);
        p.siteSizes = QList<int>(p.sites, 0);
    }
    for (int i = 1; i <= p.lan; ++i) {
        const int site = p.sites > 0 ? int(qint64(i - 1) * p.sites / p.lan) : -1; // in blocks, as people number them
        p.hosts.append({numbered("lan-", i), Host::Role::Lan, false, site});
        if (site >= 0)
            ++p.siteSizes[site];
    }
    for (int i = 1; i <= p.roaming; ++i)
        p.hosts.append({numbered("roam-", i), Host::Role::Roaming, false});

    QStringList lanNames;
    QStringList roamingNames;
    for (const SyntheticHost &h : std::as_const(p.hosts)) {
        if (h.role == Host::Role::Lan)
            lanNames.append(h.name);
        else if (h.role == Host::Role::Roaming)
            roamingNames.append(h.name);
    }

    QByteArray &y = p.yaml;
    y.reserve(qsizetype(hostCount) * 420 + qsizetype(p.roaming) * hostCount * 16 + 1024);
    y += "---\n# Synthetic mesh for bench_generate: " + QByteArray::number(hostCount) + " hosts ("
        + QByteArray::number(p.gateways) + " gateways, " + QByteArray::number(p.roaming)
        + " roaming, " + QByteArray::number(p.lan) + " on the LAN).\n";
    y += "network:\n  ipv4: '10.20.0.0/16'\n  ipv6: 'fd20::/64'\n";
    y += "hosts:\n";
    auto excludeList = [&y](const QStringList &names, const QString &self) {
        y += "    exclude_peers:\n";
        for (const QString &name : names) {
            if (name != self)
                y += "      - " + name.toLatin1() + '\n';
        }
    };
    int lanIndex = 0;
    for (int i = 0; i < p.hosts.size(); ++i) {
        const SyntheticHost &h = p.hosts[i];
        const QByteArray name = h.name.toLatin1();
        y += "  " + name + ":\n";
        switch (h.role) {
        case Host::Role::Internet:
            if (h.openBsd)
                y += "    os: OpenBSD\n    ssh:\n      user: ops\n      port: 2222\n"
                     "      conf_dir: /etc/wireguard\n      sudo_cmd: doas\n"
                     "      reload_cmd: sh /etc/netstart wg0\n";
            else
                y += "    os: Linux\n    ssh:\n      user: root\n      conf_dir: /etc/wireguard\n"
                     "      sudo_cmd:\n      reload_cmd: systemctl restart wg-quick@wg0.service\n";
            y += "    internet:\n      domain: '" + name + ".example.org'\n      ip: '"
                + (i == 0   ? QByteArray("203.0.113.10")
                   : i == 1 ? QByteArray("198.51.100.20")
                            : "198.18." + QByteArray::number(i / 250) + '.' + QByteArray::number(i % 250 + 1))
                + "'\n";
            break;
        case Host::Role::Lan:
            y += "    os: Linux\n    ssh:\n      user: root\n      conf_dir: /etc/wireguard\n"
                 "      sudo_cmd:\n      reload_cmd: systemctl restart wg-quick@wg0.service\n";
            y += "    lan:\n      domain: 'home.example.net'\n      ip: '192.168."
                + QByteArray::number(lanIndex / 250) + '.' + QByteArray::number(lanIndex % 250 + 1)
                + "'\n";
            if (h.site >= 0)
                y += "    site: site-" + QByteArray::number(h.site + 1) + '\n';
            ++lanIndex;
            break;
        case Host::Role::Roaming:
            y += (i % 2 ? "    os: Android\n" : "    os: Linux\n");
            break;
        }
        y += "    wg0:\n      domain: 'mesh.example.net'\n      ip: '" + meshIpv4(i)
            + "'\n      ipv6: '" + meshIpv6(i) + "'\n";
        if (h.role == Host::Role::Lan) {
            excludeList(roamingNames, h.name);
        } else if (h.role == Host::Role::Roaming) {
            excludeList(lanNames + roamingNames, h.name);
        }
    }
    return p;
}

} // namespace SyntheticMesh
