// Reading a running host's WireGuard configs over SSH: `meshwright import --ssh` and the
// editor's import from running hosts.
#pragma once

#include "configimport.h"
#include "deployment.h"

#include <QString>
#include <QStringList>

#include <optional>

/// ConfigImport's remote reader over SSH (libssh): logs in with deploy's host-key policy,
/// then reads every /etc/wireguard/*.conf, /usr/local/etc/wireguard/*.conf and OpenBSD
/// /etc/hostname.wgN through the target's sudo, with the host's name (uname -n) and system
/// (uname -s). Nothing read is logged or printed. The identity is recorded in the settings
/// as the user gave it.
class SshConfigReader : public ConfigImport::RemoteReader
{
public:
    std::optional<ConfigImport::RemoteHost> read(const PollTarget &target, const QString &identity, const DeployOptions &options,
                                                 QStringList *notes, QString *error, QString *unknownKey) override;
};
