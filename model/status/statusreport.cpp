// What `meshwright status` prints: a table or JSON of every link and host.
#include "statusreport.h"

#include <QJsonArray>

#include <algorithm>

namespace {

QJsonObject endObject(const QString &host, const QString &peer, const QString &interfaceName, const std::optional<LinkEndView> &view,
                      const QString &endpoint, double rxRate, double txRate, const HostStatus &status)
{
    QJsonObject end{{QStringLiteral("host"), host},
                    {QStringLiteral("peer"), peer},
                    {QStringLiteral("interface"), interfaceName},
                    {QStringLiteral("ssh"), status.ssh},
                    {QStringLiteral("reachable"), status.reachable}};
    if (!view)
        return end;
    end.insert(QStringLiteral("interfaceUp"), view->interfaceUp);
    end.insert(QStringLiteral("latestHandshakeAge"), view->handshakeAge ? QJsonValue(double(*view->handshakeAge)) : QJsonValue());
    end.insert(QStringLiteral("endpoint"), endpoint.isEmpty() ? QJsonValue() : QJsonValue(endpoint));
    end.insert(QStringLiteral("rxBytes"), double(view->rxBytes));
    end.insert(QStringLiteral("txBytes"), double(view->txBytes));
    // Rates need two polls: null after the first.
    end.insert(QStringLiteral("rxRate"), view->ratesKnown ? QJsonValue(rxRate) : QJsonValue());
    end.insert(QStringLiteral("txRate"), view->ratesKnown ? QJsonValue(txRate) : QJsonValue());
    return end;
}

HostStatus statusOf(const QList<HostStatus> &hosts, const QString &name)
{
    const auto it = std::find_if(hosts.cbegin(), hosts.cend(), [&](const HostStatus &h) { return h.name == name; });
    return it != hosts.cend() ? *it : HostStatus{name, false, false, {}};
}

constexpr LinkState AllStates[] = {LinkState::Alive, LinkState::Idle, LinkState::Down, LinkState::OneSided, LinkState::Unknown};

} // namespace

namespace StatusReport {

QList<HostStatus> hosts(const LinkStatusBoard &board, const QHash<QString, QString> &reasons)
{
    QList<HostStatus> result;
    for (qsizetype i = 0; i < board.hostNames().size(); ++i) {
        const QString &name = board.hostNames()[i];
        result.append({name, board.hasSsh(i), board.isReachable(i), board.isReachable(i) ? QString() : reasons.value(name)});
    }
    return result;
}

bool healthy(const QList<LinkStatus> &links)
{
    return std::none_of(links.cbegin(), links.cend(), [](const LinkStatus &link) { return link.needsAttention; });
}

QString endText(const std::optional<LinkEndView> &view, bool ssh, bool reachable)
{
    if (!ssh)
        return QStringLiteral("no ssh");
    if (!reachable || !view)
        return QStringLiteral("unreachable");
    if (!view->interfaceUp)
        return QStringLiteral("interface down");
    return StatusPoll::ageText(view->handshakeAge);
}

QString countText(const QList<LinkStatus> &links)
{
    QHash<LinkState, int> counts;
    for (const LinkStatus &link : links)
        counts[link.state]++;
    QStringList parts;
    for (const LinkState state : AllStates) {
        if (counts.value(state))
            parts.append(QStringLiteral("%1 %2").arg(counts.value(state)).arg(LinkStates::name(state)));
    }
    return parts.join(QLatin1String(", "));
}

QString table(const QList<LinkStatus> &links, const QList<HostStatus> &hosts)
{
    QList<QStringList> rows{{QStringLiteral("HOST"), QStringLiteral("PEER"), QStringLiteral("STATE"), QStringLiteral("HOST SEES"),
                             QStringLiteral("PEER SEES"), QStringLiteral("ENDPOINT"), QStringLiteral("RX/TX")}};
    for (const LinkStatus &link : links) {
        const HostStatus a = statusOf(hosts, link.a);
        const HostStatus b = statusOf(hosts, link.b);
        // Rates and endpoint from whichever end answered; a phone's from its gateway's view.
        const auto traffic = link.traffic();
        const QString rates = traffic && traffic->ratesKnown
            ? StatusPoll::rateText(traffic->rx) + QLatin1String(" / ") + StatusPoll::rateText(traffic->tx)
            : QStringLiteral("-");
        const QString endpoint = traffic ? traffic->endpoint : QString();
        rows.append({link.a, link.b, LinkStates::name(link.state) + (link.needsAttention ? QStringLiteral(" !") : QString()),
                     endText(link.viewA, a.ssh, a.reachable), endText(link.viewB, b.ssh, b.reachable),
                     endpoint.isEmpty() ? QStringLiteral("-") : endpoint, rates});
    }
    QList<qsizetype> widths(rows.front().size(), 0);
    for (const QStringList &row : std::as_const(rows)) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    QString text;
    for (const QStringList &row : std::as_const(rows)) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
        text += line + QLatin1Char('\n');
    }
    for (const LinkStatus &link : links) {
        if (!link.via.isEmpty()) // its ends see the relay: say how each hop is
            text += QStringLiteral("%1 <-> %2: via %3 (%4)\n").arg(link.a, link.b, link.via, link.hopsText());
    }
    for (const LinkStatus &link : links) {
        if (!link.exitOf.isEmpty())
            text += QStringLiteral("%1: exit %2 (%3)\n").arg(link.exitOf, link.exitOf == link.a ? link.b : link.a, link.exitDetail);
    }
    for (const HostStatus &host : hosts) {
        if (host.ssh && !host.reachable)
            text += QStringLiteral("%1: unreachable (%2)\n").arg(host.name, host.reason.isEmpty() ? QStringLiteral("no answer yet") : host.reason);
    }
    const QString counts = countText(links);
    text += QStringLiteral("%1 links: %2; %3\n")
                .arg(links.size())
                .arg(counts.isEmpty() ? QStringLiteral("none") : counts,
                     healthy(links) ? QStringLiteral("every link that should be up is alive")
                                    : QStringLiteral("links marked ! need attention"));
    return text;
}

