// Writing a file so that readers see the old content or the new, never a part.
#include "atomicfile.h"

#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace AtomicFile {

bool write(const QString &path, QByteArrayView data, int mode, QString *error, bool durable)
{
    const QByteArray target = QFile::encodeName(path);
    const QFileInfo info(path);
    const QByteArray temporary
        = QFile::encodeName(info.absolutePath() + QLatin1String("/.") + info.fileName()
                            + QLatin1String(".tmp-") + QString::number(::getpid()));
    auto fail = [&](const char *what) {
        if (error)
            *error = QStringLiteral("%1: %2: %3")
                         .arg(path, QLatin1String(what), QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    };
    int fd = -1;
    // Closes and removes the temporary file, keeping errno for the message.
    auto abandon = [&](const char *what) {
        const int saved = errno;
        if (fd >= 0)
            ::close(fd);
        ::unlink(temporary.constData());
        errno = saved;
        return fail(what);
    };

    ::unlink(temporary.constData());
    fd = ::open(temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return fail("cannot create a temporary file");
    // The umask may have narrowed the mode; set exactly what was asked for.
    if (::fchmod(fd, mode) != 0)
        return abandon("cannot set the file mode");
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return abandon("cannot write");
        written += n;
    }
    if (durable && ::fsync(fd) != 0)
        return abandon("cannot flush to disk");
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0)
        return abandon("cannot close");
    if (::rename(temporary.constData(), target.constData()) != 0)
        return abandon("cannot rename into place");
    return true;
}

} // namespace AtomicFile
