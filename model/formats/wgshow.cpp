// Parsers for `wg show IF latest-handshakes | transfer | endpoints`.
#include "wgshow.h"

#include "ipaddress.h"
#include "keybase64.h"

#include <QList>

namespace {

/// Splits tab-separated lines into fields, checking the count and the public key; calls
/// \a take for each line. False (with \a error "line N: ...") on anything else.
template<typename Take>
bool forEachLine(const QByteArray &output, int fields, QString *error, Take take)
{
    auto fail = [&](int line, const QString &message) {
        if (error)
            *error = QStringLiteral("line %1: %2").arg(line).arg(message);
        return false;
    };
    if (output.size() > WgShow::MaxOutput)
        return fail(0, QStringLiteral("more than %1 bytes: not wg show output").arg(WgShow::MaxOutput));
    int number = 0;
    for (const QByteArray &raw : output.split('\n')) {
        ++number;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        const QList<QByteArray> parts = line.split('\t');
        if (parts.size() != fields)
            return fail(number, QStringLiteral("expected %1 tab-separated fields").arg(fields));
        const QString key = QString::fromLatin1(parts[0]);
        if (!KeyBase64::isValid(key))
            return fail(number, QStringLiteral("not a public key"));
        if (!take(key, parts, number, fail))
            return false;
    }
    return true;
}

std::optional<qint64> count(const QByteArray &text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0 || text.isEmpty() || !std::isdigit(static_cast<unsigned char>(text[0])))
        return std::nullopt;
    return value;
}

} // namespace

namespace WgShow {

std::optional<QHash<QString, qint64>> parseLatestHandshakes(const QByteArray &output, QString *error)
{
    QHash<QString, qint64> result;
    const bool ok = forEachLine(output, 2, error, [&](const QString &key, const QList<QByteArray> &parts, int line, auto fail) {
        const auto at = count(parts[1]);
        if (!at)
            return fail(line, QStringLiteral("not a time: '%1'").arg(QString::fromLatin1(parts[1].left(32))));
        result.insert(key, *at);
        return true;
    });
    return ok ? std::optional(result) : std::nullopt;
}

std::optional<QHash<QString, std::pair<qint64, qint64>>> parseTransfer(const QByteArray &output, QString *error)
{
    QHash<QString, std::pair<qint64, qint64>> result;
    const bool ok = forEachLine(output, 3, error, [&](const QString &key, const QList<QByteArray> &parts, int line, auto fail) {
        const auto rx = count(parts[1]);
        const auto tx = count(parts[2]);
        if (!rx || !tx)
            return fail(line, QStringLiteral("not byte counts"));
        result.insert(key, {*rx, *tx});
        return true;
    });
    return ok ? std::optional(result) : std::nullopt;
}

std::optional<QHash<QString, QString>> parseEndpoints(const QByteArray &output, QString *error)
{
    QHash<QString, QString> result;
    const bool ok = forEachLine(output, 2, error, [&](const QString &key, const QList<QByteArray> &parts, int line, auto fail) {
        const QString endpoint = QString::fromLatin1(parts[1]);
        if (endpoint == QLatin1String("(none)")) {
            result.insert(key, QString());
            return true;
        }
        QString host;
        if (!splitEndpoint(endpoint, &host, nullptr) || !IpAddress::parse(host))
            return fail(line, QStringLiteral("not an endpoint: '%1'").arg(endpoint.left(64)));
        result.insert(key, endpoint);
        return true;
    });
    return ok ? std::optional(result) : std::nullopt;
}

} // namespace WgShow
