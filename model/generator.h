// The files generated for a host, and writing them into an output folder.
#pragma once

#include "interfaceconfig.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Generator {

/// One generated file. Every one of them holds a private key.
struct File
{
    QString relativePath; ///< HOST/wg0.conf, HOST/wg0-GATEWAY.conf, HOST/hostname.wg0
    QByteArray content;
};

/// The files for one planned interface: wgN.conf, the per-gateway profiles of a roaming
/// client, for OpenBSD hosts hostname.wgN, and for OpenBSD routers pf-meshwright.conf.
QList<File> files(const PlannedInterface &planned);

/// Writes \a files below \a directory, each atomically and with mode 0600 (they hold
/// private keys), creating host folders as needed. Stops at the first failure.
bool write(const QString &directory, const QList<File> &files, QString *error,
           qint64 *bytesWritten = nullptr);

/// \a text with the values of PrivateKey and PresharedKey lines (and OpenBSD's wgkey and
/// wgpsk, EdgeOS/VyOS private-key and preshared-key) replaced by "•••• (hidden)", for
/// showing and copying without revealing secrets.
QString maskSecrets(const QString &text);

} // namespace Generator
