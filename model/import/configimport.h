// Importing an existing WireGuard estate from its wg-quick configs: one project, every key
// kept, and a check that the project gives configs of the same meaning.
#pragma once

#include "deployment.h"
#include "keystore.h"
#include "polltarget.h"
#include "project.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace ConfigImport {

/// How a config file says what it says.
enum class Format {
    WgQuick,         ///< NAME.conf, as wg-quick and every WireGuard app read it
    OpenBsdHostname, ///< OpenBSD's /etc/hostname.wgN: ifconfig(8) lines
};

/// One config to import and the host it belongs to.
struct Source
{
    QString host;
    QString interfaceName; ///< wg0: the file's base name, or N of hostname.N
    QString path;          ///< for messages; ARCHIVE.zip:ENTRY for a file in a zip
    QByteArray text;
    /// The host's system when known (read over SSH: uname -s); empty: OpenBSD for a
    /// hostname.wgN, FreeBSD for a file in a usr/local/etc/wireguard folder, else Linux.
    QString os = {};
    Format format = Format::WgQuick;
    /// The address the host was reached at over SSH: its LAN address when it is a private
    /// one and no peer dials the host.
    QString reachedAt = {};
    /// OpenBSD: the hostname.wgN beside this wg-quick file that sets the interface's
    /// addresses and loads the rest from this file (`!wg setconf wgN FILE`), and its path.
    QByteArray hostnameText = {};
    QString hostnamePath = {};
};

/// Finds the configs in \a paths, each a wg-quick file, an OpenBSD hostname.wgN, a .zip
/// as the WireGuard apps export their tunnels, or a folder: NAME.conf is host NAME's wg0
/// (a file called wgN.conf or hostname.wgN takes its folder's name); a folder or a zip
/// holds NAME.conf files, HOST/IFACE.conf, HOST/hostname.wgN, or wireguardmeshgenerator's
/// HOST/etc/wireguard/IFACE.conf tree. Beside a host's hostname.wgN its wgN.conf is left
/// out (netstart reads the first), unless the hostname.wgN has no wgkey and loads the
/// wgN.conf with `!wg setconf`: then the two are one interface, addresses from the first,
/// the rest from the second. Per-gateway profiles (IFACE-GATEWAY.conf beside IFACE.conf)
/// are left out too; each is named in \a notes. \a rename maps a found host name to the
/// one to use (--name). False with \a error when a path cannot be read, holds no config,
/// or is a zip that is damaged or unpacks to more than a config can be.
std::optional<QList<Source>> collect(const QStringList &paths, const QHash<QString, QString> &rename, QStringList *notes,
                                     QString *error);

/// Something the configs say that the project cannot: the import refuses it unless the
/// user accepts the loss (--lossy).
struct Loss
{
    QString file;
    int line = 0; ///< 0: the file as a whole
    QString message;
    QString toString() const;
};

struct Result
{
    Project project;
    KeyStore keys;           ///< every host's private key and the links' preshared keys
    QList<Loss> losses;      ///< empty: generating the project gives configs of the same meaning
    /// What the configs say that is inconsistent, and the project keeps as it is: a peer
    /// listed on one side only, one prefix on two peers of an interface, an endpoint inside
    /// its own peer's AllowedIPs.
    QList<Loss> findings;
    QStringList notes;       ///< what was inferred: roles, sites, overrides
};

/// Builds one project from \a sources: a host per source (a router with one interface per
/// peer when a host has several interfaces, each with one peer); a link wherever a [Peer] names
/// another imported host's public key; roles from how the others reach each host (a public
/// endpoint address: internet site; a private one: LAN; nobody dials it: roaming, full
/// tunnel when it routes 0.0.0.0/0), exclude_peers from the peers each host lists, and
/// per-link overrides (endpoint, extra AllowedIPs, keepalive, no PSK) wherever the rules
/// say otherwise. Then every host is planned again and compared with its file: what
/// differs is a Loss, with the file and line. Fails (nullopt, \a error) on configs that
/// cannot be read: syntax, a missing or invalid private key, two hosts with one key.
std::optional<Result> build(const QList<Source> &sources, QString *error);

/// Where to log in to read a host: "[NAME=][USER@]HOST[:PORT]" (an IPv6 address in brackets
/// when a port follows: [fd00::1]:22). NAME names the host in the project (else its own
/// host name). Nullopt with \a error for anything else.
std::optional<PollTarget> parseSshTarget(const QString &text, QString *error);

/// What one running host gave: its configs, and the SSH settings that reach it again.
struct RemoteHost
{
    QString host;    ///< the NAME given, else its short host name (uname -n), else the address
    SshSettings ssh; ///< host, user, port, identity, sudo_cmd, conf_dir as used
    QList<Source> sources;
};

/// Reads running hosts' configs: the application's, over SSH (the model never talks to a
/// network itself). read() blocks, and may be called from any one thread at a time.
class RemoteReader
{
public:
    virtual ~RemoteReader() = default;
    /// Logs in to \a target with deploy's host-key policy (\a options: unknown keys refused
    /// unless accepted, changed keys always refused) and reads its configs. Nullopt with
    /// \a error ("ADDRESS: why"), and \a unknownKey set to the fingerprint when the host's
    /// key is not known yet and could be accepted.
    virtual std::optional<RemoteHost> read(const PollTarget &target, const QString &identity, const DeployOptions &options,
                                           QStringList *notes, QString *error, QString *unknownKey) = 0;
};

/// Gives each imported host that was read over SSH the settings it was read with, so that
/// a deploy reaches it again.
void recordSsh(Result &result, const QList<RemoteHost> &hosts);

} // namespace ConfigImport
