// The hosts target: the mesh's names for /etc/hosts, where the project asks for them.
#include "hostsfile.h"
#include "outputtarget.h"

namespace {

class HostsBlock : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("hosts"); }
    QString summary() const override
    {
        return QStringLiteral("HOST/hosts, the mesh's names for /etc/hosts, for every host when the project sets defaults.hosts_file");
    }
    bool generated() const override { return true; }
    bool serves(const Project &project, qsizetype index) const override
    {
        return project.defaults.hostsFile && !project.hosts[index].isExternal();
    }
    bool shownFor(const Project &, qsizetype) const override { return false; } // the same for every host
    QList<ConfigFiles::File> hostFiles(const TargetHost &host) const override
    {
        return {{host.host().name + QLatin1String("/hosts"), host.hostsBlock ? *host.hostsBlock : HostsFile::block(host.project)}};
    }
};

} // namespace

const OutputTarget &hostsBlockTarget()
{
    static const HostsBlock target;
    return target;
}
