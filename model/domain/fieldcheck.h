// Checks of single values as a user types them: each returns what is wrong, or an empty
// string. The project file reader, the validator and the properties pane all ask here,
// so a rule and its message live in one place.
#pragma once

#include "ipaddress.h"

#include <QString>

namespace FieldCheck {

/// A host name, also used as a folder name: letters, digits, `_ . -`, at most 63
/// characters, starting with a letter or digit, no `..`.
QString hostName(const QString &name);
/// A domain name (may be empty): letters, digits, `_ . -`.
QString domainName(const QString &domain);
/// An IP address of \a family (IpAddress::Family::None: either).
QString address(const QString &text, IpAddress::Family family);
/// A mesh interface's address: IPv4 is required, IPv6 (\a v6) may be empty.
QString meshAddress(const QString &text, bool v6);
/// A mesh address that \a owner already uses.
QString addressTaken(const QString &text, const QString &owner);
/// An endpoint override (may be empty): HOST:PORT, no spaces, nothing that could add
/// lines to a config.
QString endpoint(const QString &text);
/// A value sent to a host in a remote command (ssh user, folder, sudo, reload command).
QString remoteCommandText(const QString &text);
/// An ssh user name (may be empty: the current user).
QString sshUser(const QString &user);
/// The folder the configs are installed in on the host: an absolute path.
QString configFolder(const QString &path);
/// A router's tunnel range (an IPv4 prefix); required with one interface per peer.
QString tunnelRange(const QString &text, bool perPeer);

} // namespace FieldCheck
