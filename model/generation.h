// Generating a project's configs into a folder: what `meshwright generate` and the GUI share.
#pragma once

#include "interfaceconfig.h"
#include "keystore.h"
#include "project.h"

#include <QList>
#include <QString>

namespace Generation {

struct Summary
{
    qsizetype hosts = 0;
    qsizetype files = 0;
    qint64 bytes = 0;
    qsizetype keysCreated = 0;
};

/// Makes missing keys (saving \a keys to \a keyStorePath when it changed), then writes
/// the files of the hosts at \a hostIndexes (all when empty) below \a outDir. The project
/// must be free of validation errors. On failure \a error names the host or file.
bool run(const Project &project, KeyStore &keys, const QString &keyStorePath, const QString &outDir,
         const QList<qsizetype> &hostIndexes, Summary *summary, QString *error);

/// The planned interface of host \a host, after making the keys it needs (its key pair,
/// its peers' and the preshared keys of its links) in \a keys, which is not saved here.
PlannedInterface planHost(const Project &project, KeyStore &keys, qsizetype host);

} // namespace Generation
