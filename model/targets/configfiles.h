// Generated files: their header, the pf anchor's text, writing them into a folder, masking keys.
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

/// The first line of every generated config of \a planned: whose it is, and that edits
/// there are overwritten.
QString header(const PlannedInterface &planned);

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
