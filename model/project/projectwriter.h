// Writing a project file: every setting in a fixed order, comments where they were read.
#pragma once

#include "project.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

/// Writes one project. write() is deterministic: the same project, the same bytes.
class ProjectWriter
{
public:
    explicit ProjectWriter(const Project &project)
        : m_project(project)
    {
    }

    QByteArray write();
    QList<int> emittedComments; ///< indexes into project.comments

private:
    /// The comments anchored at (\a host, \a key), indented by \a indent.
    void comments(const QString &host, const QString &key, int indent);
    void line(int indent, const char *key, const QByteArray &value = {});
    void list(int indent, const char *key, const QStringList &values);
    void host(const Host &host);

    const Project &m_project;
    QByteArray m_out;
    QHash<std::pair<QString, QString>, QList<int>> m_byAnchor; ///< (host, key) -> comments
};
