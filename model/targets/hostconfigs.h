// A project's configs per host: one host planned with the keys it needs, its profiles,
// and every host's files generated into a folder (what `meshwright generate` and the GUI share).
#pragma once

#include "interfaceconfig.h"
#include "keystore.h"
#include "planner.h"
#include "project.h"

#include <QList>
#include <QString>

namespace HostConfigs {

struct Summary
{
    qsizetype hosts = 0;
    qsizetype files = 0;
    qint64 bytes = 0;
    qsizetype keysCreated = 0;
    int threads = 1; ///< that wrote the hosts
    /// Time in Planner::planAll, OutputTargets::generatedFiles and ConfigFiles::write, summed over
    /// the hosts (and so over the threads: the sum can exceed the time it took).
    qint64 planNs = 0;
    qint64 formatNs = 0;
    qint64 writeNs = 0;
};

/// Makes missing keys (saving \a keys to \a keyStorePath when it changed), then writes
/// the files of the hosts at \a hostIndexes (all but the external ones when empty) below
/// \a outDir. The project must be free of validation errors. On failure \a error names
/// the host or file (an external host named in \a hostIndexes is refused).
bool generate(const Project &project, KeyStore &keys, const QString &keyStorePath, const QString &outDir,
         const QList<qsizetype> &hostIndexes, Summary *summary, QString *error);

/// Writes the files of the hosts at \a hostIndexes (all but the external ones when empty)
/// below \a outDir, whose keys \a keys must hold, on \a threads threads (0: one per CPU):
/// the hosts are independent. Stops at a failure; \a error names the first failed host.
bool writeHosts(const Project &project, const Planner &planner, const KeyStore &keys, const QString &outDir,
                const QList<qsizetype> &hostIndexes, Summary *summary, QString *error, int threads = 0);

/// Every planned interface of host \a host, after making the keys it needs (its key
/// pairs, its peers' and the preshared keys of its links) in \a keys, which is not saved.
QList<PlannedInterface> planHost(const Project &project, KeyStore &keys, qsizetype host);
/// The same with \a planner, a planner of the project (the document keeps one).
QList<PlannedInterface> planHost(const Planner &planner, KeyStore &keys, qsizetype host);

/// Every config a user can pick for a host, by name: each interface (wg0, wg1, ...) and
/// each per-gateway profile (wg0-GATEWAY), in that order.
QList<std::pair<QString, InterfaceConfig>> profiles(const QList<PlannedInterface> &interfaces);

} // namespace HostConfigs
