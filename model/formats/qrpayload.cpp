// The text a phone's WireGuard app imports from a QR code: only the keys its parser accepts.
#include "qrpayload.h"

#include "ipaddress.h"

namespace {

void line(QByteArray &out, const char *key, const QString &value)
{
    if (value.trimmed().isEmpty())
        return;
    out += key;
    out += " = ";
    out += value.trimmed().toUtf8();
    out += '\n';
}

} // namespace

namespace QrPayload {

QStringList acceptedInterfaceKeys()
{
    return {QStringLiteral("Address"), QStringLiteral("DNS"), QStringLiteral("ListenPort"),
            QStringLiteral("MTU"), QStringLiteral("PrivateKey")};
}

QStringList acceptedPeerKeys()
{
    return {QStringLiteral("PublicKey"), QStringLiteral("PresharedKey"), QStringLiteral("AllowedIPs"),
            QStringLiteral("Endpoint"), QStringLiteral("PersistentKeepalive")};
}

QByteArray build(const InterfaceConfig &config, QStringList *leftOut)
{
    QStringList dropped;
    auto drop = [&](const QString &what) {
        if (!dropped.contains(what))
            dropped.append(what);
    };
    QByteArray out = "[Interface]\n";
    line(out, "Address", config.addresses.join(QLatin1String(", ")));
    line(out, "DNS", config.dns.join(QLatin1String(", ")));
    if (config.listenPort)
        line(out, "ListenPort", QString::number(*config.listenPort));
    if (config.mtu)
        line(out, "MTU", QString::number(*config.mtu));
    line(out, "PrivateKey", config.privateKey);
    if (!config.table.isEmpty())
        drop(QStringLiteral("Table"));
    if (config.fwMark)
        drop(QStringLiteral("FwMark"));
    if (!config.preUp.isEmpty())
        drop(QStringLiteral("PreUp"));
    if (!config.postUp.isEmpty())
        drop(QStringLiteral("PostUp"));
    if (!config.preDown.isEmpty())
        drop(QStringLiteral("PreDown"));
    if (!config.postDown.isEmpty())
        drop(QStringLiteral("PostDown"));
    if (config.saveConfig)
        drop(QStringLiteral("SaveConfig"));
    for (const PeerConfig &peer : config.peers) {
        const QString who = peer.name.isEmpty() ? QStringLiteral("a peer") : peer.name;
        if (peer.publicKey.trimmed().isEmpty()) {
            drop(QStringLiteral("the peer %1 (no public key)").arg(who));
            continue;
        }
        out += "\n[Peer]\n";
        line(out, "PublicKey", peer.publicKey);
        line(out, "PresharedKey", peer.presharedKey.toBase64());
        line(out, "AllowedIPs", peer.allowedIps.join(QLatin1String(", ")));
        if (!peer.endpoint.isEmpty()) {
            if (splitEndpoint(peer.endpoint, nullptr, nullptr))
                line(out, "Endpoint", peer.endpoint);
            else
                drop(QStringLiteral("the Endpoint of %1 (it has no port)").arg(who));
        }
        if (peer.persistentKeepalive > 0)
            line(out, "PersistentKeepalive", QString::number(peer.persistentKeepalive));
    }
    if (leftOut)
        *leftOut = dropped;
    return out;
}

} // namespace QrPayload
