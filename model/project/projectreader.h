// Reading a project file: the YAML checked value by value into a Project, with its comments.
#pragma once

#include "diagnostic.h"
#include "project.h"
#include "projectfile.h"
#include "yamltree.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace ProjectReader {

/// ProjectFile::parse(), also giving each kept comment's line (\a commentLines, in the
/// order of project.comments) and the lines of comments at line ends, which a save drops.
/// \a reader chooses who reads the YAML (YamlTree::Reader::Quick: a text the quick reader
/// does not take is refused, with an empty message).
std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, ProjectFile::LoadError *error,
                             QList<Diagnostic> *warnings, QList<int> *commentLines, QList<int> *lineEndComments,
                             YamlTree::Reader yamlReader = YamlTree::Reader::Any);

} // namespace ProjectReader
