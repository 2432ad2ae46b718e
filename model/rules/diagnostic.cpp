// A finding about a project: an error or a warning, tied to a host, a link or a line.
#include "diagnostic.h"

#include <algorithm>

QString Diagnostic::toString() const
{
    QString text = isError() ? QStringLiteral("error: ") : QStringLiteral("warning: ");
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
