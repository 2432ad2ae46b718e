// The OpenBSD target: /etc/hostname.wgN, with which netstart configures the whole interface.
#include "openbsdhostname.h"
#include "outputtarget.h"

namespace {

class OpenBsd : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("openbsd"); }
    QStringList aliases() const override { return {QStringLiteral("hostname.wg")}; }
    QString summary() const override { return QStringLiteral("HOST/hostname.wgN for every OpenBSD host: addresses, keys and peers as ifconfig lines"); }
    bool generated() const override { return true; }
    bool serves(const Project &project, qsizetype index) const override
    {
        return !project.hosts[index].isExternal() && project.hosts[index].isOpenBsd();
    }
    QList<ConfigFiles::File> interfaceFiles(const PlannedInterface &planned) const override
    {
        if (planned.os.compare(QLatin1String("OpenBSD"), Qt::CaseInsensitive) != 0)
            return {};
        return {{planned.host + QLatin1String("/hostname.") + planned.interfaceName,
                 OpenBsdHostname::write(planned, ConfigFiles::header(planned))}};
    }
};

} // namespace

const OutputTarget &openBsdHostnameTarget()
{
    static const OpenBsd target;
    return target;
}
