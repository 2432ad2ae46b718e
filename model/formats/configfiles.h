// The files generated for a host, and writing them into an output folder.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace AtomicFile {
class Writer;
}

namespace ConfigFiles {

/// The mode of every generated file: each holds a private key.
inline constexpr int FileMode = 0600;

/// One generated file. Every one of them holds a private key.
struct File
{
    QString relativePath; ///< HOST/wg0.conf, HOST/wg0-GATEWAY.conf, HOST/hostname.wg0
    QByteArray content;
};

/// The files for one planned interface: wgN.conf, the per-gateway profiles of a roaming
/// client, for OpenBSD hosts hostname.wgN, and for OpenBSD hosts that forward (exit
/// gateways, routers) pf-meshwright.conf.
QList<File> files(const PlannedInterface &planned);

/// Where an OpenBSD host keeps its pf rules, and the anchor that loads them.
inline constexpr char PfRulesPath[] = "/etc/pf-meshwright.conf";
inline constexpr char PfAnchor[] = "meshwright";
/// The pf rules of \a planned (pfRules) as the file /etc/pf.conf loads into the anchor,
/// with how to load it at the top; empty when it has none.
QByteArray pfRulesFile(const PlannedInterface &planned);

/// Writes \a files below \a directory, each atomically and with mode 0600 (they hold
/// private keys), creating host folders as needed. Stops at the first failure.
bool write(const QString &directory, const QList<File> &files, QString *error,
           qint64 *bytesWritten = nullptr);
/// The same through \a writer, made with FileMode, which reuses the storage of the files
/// replaced for the next ones: one writer for all the hosts a thread writes.
bool write(const QString &directory, const QList<File> &files, AtomicFile::Writer &writer, QString *error,
           qint64 *bytesWritten = nullptr);

/// \a text with the values of PrivateKey and PresharedKey lines (and OpenBSD's wgkey and
/// wgpsk, EdgeOS/VyOS private-key and preshared-key) replaced by "•••• (hidden)", for
/// showing and copying without revealing secrets.
QString maskSecrets(const QString &text);

} // namespace ConfigFiles