QJsonObject json(const QList<LinkStatus> &links, const QList<HostStatus> &hosts, const QDateTime &time)
{
    QJsonArray linkArray;
    QHash<LinkState, int> counts;
    for (const LinkStatus &link : links) {
        counts[link.state]++;
        const HostStatus a = statusOf(hosts, link.a);
        const HostStatus b = statusOf(hosts, link.b);
        QJsonObject object{
            {QStringLiteral("a"), link.a},
            {QStringLiteral("b"), link.b},
            {QStringLiteral("state"), LinkStates::name(link.state)},
            {QStringLiteral("needsAttention"), link.needsAttention},
            {QStringLiteral("keepalive"), link.keepalive},
            {QStringLiteral("ends"),
             QJsonArray{endObject(link.a, link.b, link.interfaceA, link.viewA, link.endpointSeenByA, link.rxRateA, link.txRateA, a),
                        endObject(link.b, link.a, link.interfaceB, link.viewB, link.endpointSeenByB, link.rxRateB, link.txRateB, b)}}};
        if (!link.via.isEmpty()) { // relayed: the ends' views are of the relay
            object.insert(QStringLiteral("via"), link.via);
            object.insert(QStringLiteral("hops"), QJsonArray{LinkStates::name(link.hopA), LinkStates::name(link.hopB)});
        }
        if (!link.exitOf.isEmpty()) { // the link carries this client's default route now
            object.insert(QStringLiteral("exitOf"), link.exitOf);
            object.insert(QStringLiteral("exitDetail"), link.exitDetail);
        }
        linkArray.append(object);
    }
    QJsonArray hostArray;
    for (const HostStatus &host : hosts) {
        QJsonObject object{{QStringLiteral("name"), host.name}, {QStringLiteral("ssh"), host.ssh}, {QStringLiteral("reachable"), host.reachable}};
        if (!host.reason.isEmpty())
            object.insert(QStringLiteral("reason"), host.reason);
        hostArray.append(object);
    }
    QJsonObject countObject;
    for (const LinkState state : AllStates)
        countObject.insert(LinkStates::name(state), counts.value(state));
    return QJsonObject{{QStringLiteral("time"), time.toUTC().toString(Qt::ISODate)},
                       {QStringLiteral("ok"), healthy(links)},
                       {QStringLiteral("counts"), countObject},
                       {QStringLiteral("hosts"), hostArray},
                       {QStringLiteral("links"), linkArray}};
}

} // namespace StatusReport
