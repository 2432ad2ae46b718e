// Reading a project file: the YAML checked value by value into a Project, with its comments.
#pragma once

#include "diagnostic.h"
#include "project.h"
#include "projectfile.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace ProjectReader {

/// ProjectFile::parse(), also giving each kept comment's line (\a commentLines, in the
/// order of project.comments) and the lines of comments at line ends, which a save drops.
std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, ProjectFile::LoadError *error,
                             QList<Diagnostic> *warnings, QList<int> *commentLines, QList<int> *lineEndComments);

} // namespace ProjectReader
