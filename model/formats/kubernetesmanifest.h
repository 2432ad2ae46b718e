// The Kubernetes export (Exporter::Format::Kubernetes).
#pragma once

#include "configfiles.h"
#include "project.h"

#include <QList>
#include <QString>

class KeyStore;

namespace KubernetesManifest {

/// The container image of the Kubernetes DaemonSets. It must provide `sh` and `wg-quick`
/// (wireguard-tools); the node's kernel provides WireGuard itself. The DaemonSets replace
/// the image's entrypoint, so any image with those tools will do.
inline constexpr char DefaultKubernetesImage[] = "docker.io/linuxserver/wireguard:latest";
/// The namespace of every Kubernetes object of the export.
inline constexpr char KubernetesNamespace[] = "meshwright-wireguard";
/// The file name of the Kubernetes export.
inline constexpr char KubernetesFileName[] = "meshwright-wireguard.yaml";

/// `meshwright-wireguard.yaml` for every host with a Kubernetes node name: a Namespace,
/// then per node a Secret with that node's config alone and a DaemonSet pinned to it
/// (see Exporter::files). Keys made where missing in \a keys; empty with \a error set when
/// no host is a node or a node name is not usable.
QList<ConfigFiles::File> files(const Project &project, KeyStore &keys, QString *error);

} // namespace KubernetesManifest
