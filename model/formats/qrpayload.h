// The text a phone's WireGuard app imports from a QR code: only the keys its parser accepts.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>
#include <QStringList>

namespace QrPayload {

/// Keys the WireGuard Android app accepts; anything else makes its import fail.
QStringList acceptedInterfaceKeys();
QStringList acceptedPeerKeys();

/// The config as the app imports it: [Interface] with Address, DNS, ListenPort, MTU,
/// PrivateKey; [Peer] with PublicKey, PresharedKey, AllowedIPs, Endpoint,
/// PersistentKeepalive. No comments, no empty values. What had to be left out (Table,
/// Pre/PostUp/Down, FwMark, SaveConfig, an Endpoint without a port, a peer without a
/// public key) is named in \a leftOut.
QByteArray build(const InterfaceConfig &config, QStringList *leftOut = nullptr);

} // namespace QrPayload
