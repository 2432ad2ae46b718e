// Generating a project's configs into a folder: what `meshwright generate` and the GUI share.
#include "hostconfigs.h"

#include "configfiles.h"
#include "hostsfile.h"
#include "planner.h"

namespace HostConfigs {

bool generate(const Project &project, KeyStore &keys, const QString &keyStorePath, const QString &outDir,
         const QList<qsizetype> &hostIndexes, Summary *summary, QString *error)
{
    Summary result;
    const Planner planner(project);
    result.keysCreated = keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    if (keys.isModified() && !keys.save(keyStorePath, error))
        return false;
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
        QList<ConfigFiles::File> files;
        for (const PlannedInterface &planned : planner.planAll(host, keys))
            files += ConfigFiles::files(planned);
        // The mesh's names, for /etc/hosts: what a deploy merges in, to paste by hand.
        if (project.defaults.hostsFile)
            files.append({project.hosts[host].name + QLatin1String("/hosts"), HostsFile::block(project)});
        QString why;
        if (!ConfigFiles::write(outDir, files, &why, &result.bytes)) {
            if (error)
                *error = project.hosts[host].name + QLatin1String(": ") + why;
            return false;
        }
        result.files += files.size();
    }
    result.hosts = selected.size();
    if (summary)
        *summary = result;
    return true;
}

QList<PlannedInterface> planHost(const Project &project, KeyStore &keys, qsizetype host)
{
    const Planner planner(project);
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
