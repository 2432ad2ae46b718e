// OpenBSD's hostname.wgN: the interface, its keys and peers as ifconfig(8) lines.
#include "openbsdhostname.h"

#include "ipaddress.h"
#include "keybase64.h"

#include <QRegularExpression>
#include <QStringList>

namespace {

QByteArray netmask(int length)
{
    const quint32 mask = length == 0 ? 0 : ~quint32(0) << (32 - length);
    return QByteArray::number(mask >> 24) + '.' + QByteArray::number((mask >> 16) & 0xff) + '.'
        + QByteArray::number((mask >> 8) & 0xff) + '.' + QByteArray::number(mask & 0xff);
}

/// The prefix length of a dotted IPv4 netmask (255.255.255.0: 24), or -1.
int maskLength(const QString &text)
{
    const auto mask = IpAddress::parse(text);
    if (!mask || mask->isV6())
        return -1;
    const QStringList parts = text.split(QLatin1Char('.'));
    quint32 bits = 0;
    for (const QString &part : parts)
        bits = (bits << 8) | part.toUInt();
    int length = 0;
    while (length < 32 && (bits & (quint32(1) << (31 - length))))
        ++length;
    return (length == 32 || (bits << length) == 0) ? length : -1;
}

/// A line split into words, with "double quoted" words kept whole.
QStringList words(const QString &line)
{
    QStringList out;
    QString word;
    bool quoted = false;
    bool inWord = false;
    for (const QChar c : line) {
        if (c == QLatin1Char('"')) {
            quoted = !quoted;
            inWord = true;
        } else if (c.isSpace() && !quoted) {
            if (inWord)
                out.append(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        out.append(word);
    return out;
}

} // namespace

namespace OpenBsdHostname {

std::optional<Parsed> parse(const QByteArray &text, QString *error, bool keyOptional)
{
    Parsed parsed;
    InterfaceConfig &config = parsed.config;
    int number = 0;
    QString comment; // the comment line right before this one
    auto fail = [&](const QString &message) -> std::optional<Parsed> {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(number).arg(message);
        return std::nullopt;
    };
    auto mark = [&](const char *key) {
        if (!parsed.lines.contains(QLatin1String(key)))
            parsed.lines.insert(QLatin1String(key), number);
    };
    for (const QByteArray &raw : text.split('\n')) {
        ++number;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty()) {
            comment.clear();
            continue;
        }
        if (line.startsWith(QLatin1Char('#'))) {
            comment = line.mid(1).trimmed();
            continue;
        }
        const QString before = comment;
        comment.clear();
        if (line.startsWith(QLatin1Char('!'))) {
            parsed.unsupported.append({number, line});
            continue;
        }
        const QStringList w = words(line);
        const QString &first = w.front();
        if (first == QLatin1String("inet") || first == QLatin1String("inet6")) {
            const bool v6 = first == QLatin1String("inet6");
            if (w.size() < 2 || w[1] == QLatin1String("alias") || w[1] == QLatin1String("autoconf")
                || w[1] == QLatin1String("eui64")) {
                parsed.unsupported.append({number, line});
                continue;
            }
            QString address = w[1];
            int length = -1;
            if (const qsizetype slash = address.indexOf(QLatin1Char('/')); slash >= 0) {
                length = address.mid(slash + 1).toInt();
                address = address.left(slash);
            } else if (w.size() >= 3) {
                length = v6 ? w[2].toInt() : maskLength(w[2]);
            } else {
                length = v6 ? 128 : 32;
            }
            const auto parsedAddress = IpAddress::parse(address);
            if (!parsedAddress || parsedAddress->isV6() != v6 || length < 0 || length > (v6 ? 128 : 32))
                return fail(QStringLiteral("'%1' is not an %2 address with its netmask").arg(line, v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4")));
            config.addresses.append(parsedAddress->toString() + QLatin1Char('/') + QString::number(length));
            mark("address");
            continue;
        }
        // ifconfig options, several to a line; a wgpeer takes the peer options after it.
        PeerConfig *peer = nullptr;
        for (qsizetype k = 0; k < w.size(); ++k) {
            const QString &option = w[k];
            auto value = [&]() -> std::optional<QString> {
                if (k + 1 >= w.size())
                    return std::nullopt;
                return w[++k];
            };
            auto number_ = [&](int low, int high) -> std::optional<int> {
                const auto text = value();
                bool ok = false;
                const int n = text ? text->toInt(&ok) : 0;
                if (!ok || n < low || n > high)
                    return std::nullopt;
                return n;
            };
            if (option == QLatin1String("up") || option == QLatin1String("down")) {
                continue;
            } else if (option == QLatin1String("description") || option == QLatin1String("descr")) {
                value();
            } else if (option == QLatin1String("wgkey")) {
                const auto key = value();
                if (!key || !KeyBase64::isValid(*key))
                    return fail(QStringLiteral("wgkey takes a base64 private key"));
                config.privateKey = *key;
                mark("privatekey");
            } else if (option == QLatin1String("wgport")) {
                const auto port = number_(1, 65535);
                if (!port)
                    return fail(QStringLiteral("wgport takes a port from 1 to 65535"));
                config.listenPort = *port;
                mark("listenport");
            } else if (option == QLatin1String("mtu")) {
                const auto mtu = number_(576, 65535);
                if (!mtu)
                    return fail(QStringLiteral("mtu takes a number from 576 to 65535"));
                config.mtu = *mtu;
                mark("mtu");
            } else if (option == QLatin1String("wgpeer")) {
                const auto key = value();
                if (!key || !KeyBase64::isValid(*key))
                    return fail(QStringLiteral("wgpeer takes the peer's base64 public key"));
                config.peers.append(PeerConfig{});
                peer = &config.peers.back();
                peer->publicKey = *key;
                peer->name = before;
                parsed.peerLines.append(number);
            } else if (peer && option == QLatin1String("wgpsk")) {
                const auto key = value();
                const auto psk = key ? PresharedKey::fromBase64(*key) : std::nullopt;
                if (!psk || psk->isEmpty())
                    return fail(QStringLiteral("wgpsk takes a base64 preshared key"));
                peer->presharedKey = *psk;
            } else if (peer && option == QLatin1String("wgaip")) {
                const auto prefix = value();
                if (!prefix || !IpPrefix::parse(*prefix, true))
                    return fail(QStringLiteral("wgaip takes an address prefix"));
                peer->allowedIps.append(*prefix);
            } else if (peer && option == QLatin1String("wgendpoint")) {
                const auto host = value();
                const auto port = number_(1, 65535);
                if (!host || !port)
                    return fail(QStringLiteral("wgendpoint takes an address and a port"));
                peer->endpoint = (host->contains(QLatin1Char(':')) ? QLatin1Char('[') + *host + QLatin1Char(']') : *host)
                    + QLatin1Char(':') + QString::number(*port);
            } else if (peer && option == QLatin1String("wgpka")) {
                const auto seconds = number_(0, 65535);
                if (!seconds)
                    return fail(QStringLiteral("wgpka takes seconds from 0 to 65535"));
                peer->persistentKeepalive = *seconds;
            } else if (peer && (option == QLatin1String("wgdescr") || option == QLatin1String("wgdesc"))) {
                if (const auto name = value(); name && peer->name.isEmpty())
                    peer->name = *name;
            } else {
                parsed.unsupported.append({number, line});
                break;
            }
        }
    }
    if (config.privateKey.isEmpty() && !keyOptional) {
        if (error)
            *error = QStringLiteral("no wgkey line: the interface has no private key");
        return std::nullopt;
    }
    return parsed;
}

bool isSetconfLine(const QString &line, const QString &interfaceName)
{
    static const QRegularExpression pattern(QStringLiteral("^!\\s*(?:\\S*/)?wg\\s+(?:setconf|addconf|syncconf)\\s+(\\S+)\\s+\\S+\\s*$"));
    const QRegularExpressionMatch match = pattern.match(line.trimmed());
    return match.hasMatch() && match.captured(1) == interfaceName;
}

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
            out += " wgpsk " + peer.presharedKey.toBase64().toLatin1();
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
