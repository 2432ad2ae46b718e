// Parsers for `wg show IF latest-handshakes | transfer | endpoints`, and link states from them.
#include "wgshow.h"

#include "ipaddress.h"
#include "keystore.h"

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
        if (!WireGuardKeys::isValidKey(key))
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

namespace LinkStates {

LinkState judge(const std::optional<LinkEndView> &a, const std::optional<LinkEndView> &b, bool keepalive)
{
    if (!a && !b)
        return LinkState::Unknown;
    // An end whose interface is down or missing takes the link down at once, whatever the
    // other end remembers of the last handshake.
    if ((a && !a->interfaceUp) || (b && !b->interfaceUp))
        return LinkState::Down;
    auto fresh = [](const std::optional<LinkEndView> &end) {
        return end && end->handshakeAge && *end->handshakeAge < RejectAfter;
    };
    if (a && b) {
        if (fresh(a) && fresh(b))
            return LinkState::Alive;
        if (fresh(a) != fresh(b))
            return LinkState::OneSided;
    } else if (fresh(a) || fresh(b)) {
        return LinkState::Alive; // seen from the only end that can be asked (a phone's gateway)
    }
    // Nothing fresh: quiet is fine on a link that needs no keepalive and moves nothing;
    // a link that never had a handshake was never up.
    const bool everUp = (a && a->handshakeAge) || (b && b->handshakeAge);
    const bool traffic = (a && a->traffic) || (b && b->traffic);
    if (!keepalive && !traffic && everUp)
        return LinkState::Idle;
    return LinkState::Down;
}

QString name(LinkState state)
{
    switch (state) {
    case LinkState::Alive:
        return QStringLiteral("alive");
    case LinkState::Idle:
        return QStringLiteral("idle");
    case LinkState::Down:
        return QStringLiteral("down");
    case LinkState::OneSided:
        return QStringLiteral("one-sided");
    case LinkState::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

} // namespace LinkStates
