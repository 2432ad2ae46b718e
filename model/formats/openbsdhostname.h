// OpenBSD's hostname.wgN: the interface, its keys and peers as ifconfig(8) lines.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace OpenBsdHostname {

/// Writes /etc/hostname.wgN for \a planned: addresses (IPv6 before `up`, as OpenBSD
/// needs), wgkey, wgport, one wgpeer line per peer with wgpsk, wgaip, wgendpoint and
/// wgpka, and mtu. With it `sh /etc/netstart wgN` configures the whole interface.
QByteArray write(const PlannedInterface &planned, const QString &header = {});

/// A hostname.wgN read back: what ifconfig would configure, and where each part stands.
struct Parsed
{
    InterfaceConfig config;       ///< addresses with their prefix length ("10.0.0.1/24")
    QHash<QString, int> lines;    ///< "address", "listenport", "mtu", "privatekey" -> first line
    QList<int> peerLines;         ///< the line of each wgpeer, in config.peers' order
    /// Lines that configure what a wg-quick config has no word for (a `!command`, an
    /// rdomain, dhcp, ...): the line number and its text.
    QList<std::pair<int, QString>> unsupported;
};

/// Parses hostname.wgN text: `inet ADDR MASK|/LEN`, `inet6 ADDR LEN|/LEN`, and ifconfig's
/// WireGuard options (wgkey, wgport, wgpeer with wgpsk, wgaip, wgendpoint, wgpka, wgdescr),
/// mtu, up, description, one or several per line. A comment line right before a wgpeer
/// names the peer, as write() puts it. Nullopt with \a error ("line N: message") on a
/// value that is not what its option takes, and on a file without wgkey unless
/// \a keyOptional (a file that sets the addresses and leaves the keys and peers to a
/// `!wg setconf wgN FILE` line, as people write it beside a wg-quick config).
std::optional<Parsed> parse(const QByteArray &text, QString *error = nullptr, bool keyOptional = false);

/// True for a `!` line of a hostname.wgN that loads \a interfaceName's keys and peers from
/// a wg(8) config file: `!/usr/local/bin/wg setconf wg0 /etc/wireguard/wg0.conf`, or
/// `addconf`/`syncconf`, with or without the path of wg.
bool isSetconfLine(const QString &line, const QString &interfaceName);

} // namespace OpenBsdHostname
