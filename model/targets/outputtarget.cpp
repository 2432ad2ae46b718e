// The output targets' shared behaviour, and the list of them all.
#include "outputtarget.h"

#include "hostconfigs.h"
#include "keystore.h"
#include "planner.h"

#include <QSet>

// Each target's one object, defined in its own file.
const OutputTarget &wgQuickTarget();
const OutputTarget &openBsdHostnameTarget();
const OutputTarget &pfAnchorTarget();
const OutputTarget &hostsBlockTarget();
const OutputTarget &qrPayloadTarget();
const OutputTarget &edgeOsTarget();
const OutputTarget &vyOsTarget();
const OutputTarget &kubernetesTarget();
const OutputTarget &jobsTarget();

QList<ConfigFiles::File> OutputTarget::interfaceFiles(const PlannedInterface &) const
{
    return {};
}

QList<ConfigFiles::File> OutputTarget::hostFiles(const TargetHost &) const
{
    return {};
}

QList<ConfigFiles::File> OutputTarget::files(const TargetHost &host) const
{
    QList<ConfigFiles::File> result;
    for (const PlannedInterface &planned : host.interfaces)
        result += interfaceFiles(planned);
    result += hostFiles(host);
    return result;
}

QList<ConfigFiles::File> OutputTarget::exportFiles(const Project &project, KeyStore &keys, QString *error) const
{
    const Planner planner(project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QList<ConfigFiles::File> result;
    QSet<QString> paths; // a file that several hosts share (a manifest), once
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        if (project.hosts[i].isExternal() || !serves(project, i))
            continue;
        const QList<PlannedInterface> interfaces = planner.planAll(i, keys);
        for (const ConfigFiles::File &file : files({project, planner, keys, i, interfaces})) {
            if (!paths.contains(file.relativePath)) {
                paths.insert(file.relativePath);
                result.append(file);
            }
        }
    }
    if (result.isEmpty() && error)
        *error = nothingToExport();
    return result;
}

QString OutputTarget::nothingToExport() const
{
    return QStringLiteral("nothing to export for %1: no host of the project takes it (%2)").arg(name(), summary());
}

namespace OutputTargets {

const QList<const OutputTarget *> &all()
{
    static const QList<const OutputTarget *> targets{
        &wgQuickTarget(), &openBsdHostnameTarget(), &pfAnchorTarget(), &hostsBlockTarget(),
        &jobsTarget(), &qrPayloadTarget(), &edgeOsTarget(), &vyOsTarget(), &kubernetesTarget(),
    };
    return targets;
}

const OutputTarget *find(const QString &name)
{
    for (const OutputTarget *target : all()) {
        if (target->name().compare(name, Qt::CaseInsensitive) == 0)
            return target;
        const QStringList aliases = target->aliases();
        if (std::any_of(aliases.cbegin(), aliases.cend(), [&](const QString &alias) { return alias.compare(name, Qt::CaseInsensitive) == 0; }))
            return target;
    }
    return nullptr;
}

QStringList names()
{
    QStringList result;
    for (const OutputTarget *target : all())
        result.append(target->name());
    return result;
}

QList<ConfigFiles::File> interfaceFiles(const PlannedInterface &planned)
{
    QList<ConfigFiles::File> result;
    for (const OutputTarget *target : all()) {
        if (target->generated())
            result += target->interfaceFiles(planned);
    }
    return result;
}

QList<ConfigFiles::File> generatedFiles(const TargetHost &host)
{
    QList<ConfigFiles::File> result;
    for (const PlannedInterface &planned : host.interfaces)
        result += interfaceFiles(planned);
    for (const OutputTarget *target : all()) {
        if (target->generated() && target->serves(host.project, host.index))
            result += target->hostFiles(host);
    }
    return result;
}

} // namespace OutputTargets
