// Generating a project's configs into a folder (every generated output target's files):
// what `meshwright generate` and the GUI share.
#include "hostconfigs.h"

#include "atomicfile.h"
#include "configfiles.h"
#include "hostsfile.h"
#include "outputtarget.h"
#include "planner.h"

#include "parallel.h"

#include <QDir>
#include <QElapsedTimer>

#include <optional>
#include <vector>

namespace HostConfigs {

bool generate(const Project &project, KeyStore &keys, const QString &keyStorePath, const QString &outDir,
         const QList<qsizetype> &hostIndexes, Summary *summary, QString *error)
{
    const Planner planner(project);
    const qsizetype created = keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    if (keys.isModified() && !keys.save(keyStorePath, error))
        return false;
    Summary result;
    const bool ok = writeHosts(project, planner, keys, outDir, hostIndexes, &result, error);
    result.keysCreated = created;
    if (ok && summary)
        *summary = result;
    return ok;
}

bool writeHosts(const Project &project, const Planner &planner, const KeyStore &keys, const QString &outDir,
                const QList<qsizetype> &hostIndexes, Summary *summary, QString *error, int threads)
{
    QList<qsizetype> selected = hostIndexes;
    if (selected.isEmpty()) {
        for (qsizetype i = 0; i < project.hosts.size(); ++i) {
            if (!project.hosts[i].isExternal()) // configured by its owner
                selected.append(i);
        }
    }
    for (const qsizetype host : std::as_const(selected)) {
        if (project.hosts[host].isExternal()) {
            if (error)
                *error = QStringLiteral("%1 is external: its owner configures it; Meshwright knows only its public key")
                             .arg(project.hosts[host].name);
            return false;
        }
    }
    if (!QDir().mkpath(outDir)) {
        if (error)
            *error = QStringLiteral("%1: cannot create the folder").arg(outDir);
        return false;
    }
    // The mesh's names, for /etc/hosts: what a deploy merges in, to paste by hand.
    const QByteArray hostsBlock = project.defaults.hostsFile ? HostsFile::block(project) : QByteArray();

    // Hosts are independent: each worker takes the next one until all are written or one
    // fails. The planner and the keys are only read.
    struct Worker
    {
        AtomicFile::Writer writer{ConfigFiles::FileMode}; // what it replaces takes its next files
        std::optional<Planner::Copies> copies;           // made by its thread, for its thread
        Summary done;
        qsizetype failedAt = -1;
        QString why;
    };
    // Every host's key number, found once: the peers' keys are then looked up by it.
    const std::vector<int> keyNumbers = planner.keyNumbers(keys);
    const int count = Parallel::workers(selected.size(), threads);
    std::vector<Worker> workers(static_cast<size_t>(count));
    Parallel::run(selected.size(), count, [&](int index, qsizetype i) {
        Worker &worker = workers[size_t(index)];
        const qsizetype host = selected[i];
        QElapsedTimer phase;
        phase.start();
        if (!worker.copies)
            worker.copies.emplace(planner, &keys, &keyNumbers);
        const QList<PlannedInterface> planned = planner.planAll(host, keys, &keyNumbers, &*worker.copies);
        worker.done.planNs += phase.nsecsElapsed();
        phase.restart();
        const QList<ConfigFiles::File> files = OutputTargets::generatedFiles({project, planner, keys, host, planned, &hostsBlock});
        worker.done.formatNs += phase.nsecsElapsed();
        phase.restart();
        QString why;
        if (!ConfigFiles::write(outDir, files, worker.writer, &why, &worker.done.bytes)) {
            worker.failedAt = i;
            worker.why = project.hosts[host].name + QLatin1String(": ") + why;
            return false;
        }
        worker.done.writeNs += phase.nsecsElapsed();
        worker.done.files += files.size();
        return true;
    });
    Summary result;
    result.hosts = selected.size();
    result.threads = count;
    const Worker *first = nullptr;
    for (const Worker &worker : workers) {
        result.files += worker.done.files;
        result.bytes += worker.done.bytes;
        result.planNs += worker.done.planNs;
        result.formatNs += worker.done.formatNs;
        result.writeNs += worker.done.writeNs;
        if (worker.failedAt >= 0 && (!first || worker.failedAt < first->failedAt))
            first = &worker;
    }
    if (first) {
        if (error)
            *error = first->why;
        return false;
    }
    if (summary)
        *summary = result;
    return true;
}

QList<PlannedInterface> planHost(const Project &project, KeyStore &keys, qsizetype host)
{
    return planHost(Planner(project), keys, host);
}

QList<PlannedInterface> planHost(const Planner &planner, KeyStore &keys, qsizetype host)
{
    keys.ensure(planner.keyIds(), planner.presharedKeyPairsOf(host));
    return planner.planAll(host, keys);
}

QList<std::pair<QString, InterfaceConfig>> profiles(const QList<PlannedInterface> &interfaces)
{
    QList<std::pair<QString, InterfaceConfig>> result;
    for (const PlannedInterface &planned : interfaces) {
        result.append({planned.interfaceName, planned.config});
        result += planned.profiles;
    }
    return result;
}

} // namespace HostConfigs
