// The kinds of host the palette offers, and how a new host of each kind starts out.
#include "hostpresets.h"

#include "meshdocument.h"

#include <QCoreApplication>
#include <QSet>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("HostPresets", text);
}

/// The next free address in the /24 of the existing site addresses of that kind, or in
/// \a fallback when there are none.
QString nextSiteAddress(const Project &project, bool internet, const QString &fallback)
{
    QSet<QString> used;
    QString reference;
    for (const Host &host : project.hosts) {
        const auto &site = internet ? host.internet : host.lan;
        if (site && IpAddress::parse(site->ip)) {
            used.insert(IpAddress::parse(site->ip)->toString());
            if (reference.isEmpty() && IpAddress::parse(site->ip)->isV4())
                reference = site->ip;
        }
    }
    const auto base = IpAddress::parse(reference.isEmpty() ? fallback : reference);
    const IpAddress network = base->masked(24);
    for (quint32 offset = 10; offset < 255; ++offset) {
        const QString candidate = network.offsetBy(offset).toString();
        if (!used.contains(candidate))
            return candidate;
    }
    return fallback;
}

SshSettings linuxSsh()
{
    SshSettings ssh;
    ssh.user = QStringLiteral("root");
    ssh.reloadCmd = QStringLiteral("systemctl reload wg-quick@wg0.service");
    return ssh;
}

} // namespace

namespace HostPresets {

QList<Preset> all()
{
    return {
        {QStringLiteral("linux-server"), tr("Linux server"),
         tr("A Linux server on the home LAN, behind NAT; deployed over SSH"), QStringLiteral("server")},
        {QStringLiteral("freebsd-server"), tr("FreeBSD server"),
         tr("A FreeBSD server on the home LAN, behind NAT; deployed over SSH with doas"), QStringLiteral("server")},
        {QStringLiteral("openbsd-gateway"), tr("OpenBSD gateway"),
         tr("An OpenBSD host with a public address; also gets a hostname.wg0"), QStringLiteral("gateway")},
        {QStringLiteral("cloud-gateway"), tr("Cloud gateway"),
         tr("A Linux host in the cloud with a public address"), QStringLiteral("gateway")},
        {QStringLiteral("laptop"), tr("Laptop"),
         tr("A roaming laptop that reaches the mesh through the gateways; installed by hand"), QStringLiteral("laptop")},
        {QStringLiteral("phone"), tr("Phone"),
         tr("A roaming phone; imports its config from a QR code"), QStringLiteral("phone")},
    };
}

const Preset *find(const QString &id)
{
    static const QList<Preset> presets = all();
    for (const Preset &preset : presets) {
        if (preset.id == id)
            return &preset;
    }
    return nullptr;
}

Host create(const QString &id, const MeshDocument &document)
{
    const Project &project = document.project();
    Host host;
    host.interfaces.front().ip = document.nextFreeAddress(false);
    host.interfaces.front().ipv6 = document.nextFreeAddress(true);
    if (id == QLatin1String("linux-server")) {
        host.name = QStringLiteral("server");
        host.os = QStringLiteral("Linux");
        host.ssh = linuxSsh();
        host.lan = SiteAddress{{}, nextSiteAddress(project, false, QStringLiteral("192.168.1.10"))};
    } else if (id == QLatin1String("freebsd-server")) {
        host.name = QStringLiteral("bsd");
        host.os = QStringLiteral("FreeBSD");
        host.ssh = SshSettings{QString(), QString(), QString(), 22, QStringLiteral("/usr/local/etc/wireguard"), QStringLiteral("doas"),
                               QStringLiteral("service wireguard restart")};
        host.lan = SiteAddress{{}, nextSiteAddress(project, false, QStringLiteral("192.168.1.10"))};
    } else if (id == QLatin1String("openbsd-gateway")) {
        host.name = QStringLiteral("gateway");
        host.os = QStringLiteral("OpenBSD");
        host.ssh = SshSettings{QString(), QString(), QString(), 22, QStringLiteral("/etc/wireguard"), QStringLiteral("doas"),
                               QStringLiteral("sh /etc/netstart wg0")};
        host.internet = SiteAddress{{}, nextSiteAddress(project, true, QStringLiteral("203.0.113.10"))};
    } else if (id == QLatin1String("cloud-gateway")) {
        host.name = QStringLiteral("cloud");
        host.os = QStringLiteral("Linux");
        host.ssh = linuxSsh();
        host.internet = SiteAddress{{}, nextSiteAddress(project, true, QStringLiteral("203.0.113.10"))};
    } else if (id == QLatin1String("laptop")) {
        host.name = QStringLiteral("laptop");
        host.os = QStringLiteral("Linux");
    } else {
        host.name = QStringLiteral("phone");
        host.os = QStringLiteral("Android");
    }
    host.name = document.uniqueHostName(host.name);
    return host;
}

QString iconNameFor(const Host &host)
{
    switch (host.role()) {
    case Host::Role::Internet:
        return QStringLiteral("gateway");
    case Host::Role::Lan:
        return QStringLiteral("server");
    case Host::Role::Roaming:
        break;
    }
    const QString os = host.os.toLower();
    if (os == QLatin1String("android") || os == QLatin1String("ios"))
        return QStringLiteral("phone");
    return QStringLiteral("laptop");
}

} // namespace HostPresets
