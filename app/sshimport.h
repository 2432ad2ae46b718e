// Reading a running host's WireGuard configs over SSH, for `meshwright import --ssh`.
#pragma once

#include "configimport.h"
#include "deployment.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace SshImport {

/// Where to log in: "[NAME=][USER@]HOST[:PORT]" (an IPv6 address in brackets when a port
/// follows: [fd00::1]:22). NAME names the host in the project (else its uname -n).
/// Nullopt with \a error for anything else.
std::optional<PollTarget> parseTarget(const QString &text, QString *error);

/// What one host gave: its configs, and the SSH settings that reach it again.
struct HostConfigs
{
    QString host;            ///< the NAME given, else its short host name (uname -n), else the address
    SshSettings ssh;         ///< host, user, port, identity, sudo_cmd, conf_dir as used
    QList<ConfigImport::Source> sources;
};

/// Logs in to \a target with deploy's host-key policy (\a options: unknown keys refused
/// unless accepted, changed keys always refused), then reads every
/// /etc/wireguard/*.conf and /usr/local/etc/wireguard/*.conf through the target's sudo.
/// OpenBSD's /etc/hostname.wgN files are named in \a notes (not imported yet). Nothing
/// read is logged or printed. \a identity is recorded in the settings as the user gave it.
std::optional<HostConfigs> read(const PollTarget &target, const QString &identity, const DeployOptions &options, QStringList *notes,
                                QString *error);

} // namespace SshImport
