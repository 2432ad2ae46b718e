// Writing a file so that readers see the old content or the new, never a part.
#include "atomicfile.h"

#include <QFileInfo>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace AtomicFile {

namespace {

/// A hidden name beside \a path: its file name after a dot, then \a suffix.
QByteArray temporaryBeside(const QString &path, const QByteArray &suffix)
{
    const QFileInfo info(path);
    return QFile::encodeName(info.absolutePath() + QLatin1String("/.") + info.fileName()) + suffix;
}

/// One file on its way to \a path: the temporary file it is written to, then moved into
/// place. Every failure removes the temporary file and says why in the error.
class Pending
{
public:
    Pending(const QString &path, QString *error)
        : m_path(path)
        , m_target(QFile::encodeName(path))
        , m_error(error)
    {
    }

    const QByteArray &temporary() const { return m_temporary; }

    /// A new temporary file named \a temporary, with exactly \a mode (whatever the umask).
    bool create(const QByteArray &temporary, int mode)
    {
        m_temporary = temporary;
        ::unlink(m_temporary.constData()); // a leftover of an earlier process with this pid
        m_fd = ::open(m_temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (m_fd < 0)
            return fail("cannot create a temporary file");
        if (::fchmod(m_fd, mode) != 0)
            return abandon("cannot set the file mode");
        return true;
    }

    /// An old file of ours, open as \a fd at \a temporary, to be written over.
    void adopt(int fd, const QByteArray &temporary)
    {
        m_fd = fd;
        m_temporary = temporary;
    }

    /// Writes \a data from the start, cuts off what an old file had beyond it, flushes it
    /// to disk when \a durable, and closes the file.
    bool fill(QByteArrayView data, bool durable)
    {
        qsizetype written = 0;
        while (written < data.size()) {
            const ssize_t n = ::write(m_fd, data.constData() + written, size_t(data.size() - written));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return abandon("cannot write");
            written += n;
        }
        if (::ftruncate(m_fd, off_t(data.size())) != 0)
            return abandon("cannot write");
        if (durable && ::fsync(m_fd) != 0)
            return abandon("cannot flush to disk");
        const int closed = ::close(m_fd);
        m_fd = -1;
        if (closed != 0)
            return abandon("cannot close");
        return true;
    }

    /// Renames the temporary file over the target.
    bool rename()
    {
        if (::rename(m_temporary.constData(), m_target.constData()) != 0)
            return abandon("cannot rename into place");
        return true;
    }

    /// Swaps the temporary file and the target, so that the old file is left at the
    /// temporary name; where there is no old file to swap with, or the file system
    /// cannot, renames. \a swapped tells which.
    bool swap(bool *swapped)
    {
        *swapped = false;
#ifdef RENAME_EXCHANGE
        if (::renameat2(AT_FDCWD, m_temporary.constData(), AT_FDCWD, m_target.constData(), RENAME_EXCHANGE) == 0) {
            struct stat displaced;
            if (::fstatat(AT_FDCWD, m_temporary.constData(), &displaced, AT_SYMLINK_NOFOLLOW) == 0
                && S_ISDIR(displaced.st_mode)) {
                // A file never replaces a folder: put it back, and fail as rename() does.
                ::renameat2(AT_FDCWD, m_temporary.constData(), AT_FDCWD, m_target.constData(), RENAME_EXCHANGE);
                errno = EISDIR;
                return abandon("cannot rename into place");
            }
            *swapped = true;
            return true;
        }
#endif
        return rename();
    }

private:
    bool fail(const char *what)
    {
        if (m_error)
            *m_error = QStringLiteral("%1: %2: %3")
                           .arg(m_path, QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }

    /// Closes and removes the temporary file, keeping errno for the message.
    bool abandon(const char *what)
    {
        const int saved = errno;
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
        ::unlink(m_temporary.constData());
        errno = saved;
        return fail(what);
    }

    const QString &m_path;
    const QByteArray m_target;
    QString *m_error;
    QByteArray m_temporary;
    int m_fd = -1;
};

std::atomic<quint64> writers{0};

} // namespace

bool write(const QString &path, QByteArrayView data, int mode, QString *error, bool durable)
{
    Pending file(path, error);
    return file.create(temporaryBeside(path, ".tmp-" + QByteArray::number(::getpid())), mode)
        && file.fill(data, durable) && file.rename();
}

Writer::Writer(int mode)
    : m_mode(mode)
    , m_prefix(".tmp-" + QByteArray::number(::getpid()) + '-' + QByteArray::number(++writers))
{
}

Writer::~Writer()
{
    dropSpare();
}

bool Writer::write(const QString &path, QByteArrayView data, QString *error)
{
    bool swapped = false;
    if (m_spare >= 0) {
        Pending reused(path, nullptr);
        reused.adopt(std::exchange(m_spare, -1), m_sparePath);
        if (reused.fill(data, false) && reused.swap(&swapped)) {
            if (swapped)
                keepDisplaced();
            return true;
        }
        // The old file is removed; where it lay may be another file system than \a path's
        // folder: a new temporary file beside it, as write() makes.
    }
    Pending file(path, error);
    if (!file.create(temporaryBeside(path, m_prefix), m_mode) || !file.fill(data, false) || !file.swap(&swapped))
        return false;
    if (swapped) {
        m_sparePath = file.temporary();
        keepDisplaced();
    }
    return true;
}

void Writer::keepDisplaced()
{
    const QByteArray &path = m_sparePath;
    auto reusable = [this](const struct stat &s) {
        return S_ISREG(s.st_mode) && s.st_uid == ::geteuid() && s.st_nlink == 1 && int(s.st_mode & 07777) == m_mode;
    };
    struct stat before;
    if (::fstatat(AT_FDCWD, path.constData(), &before, AT_SYMLINK_NOFOLLOW) != 0)
        return; // someone removed it
    if (reusable(before)) {
#ifdef F_SETLEASE
        const int fd = ::open(path.constData(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat opened;
        // A write lease is granted only when no one else has the file open or mapped:
        // a reader of the old file keeps reading the old file.
        if (fd >= 0 && ::fstat(fd, &opened) == 0 && opened.st_dev == before.st_dev && opened.st_ino == before.st_ino
            && reusable(opened) && ::fcntl(fd, F_SETLEASE, F_WRLCK) == 0) {
            ::fcntl(fd, F_SETLEASE, F_UNLCK);
            m_spare = fd;
            return;
        }
        if (fd >= 0)
            ::close(fd);
#endif
    }
    ::unlink(path.constData()); // as renaming over it would have removed it
}

void Writer::dropSpare()
{
    if (m_spare < 0)
        return;
    ::close(m_spare);
    m_spare = -1;
    ::unlink(m_sparePath.constData());
}

} // namespace AtomicFile
