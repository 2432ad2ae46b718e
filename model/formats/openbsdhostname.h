// OpenBSD's hostname.wgN: the interface, its keys and peers as ifconfig(8) lines.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>

namespace OpenBsdHostname {

/// Writes /etc/hostname.wgN for \a planned: addresses (IPv6 before `up`, as OpenBSD
/// needs), wgkey, wgport, one wgpeer line per peer with wgpsk, wgaip, wgendpoint and
/// wgpka, and mtu. With it `sh /etc/netstart wgN` configures the whole interface.
QByteArray write(const PlannedInterface &planned, const QString &header = {});

} // namespace OpenBsdHostname
