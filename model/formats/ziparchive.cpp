// Reading a zip archive: its central directory, then each file's data, inflated with zlib.
#include "ziparchive.h"

#include <zlib.h>

#include <cstring>

namespace {

constexpr quint32 EndSignature = 0x06054b50;
constexpr quint32 CentralSignature = 0x02014b50;
constexpr quint32 LocalSignature = 0x04034b50;
constexpr int EndSize = 22;
constexpr int CentralSize = 46;
constexpr int LocalSize = 30;
constexpr int MaxEntries = 10000;

quint16 u16(const QByteArray &b, qsizetype at)
{
    return quint16(uchar(b[at]) | uchar(b[at + 1]) << 8);
}

quint32 u32(const QByteArray &b, qsizetype at)
{
    return quint32(u16(b, at)) | quint32(u16(b, at + 2)) << 16;
}

/// Inflates raw deflate data into at most \a limit bytes; nullopt when it is damaged or
/// would unpack to more.
std::optional<QByteArray> inflateRaw(const char *data, qsizetype size, qint64 limit, bool *tooLarge)
{
    z_stream stream;
    std::memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
        return std::nullopt;
    QByteArray out;
    char chunk[16384];
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    stream.avail_in = uInt(size);
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef *>(chunk);
        stream.avail_out = sizeof chunk;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END)
            break;
        const qsizetype made = qsizetype(sizeof chunk - stream.avail_out);
        if (out.size() + made > limit) {
            *tooLarge = true;
            status = Z_DATA_ERROR;
            break;
        }
        out.append(chunk, made);
        if (status == Z_OK && made == 0 && stream.avail_in == 0)
            break; // the input ends before the stream does
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END)
        return std::nullopt;
    return out;
}

} // namespace

namespace ZipArchive {

std::optional<QList<Entry>> read(const QByteArray &bytes, qint64 maxEntrySize, qint64 maxTotalSize, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<QList<Entry>> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    // The end record sits in the last 22 bytes plus at most a 64 KiB comment.
    qsizetype end = -1;
    for (qsizetype at = bytes.size() - EndSize; at >= 0 && at >= bytes.size() - EndSize - 0xffff; --at) {
        if (u32(bytes, at) == EndSignature) {
            end = at;
            break;
        }
    }
    if (end < 0)
        return fail(QStringLiteral("not a zip archive (no end of central directory)"));
    const int count = u16(bytes, end + 10);
    const quint32 directorySize = u32(bytes, end + 12);
    const quint32 directoryAt = u32(bytes, end + 16);
    if (count == 0xffff || directoryAt == 0xffffffff)
        return fail(QStringLiteral("a ZIP64 archive, which is not read"));
    if (count > MaxEntries)
        return fail(QStringLiteral("%1 files in the archive: more than %2").arg(count).arg(MaxEntries));
    if (qint64(directoryAt) + directorySize > end)
        return fail(QStringLiteral("a damaged archive (its directory lies outside it)"));

    QList<Entry> entries;
    qint64 total = 0;
    qsizetype at = directoryAt;
    for (int k = 0; k < count; ++k) {
        if (at + CentralSize > end || u32(bytes, at) != CentralSignature)
            return fail(QStringLiteral("a damaged archive (directory entry %1)").arg(k + 1));
        const quint16 flags = u16(bytes, at + 8);
        const quint16 method = u16(bytes, at + 10);
        const quint32 crc = u32(bytes, at + 16);
        const quint32 packed = u32(bytes, at + 20);
        const quint32 size = u32(bytes, at + 24);
        const quint16 nameLength = u16(bytes, at + 28);
        const quint16 extraLength = u16(bytes, at + 30);
        const quint16 commentLength = u16(bytes, at + 32);
        const quint32 localAt = u32(bytes, at + 42);
        if (at + CentralSize + nameLength > end)
            return fail(QStringLiteral("a damaged archive (directory entry %1)").arg(k + 1));
        const QString name = (flags & 0x800) ? QString::fromUtf8(bytes.mid(at + CentralSize, nameLength))
                                              : QString::fromLatin1(bytes.mid(at + CentralSize, nameLength));
        at += CentralSize + nameLength + extraLength + commentLength;
        if (name.endsWith(QLatin1Char('/')))
            continue; // a folder
        if (packed == 0xffffffff || size == 0xffffffff)
            return fail(QStringLiteral("%1: a ZIP64 entry, which is not read").arg(name));
        if (flags & 0x1)
            return fail(QStringLiteral("%1: encrypted; export the tunnels without a password").arg(name));
        if (method != 0 && method != 8)
            return fail(QStringLiteral("%1: compressed with method %2; only stored and deflate are read").arg(name).arg(method));
        if (qint64(localAt) + LocalSize > end || u32(bytes, localAt) != LocalSignature)
            return fail(QStringLiteral("%1: a damaged archive (no local header)").arg(name));
        const qint64 dataAt = qint64(localAt) + LocalSize + u16(bytes, localAt + 26) + u16(bytes, localAt + 28);
        if (dataAt + packed > end)
            return fail(QStringLiteral("%1: a damaged archive (its data lies outside it)").arg(name));
        const qint64 limit = std::min(maxEntrySize, maxTotalSize - total);
        QByteArray data;
        if (method == 0) {
            if (packed > limit)
                return fail(QStringLiteral("%1: larger than %2 bytes").arg(name).arg(limit));
            data = bytes.mid(dataAt, packed);
        } else {
            bool tooLarge = false;
            const auto inflated = inflateRaw(bytes.constData() + dataAt, qsizetype(packed), limit, &tooLarge);
            if (!inflated)
                return fail(tooLarge ? QStringLiteral("%1: unpacks to more than %2 bytes (a zip bomb?)").arg(name).arg(limit)
                                     : QStringLiteral("%1: damaged deflate data").arg(name));
            data = *inflated;
        }
        if (data.size() != qsizetype(size)
            || crc32(0L, reinterpret_cast<const Bytef *>(data.constData()), uInt(data.size())) != crc)
            return fail(QStringLiteral("%1: damaged (its size or CRC is not what the archive says)").arg(name));
        total += data.size();
        entries.append({name, data});
    }
    return entries;
}

} // namespace ZipArchive
