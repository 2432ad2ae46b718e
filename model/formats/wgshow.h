// Parsers for `wg show IF latest-handshakes | transfer | endpoints` (link states from
// what they read: linkstate.h).
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace WgShow {

/// Largest output accepted: a few thousand peers; anything bigger is not `wg show`.
inline constexpr qsizetype MaxOutput = 1024 * 1024;

/// `wg show IF latest-handshakes`: public key -> Unix time of the latest handshake (0: never).
std::optional<QHash<QString, qint64>> parseLatestHandshakes(const QByteArray &output, QString *error = nullptr);
/// `wg show IF transfer`: public key -> (received, sent) bytes.
std::optional<QHash<QString, std::pair<qint64, qint64>>> parseTransfer(const QByteArray &output, QString *error = nullptr);
/// `wg show IF endpoints`: public key -> "host:port", empty for "(none)".
std::optional<QHash<QString, QString>> parseEndpoints(const QByteArray &output, QString *error = nullptr);

} // namespace WgShow
