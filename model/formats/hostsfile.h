// The mesh's names in /etc/hosts: a block between marker lines that Meshwright owns.
#pragma once

#include "project.h"

#include <QByteArray>

namespace HostsFile {

/// The first and last lines of the block; nothing outside them is ever touched.
extern const QByteArray BeginMarker;
extern const QByteArray EndMarker;

/// The block for \a project, markers included: per host and per address of its mesh
/// interface (IPv4, then IPv6), "ADDRESS NAME.IFACE" and, when the interface has a domain,
/// "NAME.DOMAIN" (f0.wg0 and f0.wg0.wan.example.org, as the f3s article writes them).
QByteArray block(const Project &project);

/// \a live with its Meshwright block replaced by \a block, or \a block appended when it has
/// none (after a newline, if the file's last line lacks one). An empty \a block removes
/// the block (hosts_file turned off). Everything else stays byte for byte; merging the same
/// block twice gives the same file.
QByteArray merge(const QByteArray &live, const QByteArray &block);

} // namespace HostsFile
