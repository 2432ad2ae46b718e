// Helpers for the import tests: an estate's configs, generated from a project, in a folder.
#pragma once

#include "keystore.h"
#include "openbsdhostname.h"
#include "planner.h"
#include "project.h"
#include "wgquick.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

#include <zlib.h>

#include <cstring>

namespace ImportSupport {

/// A file to put in a zip archive; \a deflate packs it (else stored), \a claimedSize
/// overrides the unpacked size the archive states (-1: the true one).
struct ZipFile
{
    QString name;
    QByteArray data;
    bool deflate = true;
    qint64 claimedSize = -1;
    bool encrypted = false;
};

/// A zip archive of \a files, as the WireGuard apps export their tunnels.
inline QByteArray makeZip(const QList<ZipFile> &files)
{
    auto u16 = [](QByteArray &out, quint32 v) { out.append(char(v & 0xff)).append(char((v >> 8) & 0xff)); };
    auto u32 = [&](QByteArray &out, quint32 v) { u16(out, v & 0xffff); u16(out, v >> 16); };
    QByteArray archive;
    QByteArray directory;
    for (const ZipFile &file : files) {
        QByteArray packed = file.data;
        if (file.deflate) {
            z_stream stream;
            std::memset(&stream, 0, sizeof stream);
            deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            packed.resize(qsizetype(deflateBound(&stream, uLong(file.data.size()))));
            stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(file.data.constData()));
            stream.avail_in = uInt(file.data.size());
            stream.next_out = reinterpret_cast<Bytef *>(packed.data());
            stream.avail_out = uInt(packed.size());
            deflate(&stream, Z_FINISH);
            packed.resize(qsizetype(stream.total_out));
            deflateEnd(&stream);
        }
        const quint32 crc = quint32(crc32(0L, reinterpret_cast<const Bytef *>(file.data.constData()), uInt(file.data.size())));
        const quint32 size = quint32(file.claimedSize >= 0 ? file.claimedSize : file.data.size());
        const QByteArray name = file.name.toUtf8();
        const quint32 offset = quint32(archive.size());
        const quint16 flags = quint16((file.encrypted ? 0x1 : 0) | 0x800);
        for (QByteArray *out : {&archive, &directory}) {
            const bool central = out == &directory;
            u32(*out, central ? 0x02014b50 : 0x04034b50);
            if (central)
                u16(*out, 20); // made by
            u16(*out, 20);     // version needed
            u16(*out, flags);
            u16(*out, file.deflate ? 8 : 0);
            u32(*out, 0); // time and date
            u32(*out, crc);
            u32(*out, quint32(packed.size()));
            u32(*out, size);
            u16(*out, quint32(name.size()));
            u16(*out, 0); // extra
            if (central) {
                u16(*out, 0); // comment
                u16(*out, 0); // disk
                u16(*out, 0); // internal attributes
                u32(*out, 0); // external attributes
                u32(*out, offset);
            }
            out->append(name);
        }
        archive.append(packed);
    }
    const quint32 directoryAt = quint32(archive.size());
    archive.append(directory);
    u32(archive, 0x06054b50);
    u16(archive, 0);
    u16(archive, 0);
    u16(archive, quint32(files.size()));
    u16(archive, quint32(files.size()));
    u32(archive, quint32(directory.size()));
    u32(archive, directoryAt);
    u16(archive, 0);
    return archive;
}

/// Writes \a text to \a path, making its folders; false when it cannot.
inline bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

/// Makes the keys \a project needs in \a keys and writes every host's wg0.conf where
/// \a layout (a path in \a dir with %1 for the host's name) says, as a running estate
/// would hold them. False when a file cannot be written.
inline bool writeEstate(const Project &project, KeyStore &keys, const QString &dir, const QString &layout)
{
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const QString path = QDir(dir).filePath(layout.arg(project.hosts[i].name));
        if (!writeFile(path, WgQuick::write(planner.plan(i, keys).config, QStringLiteral("generated"))))
            return false;
    }
    return true;
}

/// Makes the keys \a project needs in \a keys and writes every interface of every host into
/// \a dir as the hosts themselves keep them: HOST/etc/wireguard/IFACE.conf, on FreeBSD
/// HOST/usr/local/etc/wireguard/IFACE.conf, on OpenBSD HOST/etc/hostname.IFACE beside it.
/// External hosts have no files. False when a file cannot be written.
inline bool writeHostFiles(const Project &project, KeyStore &keys, const QString &dir)
{
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const Host &host = project.hosts[i];
        if (host.isExternal())
            continue;
        const QString root = QDir(dir).filePath(host.name);
        for (const PlannedInterface &planned : planner.planAll(i, keys)) {
            const QString folder = host.isFreeBsd() ? QStringLiteral("/usr/local/etc/wireguard/") : QStringLiteral("/etc/wireguard/");
            if (!writeFile(root + folder + planned.interfaceName + QLatin1String(".conf"), WgQuick::write(planned.config)))
                return false;
            if (host.isOpenBsd()
                && !writeFile(root + QLatin1String("/etc/hostname.") + planned.interfaceName, OpenBsdHostname::write(planned)))
                return false;
        }
    }
    return true;
}

} // namespace ImportSupport
