// The jobs target: a host's failover watchdog and re-resolve job (HostJobs), for hosts
// installed by hand; a deploy installs the same files itself.
#include "outputtarget.h"

#include "hostjobs.h"

#include <QFileInfo>

namespace {

class Jobs : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("jobs"); }
    QString summary() const override
    {
        return QStringLiteral("HOST/meshwright/*, for every host that fails over between exits or dials a peer by name: the "
                              "failover watchdog, the re-resolve job, their systemd units and cron lines (each says where it goes)");
    }
    bool generated() const override { return true; }
    bool serves(const Project &project, qsizetype index) const override { return !project.hosts[index].isExternal(); }
    QList<ConfigFiles::File> hostFiles(const TargetHost &host) const override
    {
        QList<ConfigFiles::File> result;
        for (const HostJobs::File &file : HostJobs::files(host.project, host.index, host.interfaces)) {
            // /etc/crontab takes a block, /etc/cron.d a file of its own: named after where they go.
            QString name = QFileInfo(file.path).fileName();
            if (file.path == QLatin1String("/etc/crontab"))
                name = QStringLiteral("crontab-block");
            else if (file.path.startsWith(QLatin1String("/etc/cron.d/")))
                name = QStringLiteral("cron.d-meshwright");
            result.append({host.host().name + QLatin1String("/meshwright/") + name, file.content});
        }
        return result;
    }
};

} // namespace

const OutputTarget &jobsTarget()
{
    static const Jobs target;
    return target;
}
