// The YAML project file: wireguardmeshgenerator's format plus Meshwright's own keys.
#pragma once

#include "diagnostic.h"
#include "project.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace ProjectFile {

/// Limits that keep hostile input (huge files, deep nesting, alias bombs) fast to refuse.
inline constexpr qint64 MaxFileSize = 8 * 1024 * 1024;
inline constexpr int MaxDepth = 32;
inline constexpr int MaxNodes = 400000;

/// A failed load: the message names the file and, where known, the line.
struct LoadError
{
    QString file;
    int line = 0; ///< 1-based; 0 when the problem is not on one line
    QString message;

    QString toString() const;
};

/// Parses project YAML. Unknown keys and comments at line ends that a save would not keep
/// become warnings in \a warnings; everything that makes the project unusable is an error.
std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, LoadError *error,
                             QList<Diagnostic> *warnings = nullptr);
/// Reads and parses \a path (refusing files over MaxFileSize before reading them).
std::optional<Project> load(const QString &path, LoadError *error,
                            QList<Diagnostic> *warnings = nullptr);

/// The project as YAML that wireguardmeshgenerator still reads: hosts in their order, the
/// same keys in the same order every time, comments where they stood.
QByteArray serialize(const Project &project);
/// Writes serialize(\a project) to \a path atomically (temporary file, then rename).
bool save(const QString &path, const Project &project, QString *error);

/// Line numbers (1-based) of the comments in \a existingYaml that a save of \a project
/// would not keep: comments at line ends, and comments of hosts that are gone.
QList<int> commentsLostBySave(const QByteArray &existingYaml, const Project &project);

} // namespace ProjectFile
