// The end of a deploy: one verdict for the fleet, each host's outcome, each link's check.
#include "deployreport.h"

#include <QJsonArray>

QString linkResultName(LinkCheck::Result result)
{
    switch (result) {
    case LinkCheck::Result::Pending:
        return QStringLiteral("pending");
    case LinkCheck::Result::Ok:
        return QStringLiteral("ok");
    case LinkCheck::Result::NoRoute:
        return QStringLiteral("no route");
    case LinkCheck::Result::NoHandshake:
        return QStringLiteral("no handshake");
    case LinkCheck::Result::NoReply:
        return QStringLiteral("no reply");
    case LinkCheck::Result::Unreachable:
        return QStringLiteral("unreachable");
    }
    return {};
}

QString DeployReport::verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Confirmed:
        return QStringLiteral("confirmed");
    case Verdict::Unchanged:
        return QStringLiteral("unchanged");
    case Verdict::DryRun:
        return QStringLiteral("dry run");
    case Verdict::NothingSwitched:
        return QStringLiteral("nothing switched");
    case Verdict::RolledBack:
        return QStringLiteral("rolled back");
    case Verdict::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

int DeployReport::count(DeployResult::Outcome outcome) const
{
    return int(std::count_if(hosts.cbegin(), hosts.cend(), [outcome](const DeployResult &r) { return r.outcome == outcome; }));
}

const DeployResult *DeployReport::host(const QString &name) const
{
    const auto found = std::find_if(hosts.cbegin(), hosts.cend(), [&](const DeployResult &r) { return r.host == name; });
    return found == hosts.cend() ? nullptr : &*found;
}

QString DeployReport::summary() const
{
    const qsizetype verified = std::count_if(links.cbegin(), links.cend(), [](const LinkCheck &c) { return c.ok(); });
    QString text;
    switch (verdict) {
    case Verdict::Confirmed:
        text = QStringLiteral("confirmed: %1 hosts, %2 links verified (%3 switched, %4 unchanged)")
                   .arg(hosts.size())
                   .arg(verified)
                   .arg(count(DeployResult::Outcome::Updated))
                   .arg(count(DeployResult::Outcome::Unchanged));
        break;
    case Verdict::Unchanged:
        text = QStringLiteral("unchanged: %1 hosts, nothing to switch").arg(hosts.size());
        break;
    case Verdict::DryRun:
        text = QStringLiteral("dry run: %1 of %2 hosts would be switched, %3 links would be verified")
                   .arg(count(DeployResult::Outcome::Updated))
                   .arg(hosts.size())
                   .arg(links.size());
        break;
    case Verdict::NothingSwitched:
    case Verdict::Cancelled:
        text = QStringLiteral("%1: %2").arg(verdictName(verdict), reason);
        break;
    case Verdict::RolledBack: {
        text = QStringLiteral("rolled back: %1 hosts; %2").arg(count(DeployResult::Outcome::RolledBack)).arg(reason);
        const qsizetype back = std::count_if(previousLinks.cbegin(), previousLinks.cend(), [](const LinkCheck &c) { return c.ok(); });
        if (!previousLinks.isEmpty())
            text += QStringLiteral("; previous links: %1 of %2 work again").arg(back).arg(previousLinks.size());
        break;
    }
    }
    if (!reimport.isEmpty() && (verdict == Verdict::Confirmed || verdict == Verdict::DryRun))
        text += QStringLiteral("; re-import %1").arg(reimport.join(QLatin1String(", ")));
    if (!waiting.isEmpty() && (verdict == Verdict::Confirmed || verdict == Verdict::DryRun))
        text += QStringLiteral("; %1 links wait for hosts left out").arg(waiting.size());
    return text;
}

namespace {

QJsonArray checksToJson(const QList<LinkCheck> &checks)
{
    QJsonArray array;
    for (const LinkCheck &check : checks) {
        array.append(QJsonObject{{QStringLiteral("a"), check.link.a},
                                 {QStringLiteral("b"), check.link.b},
                                 {QStringLiteral("from"), check.link.from},
                                 {QStringLiteral("interface"), check.link.interfaceName},
                                 {QStringLiteral("addresses"), QJsonArray::fromStringList(check.link.addresses)},
                                 {QStringLiteral("result"), linkResultName(check.result)},
                                 {QStringLiteral("detail"), check.detail}});
    }
    return array;
}

} // namespace

QJsonObject DeployReport::toJson() const
{
    QJsonArray hostArray;
    for (const DeployResult &result : hosts) {
        hostArray.append(QJsonObject{{QStringLiteral("host"), result.host},
                                     {QStringLiteral("result"), deployOutcomeName(result.outcome)},
                                     {QStringLiteral("step"), deployStepName(result.step)},
                                     {QStringLiteral("reason"), result.reason},
                                     {QStringLiteral("changes"), result.changes}});
    }
    return QJsonObject{{QStringLiteral("verdict"), verdictName(verdict)},
                       {QStringLiteral("summary"), summary()},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("hosts"), hostArray},
                       {QStringLiteral("links"), checksToJson(links)},
                       {QStringLiteral("previousLinks"), checksToJson(previousLinks)},
                       {QStringLiteral("reimport"), QJsonArray::fromStringList(reimport)},
                       {QStringLiteral("waiting"), QJsonArray::fromStringList(waiting)},
                       {QStringLiteral("settled"), QJsonArray::fromStringList(settled)}};
}
