// A finding about a project: an error or a warning, tied to a host, a link or a line.
#include "diagnostic.h"

#include <QHash>

#include <algorithm>

QString Diagnostic::toString() const
{
    QString text = isError() ? QStringLiteral("error: ") : isNote() ? QStringLiteral("note: ") : QStringLiteral("warning: ");
    if (!host.isEmpty()) {
        text += host;
        if (!peer.isEmpty())
            text += QLatin1String(" -> ") + peer;
        text += QLatin1String(": ");
    }
    return text + message;
}

bool hasErrors(const QList<Diagnostic> &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
                       [](const Diagnostic &d) { return d.isError(); });
}

bool needsAction(const QList<Diagnostic> &diagnostics)
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(), [](const Diagnostic &d) { return !d.isNote(); });
}

QString nameList(const QStringList &names, qsizetype shown)
{
    if (names.size() <= 1)
        return names.value(0);
    if (names.size() == 2)
        return names[0] + QLatin1String(" and ") + names[1];
    if (names.size() <= shown)
        return names.first(names.size() - 1).join(QLatin1String(", ")) + QLatin1String(", and ") + names.last();
    return names.first(shown).join(QLatin1String(", ")) + QStringLiteral(", and %1 more").arg(names.size() - shown);
}

QString FindingGroup::toString() const
{
    if (hosts.size() <= 1)
        return first.toString();
    Diagnostic all = first;
    all.host = nameList(hosts);
    return all.toString();
}

QList<FindingGroup> groupFindings(const QList<Diagnostic> &findings)
{
    QList<FindingGroup> groups;
    QHash<QString, qsizetype> at; // severity, peer and message -> their group
    for (const Diagnostic &finding : findings) {
        if (finding.host.isEmpty()) {
            groups.append({finding, {}});
            continue;
        }
        const QString key = (finding.isError() ? QLatin1String("e\x1f") : QLatin1String("w\x1f")) + finding.peer + QLatin1Char('\x1f')
            + finding.message;
        const auto it = at.constFind(key);
        if (it != at.cend()) {
            if (!groups[*it].hosts.contains(finding.host))
                groups[*it].hosts.append(finding.host);
            continue;
        }
        at.insert(key, groups.size());
        groups.append({finding, {finding.host}});
    }
    return groups;
}
