// Reading a zip archive, as the WireGuard apps export their tunnels: stored and deflated
// files, each unpacked within a limit.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace ZipArchive {

struct Entry
{
    QString name; ///< the path inside the archive, with '/' between folders
    QByteArray data;
};

/// The files in the zip archive \a bytes (folders left out), in the archive's order. Each
/// file may unpack to at most \a maxEntrySize bytes and all of them to \a maxTotalSize:
/// unpacking stops at the limit, whatever sizes the archive claims, so a zip bomb costs
/// no more than that. Nullopt with \a error for a damaged archive (a bad CRC included),
/// an encrypted file, a ZIP64 archive, a method other than stored or deflate, or a file
/// over its limit.
std::optional<QList<Entry>> read(const QByteArray &bytes, qint64 maxEntrySize, qint64 maxTotalSize, QString *error);

} // namespace ZipArchive
