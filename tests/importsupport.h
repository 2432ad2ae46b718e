// Helpers for the import tests: an estate's configs, generated from a project, in a folder.
#pragma once

#include "keystore.h"
#include "planner.h"
#include "project.h"
#include "wgquick.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>

namespace ImportSupport {

/// Writes \a text to \a path, making its folders; false when it cannot.
inline bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

/// Makes the keys \a project needs in \a keys and writes every host's wg0.conf where
/// \a layout (a path in \a dir with %1 for the host's name) says, as a running estate
/// would hold them. False when a file cannot be written.
inline bool writeEstate(const Project &project, KeyStore &keys, const QString &dir, const QString &layout)
{
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const QString path = QDir(dir).filePath(layout.arg(project.hosts[i].name));
        if (!writeFile(path, WgQuick::write(planner.plan(i, keys).config, QStringLiteral("generated"))))
            return false;
    }
    return true;
}

} // namespace ImportSupport
