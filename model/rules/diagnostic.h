// A finding about a project: an error or a warning, tied to a host, a link or a line.
#pragma once

#include <QList>
#include <QString>

struct Diagnostic
{
    enum class Severity { Error, Warning };

    Severity severity = Severity::Error;
    QString host;    ///< empty for project-wide findings
    QString peer;    ///< set for findings about the link host -> peer
    QString message;
    int line = 0;    ///< 1-based line in the project file, 0 when unknown

    bool isError() const { return severity == Severity::Error; }
    /// "error|warning: HOST[ -> PEER]: message", the form the command line prints.
    QString toString() const;

    bool operator==(const Diagnostic &) const = default;
};

/// True when any of \a diagnostics is an error.
bool hasErrors(const QList<Diagnostic> &diagnostics);
