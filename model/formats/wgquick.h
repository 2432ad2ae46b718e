// The wg-quick configuration format (wg0.conf): writer and parser.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace WgQuick {

/// Writes \a config as wg-quick text. \a header, when given, becomes comment lines on top.
/// Each peer's name goes in a comment line right after its [Peer] line.
QByteArray write(const InterfaceConfig &config, const QString &header = {});

/// Parses wg-quick text. Keys are matched case-insensitively, as `wg` does; repeated
/// list keys (Address, AllowedIPs, DNS, Pre/PostUp/Down) accumulate. A comment line
/// directly after a [Peer] line is taken as the peer's name. On failure returns nullopt
/// and sets \a error to "line N: message".
std::optional<InterfaceConfig> parse(const QByteArray &text, QString *error = nullptr);

/// Address or AllowedIPs entries as canonical prefixes ("10.0.0.1" is 10.0.0.1/32),
/// sorted, without repeats: two lists mean the same when these are equal.
QStringList canonicalPrefixes(QStringList texts);
/// \a config in a form that compares by meaning: addresses and AllowedIPs as canonical
/// prefixes ("10.0.0.1" is 10.0.0.1/32) in sorted order, DNS sorted, peers ordered by
/// public key and without their name comments. Commands keep their order.
InterfaceConfig canonical(InterfaceConfig config);
/// \a config as WireGuard holds it: a prefix that several peers list stays on the last of
/// them only (one prefix, one peer), and leaves the others' AllowedIPs.
InterfaceConfig effective(InterfaceConfig config);
/// True when \a a and \a b are wg-quick texts that configure the same interface: the
/// same canonical() config, whatever their comments, layout and order.
bool sameMeaning(const QByteArray &a, const QByteArray &b);

} // namespace WgQuick
