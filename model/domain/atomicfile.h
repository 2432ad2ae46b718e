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

/// Writes many files one after another, each as write() does, and reuses the storage of
/// the files they replace: a new file is swapped into place (renameat2 RENAME_EXCHANGE),
/// and the old one it displaces, now under a temporary name of the writer's, is
/// overwritten with the next file rather than freed while a new one is allocated. A
/// folder of generated configs rewritten in place costs a third of the time that way.
///
/// An old file is reused only when nobody else can see it change: a regular file of this
/// user with exactly the writer's mode, one link, and no other process holding it open or
/// mapped (a write lease is granted). Otherwise it is removed, as a rename would have
/// removed it. What is left over is removed when the writer is destroyed. Where the file
/// system cannot swap, or the next file goes to another file system, files are written
/// beside their place and renamed into it as write() does.
class Writer
{
public:
    explicit Writer(int mode);
    ~Writer();
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;

    /// As AtomicFile::write(path, data, mode, error), not durable.
    bool write(const QString &path, QByteArrayView data, QString *error);

private:
    void keepDisplaced();
    void dropSpare();

    int m_mode;
    QByteArray m_prefix; ///< ".tmp-PID-N", N this writer's: no other writer uses its names
    int m_spare = -1;    ///< an open old file to write the next file into, or -1
    QByteArray m_sparePath;
};

} // namespace AtomicFile
