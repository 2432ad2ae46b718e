// The YAML project file: loading and saving (ProjectReader, ProjectWriter, ProjectComments).
#include "projectfile.h"

#include "projectreader.h"
#include "projectwriter.h"

#include <QFile>
#include <QSaveFile>

#include <algorithm>

namespace ProjectFile {

QString LoadError::toString() const
{
    if (line > 0)
        return QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(message);
    return QStringLiteral("%1: %2").arg(file, message);
}

std::optional<Project> parse(const QByteArray &yaml, const QString &fileName, LoadError *error,
                             QList<Diagnostic> *warnings)
{
    QList<int> commentLines;
    QList<int> lineEndComments;
    return ProjectReader::parse(yaml, fileName, error, warnings, &commentLines, &lineEndComments);
}

std::optional<Project> load(const QString &path, LoadError *error, QList<Diagnostic> *warnings)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = LoadError{path, 0, file.errorString()};
        return std::nullopt;
    }
    if (file.size() > MaxFileSize) {
        if (error)
            *error = LoadError{path, 0, QStringLiteral("the file is larger than %1 MiB; not a project file")
                                            .arg(MaxFileSize / (1024 * 1024))};
        return std::nullopt;
    }
    return parse(file.readAll(), path, error, warnings); // sized to the file, not to the limit
}

QByteArray serialize(const Project &project)
{
    return ProjectWriter(project).write();
}

bool save(const QString &path, const Project &project, QString *error)
{
    // QSaveFile writes a temporary file and renames it over the old one on commit().
    QSaveFile file(path);
    const QByteArray data = serialize(project);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QList<int> commentsLostBySave(const QByteArray &existingYaml, const Project &project)
{
    QList<int> commentLines;
    QList<int> lineEndComments;
    const auto existing = ProjectReader::parse(existingYaml, QString(), nullptr, nullptr, &commentLines, &lineEndComments);
    if (!existing)
        return {};
    ProjectWriter writer(project);
    writer.write();
    QList<ProjectComment> kept;
    for (const int index : std::as_const(writer.emittedComments))
        kept.append(project.comments[index]);
    QList<int> lost = lineEndComments;
    for (qsizetype i = 0; i < existing->comments.size(); ++i) {
        const qsizetype at = kept.indexOf(existing->comments[i]);
        if (at < 0)
            lost.append(commentLines[i]);
        else
            kept.removeAt(at);
    }
    std::sort(lost.begin(), lost.end());
    return lost;
}

} // namespace ProjectFile
