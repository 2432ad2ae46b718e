// Comments of a project file: collecting and ordering them.
#include "projectcomments.h"

#include <QHash>

#include <algorithm>
#include <limits>
#include <numeric>

namespace ProjectComments {

/// Scans the raw text for comments: whole-line comments get anchored to the key that
/// follows them; comments at line ends are only reported (a save cannot keep them).
void collect(const QByteArray &yaml, QList<KeyPosition> positions, Project *project,
                     QList<int> *commentLines, QList<int> *lineEndComments)
{
    std::sort(positions.begin(), positions.end(),
              [](const auto &a, const auto &b) { return a.line < b.line; });
    const QList<QByteArray> lines = yaml.split('\n');
    auto next = positions.cbegin();
    QString currentHost;
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines[i]);
        const QString trimmed = line.trimmed();
        const int lineNumber = i + 1;
        if (!trimmed.startsWith(QLatin1Char('#'))) {
            // A '#' after white space, outside quotes, starts a comment at the line end.
            QChar quote;
            for (qsizetype c = 0; c < line.size(); ++c) {
                const QChar ch = line[c];
                if (!quote.isNull()) {
                    if (ch == quote)
                        quote = QChar();
                } else if (ch == QLatin1Char('\'') || ch == QLatin1Char('"')) {
                    quote = ch;
                } else if (ch == QLatin1Char('#') && c > 0 && line[c - 1].isSpace()) {
                    lineEndComments->append(lineNumber);
                    break;
                }
            }
            continue;
        }
        const int column = int(line.indexOf(QLatin1Char('#')));
        ProjectComment comment;
        comment.text = trimmed.mid(1);
        // Walk the sorted key positions once, alongside the lines, keeping the host whose
        // block the walk is in.
        while (next != positions.cend() && next->line <= lineNumber) {
            if (!next->host.isEmpty())
                currentHost = next->host;
            else if (next->key != QLatin1String("hosts"))
                currentHost.clear();
            ++next;
        }
        if (next == positions.cend()) {
            comment.host = column > 0 ? currentHost : QString();
            comment.key = EndAnchor;
        } else if (!next->host.isEmpty() && next->key.isEmpty()) {
            // Before a host's name: more indented than the name means the end of the
            // host above, otherwise the start of the host below.
            if (column > next->column && !currentHost.isEmpty()) {
                comment.host = currentHost;
                comment.key = EndAnchor;
            } else {
                comment.host = next->host;
            }
        } else if (next->host.isEmpty() && column > 0 && !currentHost.isEmpty()) {
            comment.host = currentHost;
            comment.key = EndAnchor;
        } else {
            comment.host = next->host;
            comment.key = next->key;
        }
        project->comments.append(comment);
        commentLines->append(lineNumber);
    }
}

/// Puts comments in the order a save writes them (stable within one anchor), so that a
/// project read back from its own save is the same project.
void sort(Project *project, QList<int> *commentLines)
{
    QHash<QString, qsizetype> hostIndex;
    for (qsizetype i = 0; i < project->hosts.size(); ++i)
        hostIndex.insert(project->hosts[i].name, i);
    const qsizetype keys = HostKeys.size() + 2;
    auto rank = [&](const ProjectComment &c) -> qsizetype {
        if (c.host.isEmpty()) {
            if (c.key == QLatin1String("hosts"))
                return 0;
            if (c.key == EndAnchor)
                return std::numeric_limits<qsizetype>::max();
            return 1 + (project->hosts.size() + 1) * keys + TopKeys.indexOf(c.key);
        }
        const qsizetype key = c.key.isEmpty() ? 0 : c.key == EndAnchor ? keys - 1 : 1 + HostKeys.indexOf(c.key);
        return 1 + hostIndex.value(c.host, project->hosts.size()) * keys + key;
    };
    QList<qsizetype> order(project->comments.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](qsizetype x, qsizetype y) { return rank(project->comments[x]) < rank(project->comments[y]); });
    QList<ProjectComment> comments;
    QList<int> lines;
    for (const qsizetype i : std::as_const(order)) {
        comments.append(project->comments[i]);
        lines.append(commentLines->value(i));
    }
    project->comments = comments;
    *commentLines = lines;
}

} // namespace ProjectComments
