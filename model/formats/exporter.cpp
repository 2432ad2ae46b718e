// Exporting a project for routers and clusters: the format names, and which writer
// makes each (RouterScript, KubernetesManifest).
#include "exporter.h"

#include "kubernetesmanifest.h"
#include "routerscript.h"

namespace Exporter {

std::optional<Format> formatFromName(const QString &name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("edgeos"))
        return Format::EdgeOs;
    if (lower == QLatin1String("vyos"))
        return Format::VyOs;
    if (lower == QLatin1String("k8s") || lower == QLatin1String("kubernetes"))
        return Format::Kubernetes;
    return std::nullopt;
}

QList<ConfigFiles::File> files(const Project &project, KeyStore &keys, Format format, QString *error)
{
    switch (format) {
    case Format::Kubernetes:
        return KubernetesManifest::files(project, keys, error);
    case Format::EdgeOs:
        return RouterScript::files(project, keys, RouterScript::RouterOs::EdgeOs, error);
    case Format::VyOs:
        return RouterScript::files(project, keys, RouterScript::RouterOs::VyOs, error);
    }
    return {};
}

} // namespace Exporter
