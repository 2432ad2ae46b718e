// Helpers shared by the unit tests: paths to test data and the real wg-quick parser.
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

#include <sys/stat.h>
#include <unistd.h>

namespace TestSupport {

inline QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(MESHWRIGHT_SOURCE_DIR)).filePath(relative);
}

/// \a yaml (a project) with the block of \a host given \a lines, indented as host keys.
inline QByteArray withHostLines(QByteArray yaml, const char *host, const char *lines)
{
    const QByteArray key = QByteArray("  ") + host + ":\n";
    const qsizetype at = yaml.indexOf(key);
    Q_ASSERT(at >= 0);
    return yaml.insert(at + key.size(), lines);
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// The permission bits of \a path (0600, say), or -1 when it does not exist.
inline int fileMode(const QString &path)
{
    struct stat info{};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

/// Why `wg-quick strip` cannot run here, or empty when it can (it needs root and
/// wireguard-tools; the README's test command installs them, CI runs as root).
inline QString wgQuickUnavailable()
{
    if (QStandardPaths::findExecutable(QStringLiteral("wg-quick")).isEmpty())
        return QStringLiteral("wg-quick not found: install wireguard-tools");
    if (::geteuid() != 0)
        return QStringLiteral("wg-quick strip needs root");
    return {};
}

/// Runs the real wg-quick parser on \a path (whose base name must be a valid interface
/// name). Returns its error output, or empty when it accepted the file.
inline QString wgQuickStrip(const QString &path)
{
    QProcess process;
    process.start(QStringLiteral("wg-quick"), {QStringLiteral("strip"), path});
    if (!process.waitForFinished(20000))
        return QStringLiteral("wg-quick strip did not finish");
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("wg-quick strip %1 failed: %2")
            .arg(path, QString::fromLocal8Bit(process.readAllStandardError()));
    return {};
}

} // namespace TestSupport

namespace TestSupport {

/// Decodes the QR code in the image at \a path with zbarimg, byte for byte; sets \a error
/// when zbarimg is missing or reads nothing.
inline QByteArray decodeQr(const QString &path, QString *error)
{
    if (QStandardPaths::findExecutable(QStringLiteral("zbarimg")).isEmpty()) {
        *error = QStringLiteral("zbarimg not found: install zbar-tools (the README's test command does)");
        return {};
    }
    QProcess process;
    // QR codes only: in a code of random keys zbarimg now and then also "finds" an EAN.
    process.start(QStringLiteral("zbarimg"), {QStringLiteral("--raw"), QStringLiteral("-q"), QStringLiteral("-Sdisable"),
                                              QStringLiteral("-Sqrcode.enable"), QStringLiteral("-Sbinary"), path});
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        *error = QStringLiteral("zbarimg could not read %1: %2").arg(path, QString::fromLocal8Bit(process.readAllStandardError()));
        return {};
    }
    return process.readAllStandardOutput();
}

} // namespace TestSupport
