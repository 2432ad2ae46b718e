// OpenBSD's hostname.wgN: the interface, its keys and peers as ifconfig(8) lines.
#include "openbsdhostname.h"

#include "ipaddress.h"

namespace {

QByteArray netmask(int length)
{
    const quint32 mask = length == 0 ? 0 : ~quint32(0) << (32 - length);
    return QByteArray::number(mask >> 24) + '.' + QByteArray::number((mask >> 16) & 0xff) + '.'
        + QByteArray::number((mask >> 8) & 0xff) + '.' + QByteArray::number(mask & 0xff);
}

} // namespace

namespace OpenBsdHostname {

QByteArray write(const PlannedInterface &planned, const QString &header)
{
    const InterfaceConfig &config = planned.config;
    QByteArray out;
    if (!header.isEmpty()) {
        for (const QString &line : header.split(QLatin1Char('\n')))
            out += "# " + line.toUtf8() + '\n';
    }
    if (planned.ipv4Address) {
        if (const auto prefix = IpPrefix::parse(*planned.ipv4Address))
            out += "inet " + prefix->address().toString().toLatin1() + ' ' + netmask(prefix->length()) + " NONE\n";
    }
    if (planned.ipv6Address) {
        if (const auto prefix = IpPrefix::parse(*planned.ipv6Address))
            out += "inet6 " + prefix->address().toString().toLatin1() + ' ' + QByteArray::number(prefix->length()) + '\n';
    }
    if (config.mtu)
        out += "mtu " + QByteArray::number(*config.mtu) + '\n';
    out += "wgkey " + config.privateKey.toLatin1() + '\n';
    if (config.listenPort)
        out += "wgport " + QByteArray::number(*config.listenPort) + '\n';
    for (const PeerConfig &peer : config.peers) {
        if (!peer.name.isEmpty())
            out += "# " + peer.name.toUtf8() + '\n';
        out += "wgpeer " + peer.publicKey.toLatin1();
        if (!peer.presharedKey.isEmpty())
            out += " wgpsk " + peer.presharedKey.toLatin1();
        for (const QString &prefix : peer.allowedIps)
            out += " wgaip " + prefix.toLatin1();
        QString host;
        int port = 0;
        if (!peer.endpoint.isEmpty() && splitEndpoint(peer.endpoint, &host, &port))
            out += " wgendpoint " + host.toUtf8() + ' ' + QByteArray::number(port);
        if (peer.persistentKeepalive > 0)
            out += " wgpka " + QByteArray::number(peer.persistentKeepalive);
        out += '\n';
    }
    out += "up\n";
    return out;
}

} // namespace OpenBsdHostname
