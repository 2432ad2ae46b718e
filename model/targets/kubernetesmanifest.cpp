// The Kubernetes target: one manifest with a Namespace, and per node a Secret and a DaemonSet.
#include "kubernetesmanifest.h"

#include "hostconfigs.h"
#include "outputtarget.h"
#include "planner.h"
#include "wgquicktarget.h"

#include <QRegularExpression>
#include <QSet>

#include <functional>
#include <optional>

#include <yaml-cpp/yaml.h>

namespace KubernetesManifest {

namespace {


YAML::Emitter &operator<<(YAML::Emitter &out, const QString &text)
{
    return out << text.toStdString();
}

void emitLabels(YAML::Emitter &out, const QString &node)
{
    out << YAML::BeginMap << YAML::Key << "app.kubernetes.io/name" << YAML::Value << KubernetesNamespace;
    if (!node.isEmpty())
        out << YAML::Key << "app.kubernetes.io/instance" << YAML::Value << node;
    out << YAML::Key << "app.kubernetes.io/managed-by" << YAML::Value << "meshwright" << YAML::EndMap;
}

void emitMetadata(YAML::Emitter &out, const QString &name, const QString &node)
{
    out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
        << YAML::Key << "namespace" << YAML::Value << KubernetesNamespace << YAML::Key << "labels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
}

/// The container's command: brings the tunnel up (after clearing what a pod that died may
/// have left on the host), waits, and brings it down when the pod is stopped.
QString tunnelScript(const QString &interfaceName)
{
    return QStringLiteral("wg-quick down %1 2>/dev/null || true\n"
                          "wg-quick up %1 || exit 1\n"
                          "trap 'wg-quick down %1; exit 0' TERM INT\n"
                          "while true; do sleep 3600 & wait $!; done")
        .arg(interfaceName);
}

/// A node's Secret: its config alone, under the interface's file name.
void emitSecret(YAML::Emitter &out, const QString &node, const PlannedInterface &planned)
{
    const ConfigFiles::File conf = WgQuickTarget::file(planned);
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
        << YAML::Value << "Secret";
    emitMetadata(out, QLatin1String("wireguard-") + node, node);
    out << YAML::Key << "type" << YAML::Value << "Opaque" << YAML::Key << "stringData" << YAML::Value << YAML::BeginMap
        << YAML::Key << planned.interfaceName + QLatin1String(".conf") << YAML::Value << YAML::Literal
        << QString::fromUtf8(conf.content) << YAML::EndMap << YAML::EndMap;
}

/// A node's DaemonSet: one pod on that node, on the host's network, with the Secret as
/// /etc/wireguard.
void emitDaemonSet(YAML::Emitter &out, const QString &node, const QString &interfaceName)
{
    const QString name = QLatin1String("wireguard-") + node;
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "apps/v1" << YAML::Key
        << "kind" << YAML::Value << "DaemonSet";
    emitMetadata(out, name, node);
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "selector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchLabels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
    out << YAML::Key << "template" << YAML::Value << YAML::BeginMap << YAML::Key << "metadata" << YAML::Value
        << YAML::BeginMap << YAML::Key << "labels" << YAML::Value;
    emitLabels(out, node);
    out << YAML::EndMap;
    out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "nodeSelector" << YAML::Value << YAML::BeginMap << YAML::Key << "kubernetes.io/hostname"
        << YAML::Value << node << YAML::EndMap;
    // The tunnel and its routes belong to the node, not to the pod.
    out << YAML::Key << "hostNetwork" << YAML::Value << true;
    // Pinned to one node: run there even when the node is tainted (a control-plane node).
    out << YAML::Key << "tolerations" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "operator"
        << YAML::Value << "Exists" << YAML::EndMap << YAML::EndSeq;
    out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << "wireguard" << YAML::Key << "image" << YAML::Value
        << DefaultKubernetesImage << YAML::Key << "imagePullPolicy" << YAML::Value << "IfNotPresent";
    out << YAML::Key << "command" << YAML::Value << YAML::BeginSeq << "/bin/sh" << "-c" << YAML::Literal
        << tunnelScript(interfaceName) << YAML::EndSeq;
    out << YAML::Key << "securityContext" << YAML::Value << YAML::BeginMap << YAML::Key << "capabilities"
        << YAML::Value << YAML::BeginMap << YAML::Key << "add" << YAML::Value << YAML::BeginSeq << "NET_ADMIN"
        << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
    out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << "config" << YAML::Key << "mountPath" << YAML::Value << "/etc/wireguard" << YAML::Key
        << "readOnly" << YAML::Value << true << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap << YAML::EndSeq; // the container, the containers
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << "config" << YAML::Key << "secret" << YAML::Value << YAML::BeginMap << YAML::Key
        << "secretName" << YAML::Value << name << YAML::Key << "defaultMode" << YAML::Value << 0600 << YAML::EndMap
        << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap << YAML::EndMap; // template spec, template
    out << YAML::EndMap << YAML::EndMap; // spec, document
}

/// True for names Kubernetes accepts as object names and label values both (a DNS label
/// or subdomain in lowercase): what a node name is.
bool isKubernetesName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$"));
    return pattern.match(name).hasMatch();
}

/// The hosts that are Kubernetes nodes, in host order; nullopt with \a error when a node
/// name is not usable or none is.
std::optional<QList<qsizetype>> nodesOf(const Project &project, QString *error)
{
    QList<qsizetype> nodes;
    QSet<QString> names;
    for (qsizetype i = 0; i < project.hosts.size(); ++i) {
        const Host &host = project.hosts[i];
        if (host.kubernetesNode.isEmpty())
            continue;
        QString problem;
        if (!isKubernetesName(host.kubernetesNode))
            problem = QStringLiteral("'%1' is not a Kubernetes node name (lowercase letters, digits, '-' and '.')");
        else if (names.contains(host.kubernetesNode))
            problem = QStringLiteral("another host is Kubernetes node '%1' too");
        if (!problem.isEmpty()) {
            if (error)
                *error = host.name + QLatin1String(": ") + problem.arg(host.kubernetesNode) + QLatin1String("; nothing exported");
            return std::nullopt;
        }
        names.insert(host.kubernetesNode);
        nodes.append(i);
    }
    if (nodes.isEmpty()) {
        if (error)
            *error = QStringLiteral("nothing to export for Kubernetes: no host has a kubernetes node name");
        return std::nullopt;
    }
    return nodes;
}

/// The manifest of \a nodes, each node's interface as \a planOf gives it; empty with
/// \a error on a failure to emit.
QList<ConfigFiles::File> manifest(const Project &project, const QList<qsizetype> &nodes,
                                  const std::function<PlannedInterface(qsizetype)> &planOf, QString *error)
{
    QStringList nodeNames;
    for (const qsizetype index : std::as_const(nodes))
        nodeNames.append(project.hosts[index].kubernetesNode);
    YAML::Emitter out;
    out << YAML::Comment(QStringLiteral("WireGuard on the Kubernetes nodes %1, generated by Meshwright.\n"
                                        "It holds private keys: apply it (kubectl apply -f), do not commit it.\n"
                                        "Per node a Secret with that node's config alone and a DaemonSet on that node.")
                             .arg(nodeNames.join(QLatin1String(", ")))
                             .toStdString());
    // Namespace: allowed to run privileged pods (host network, NET_ADMIN) where Pod
    // Security Admission enforces a stricter level by default.
    out << YAML::BeginDoc << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
        << YAML::Value << "Namespace" << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
        << YAML::Value << KubernetesNamespace << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key
        << "app.kubernetes.io/name" << YAML::Value << KubernetesNamespace << YAML::Key << "app.kubernetes.io/managed-by"
        << YAML::Value << "meshwright" << YAML::Key << "pod-security.kubernetes.io/enforce" << YAML::Value
        << "privileged" << YAML::EndMap << YAML::EndMap << YAML::EndMap;
    for (const qsizetype index : std::as_const(nodes)) {
        const QString &node = project.hosts[index].kubernetesNode;
        const PlannedInterface planned = planOf(index);
        emitSecret(out, node, planned);
        emitDaemonSet(out, node, planned.interfaceName);
    }
    if (!out.good()) { // a bug in the emitting above, not in the project
        if (error)
            *error = QStringLiteral("cannot write the Kubernetes manifests: %1").arg(QString::fromStdString(out.GetLastError()));
        return {};
    }
    return {{QString::fromLatin1(KubernetesFileName), QByteArray(out.c_str()) + '\n'}};
}

class Kubernetes : public OutputTarget
{
public:
    QString name() const override { return QStringLiteral("k8s"); }
    QStringList aliases() const override { return {QStringLiteral("kubernetes")}; }
    QString summary() const override
    {
        return QStringLiteral("meshwright-wireguard.yaml: per Kubernetes node a Secret with its config and a DaemonSet that brings "
                              "the tunnel up on the node");
    }
    bool serves(const Project &project, qsizetype index) const override { return !project.hosts[index].kubernetesNode.isEmpty(); }
    /// The manifest that holds the host; the other nodes' keys must be in the store.
    QList<ConfigFiles::File> hostFiles(const TargetHost &host) const override
    {
        const auto nodes = nodesOf(host.project, nullptr);
        if (!nodes)
            return {};
        return manifest(host.project, *nodes, [&](qsizetype index) {
            return index == host.index ? host.interfaces.value(0) : host.planner.planAll(index, host.keys).value(0);
        }, nullptr);
    }
    QList<ConfigFiles::File> exportFiles(const Project &project, KeyStore &keys, QString *error) const override
    {
        const auto nodes = nodesOf(project, error);
        if (!nodes)
            return {};
        const Planner planner(project);
        return manifest(project, *nodes, [&](qsizetype index) { return HostConfigs::planHost(planner, keys, index).value(0); }, error);
    }
};

} // namespace

} // namespace KubernetesManifest

const OutputTarget &kubernetesTarget()
{
    static const KubernetesManifest::Kubernetes target;
    return target;
}
