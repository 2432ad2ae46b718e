// A finding about a project: an error or a warning, tied to a host, a link or a line.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

struct Diagnostic
{
    /// A note says what a working project implies (a relay sees what it relays), nothing to fix.
    enum class Severity { Error, Warning, Note };

    Severity severity = Severity::Error;
    QString host;    ///< empty for project-wide findings
    QString peer;    ///< set for findings about the link host -> peer
    QString message;
    int line = 0;    ///< 1-based line in the project file, 0 when unknown

    bool isError() const { return severity == Severity::Error; }
    bool isNote() const { return severity == Severity::Note; }
    /// "error|warning|note: HOST[ -> PEER]: message", the form the command line prints.
    QString toString() const;

    bool operator==(const Diagnostic &) const = default;
};

/// True when any of \a diagnostics is an error.
bool hasErrors(const QList<Diagnostic> &diagnostics);
/// True when any of \a diagnostics is an error or a warning: a note asks for nothing.
bool needsAction(const QList<Diagnostic> &diagnostics);

/// \a names as a sentence lists them: "a", "a and b", "a, b, and c"; past \a shown names,
/// the first \a shown and "and N more".
QString nameList(const QStringList &names, qsizetype shown = 12);

/// Findings that say one thing of several hosts (the same severity, peer and message),
/// as one: a project where 180 roaming clients share a problem gets one finding that
/// names them, not 180 of the same.
struct FindingGroup
{
    Diagnostic first;  ///< the first of them, with its host and line
    QStringList hosts; ///< every host it is about, in order; empty for a project-wide one

    /// "warning: a, b, and c: message", the hosts by nameList(); one host as
    /// Diagnostic::toString() says it.
    QString toString() const;
    bool operator==(const FindingGroup &) const = default;
};
/// \a findings grouped, each group where its first finding was.
QList<FindingGroup> groupFindings(const QList<Diagnostic> &findings);
