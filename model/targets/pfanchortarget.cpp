// The pf target: an OpenBSD host's forwarding and NAT rules, for an anchor of their own.
#include "outputtarget.h"

namespace {

class PfAnchor : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("pf"); }
    QString summary() const override
    {
        return QStringLiteral("HOST/pf-meshwright.conf for every OpenBSD host that forwards (an exit gateway, a router): its pf anchor");
    }
    bool generated() const override { return true; }
    bool serves(const Project &project, qsizetype index) const override
    {
        return !project.hosts[index].isExternal() && project.hosts[index].isOpenBsd();
    }
    QList<ConfigFiles::File> interfaceFiles(const PlannedInterface &planned) const override
    {
        if (planned.pfRules.isEmpty())
            return {};
        return {{planned.host + QLatin1String("/pf-meshwright.conf"), ConfigFiles::pfRulesFile(planned)}};
    }
};

} // namespace

const OutputTarget &pfAnchorTarget()
{
    static const PfAnchor target;
    return target;
}
