// The Kubernetes target's names: its container image, namespace and file.
#pragma once

namespace KubernetesManifest {

/// The container image of the Kubernetes DaemonSets. It must provide `sh` and `wg-quick`
/// (wireguard-tools); the node's kernel provides WireGuard itself. The DaemonSets replace
/// the image's entrypoint, so any image with those tools will do.
inline constexpr char DefaultKubernetesImage[] = "docker.io/linuxserver/wireguard:latest";
/// The namespace of every Kubernetes object of the export.
inline constexpr char KubernetesNamespace[] = "meshwright-wireguard";
/// The file name of the Kubernetes export.
inline constexpr char KubernetesFileName[] = "meshwright-wireguard.yaml";

} // namespace KubernetesManifest
