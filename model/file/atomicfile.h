// Writing a file so that readers see the old content or the new, never a part.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace AtomicFile {

/// Writes \a data to a temporary file beside \a path, created with \a mode (e.g. 0600, so a
/// secret is never readable by others, not even briefly), then renames it over \a path.
/// With \a durable the data is flushed to disk before the rename. On failure the old file
/// is untouched, the temporary file is removed and \a error says why.
bool write(const QString &path, QByteArrayView data, int mode, QString *error,
           bool durable = false);

} // namespace AtomicFile
