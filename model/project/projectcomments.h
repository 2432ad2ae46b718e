// Comments of a project file: found in the text, anchored to the key after them, and put
// in the order a save writes them. Shared by the project file's reader and writer.
#pragma once

#include "project.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace ProjectComments {

/// The anchor of comments after the last key.
inline const QString EndAnchor = QStringLiteral("$end");
/// The keys a save writes (in this order), which comments can stand before.
inline const QStringList TopKeys{QStringLiteral("hosts"), QStringLiteral("defaults"), QStringLiteral("network"), QStringLiteral("sites"),
                                 QStringLiteral("links")};
inline const QStringList HostKeys{QStringLiteral("os"), QStringLiteral("ssh"), QStringLiteral("lan"), QStringLiteral("internet"),
                                  QStringLiteral("site"), QStringLiteral("wg0"), QStringLiteral("exclude_peers"), QStringLiteral("exits"),
                                  QStringLiteral("gateway"), QStringLiteral("nat"), QStringLiteral("egress"), QStringLiteral("own_forwarding"),
                                  QStringLiteral("public_key"), QStringLiteral("router"), QStringLiteral("kubernetes"), QStringLiteral("position")};

/// Where a key stands, for anchoring comments.
struct KeyPosition
{
    int line;
    int column;
    QString host;
    QString key;
};

/// Scans \a yaml for comments: whole-line comments are anchored to the key that follows
/// them (from \a positions) into project->comments, their lines into \a commentLines;
/// comments at line ends are only reported in \a lineEndComments (a save cannot keep them).
void collect(const QByteArray &yaml, QList<KeyPosition> positions, Project *project, QList<int> *commentLines,
             QList<int> *lineEndComments);
/// Puts project->comments (and \a commentLines with them) in the order a save writes
/// them, stable within one anchor, so that a project read back from its own save is the
/// same project.
void sort(Project *project, QList<int> *commentLines);

} // namespace ProjectComments
