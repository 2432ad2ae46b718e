// The QR target: the text a phone's QR code holds, for every roaming client's profile.
#include "hostconfigs.h"
#include "outputtarget.h"
#include "qrpayload.h"

namespace {

class QrPayloadTarget : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("qr"); }
    QString summary() const override
    {
        return QStringLiteral("HOST/PROFILE.qr.txt for every roaming client: what its QR code holds, the keys the WireGuard "
                              "Android app refuses left out (for qrencode -t ansiutf8 < FILE)");
    }
    bool serves(const Project &project, qsizetype index) const override
    {
        const Host &host = project.hosts[index];
        return !host.isExternal() && host.role() == Host::Role::Roaming;
    }
    bool shownFor(const Project &, qsizetype) const override { return false; } // the QR pane shows it
    QList<ConfigFiles::File> hostFiles(const TargetHost &host) const override
    {
        QList<ConfigFiles::File> result;
        for (const auto &[name, config] : HostConfigs::profiles(host.interfaces))
            result.append({host.host().name + QLatin1Char('/') + name + QLatin1String(".qr.txt"), QrPayload::build(config)});
        return result;
    }
};

} // namespace

const OutputTarget &qrPayloadTarget()
{
    static const QrPayloadTarget target;
    return target;
}
