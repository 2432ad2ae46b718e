// Exporting a project for routers and clusters: EdgeOS/VyOS command scripts, Kubernetes manifests.
#pragma once

#include "configfiles.h"
#include "project.h"

#include <QList>
#include <QString>

#include <optional>

class KeyStore;

namespace Exporter {

/// What an export is written for.
enum class Format {
    EdgeOs,     ///< Ubiquiti EdgeOS with the wireguard-vyatta-ubnt package
    VyOs,       ///< VyOS 1.4 (sagitta) syntax
    Kubernetes, ///< one manifest file: a Secret and a DaemonSet per node
};

/// The format called \a name ("edgeos", "vyos", "k8s" or "kubernetes"; case-insensitive), or nullopt.
std::optional<Format> formatFromName(const QString &name);

/// The export files of \a project in \a format (keys made where missing in \a keys, not
/// saved here). The files hold private keys.
///
/// EdgeOS / VyOS: one `HOST.sh` command script per host whose os is EdgeOS resp. VyOS
/// (case-insensitive); when none has that os, one per host with router settings. A script
/// sets up every interface of its host (wg0, wg1, ... on a router with one interface per
/// peer), opens the listen ports in the local firewall, adds static routes (VyOS never
/// routes AllowedIPs by itself, EdgeOS only when the router's routes are explicit; BGP
/// prefixes and default routes never get one) and clamps the TCP MSS when the router
/// settings ask for it.
///
/// Kubernetes: one `meshwright-wireguard.yaml` for every host with a Kubernetes node name
/// (Host::kubernetesNode): a Namespace, then per node a Secret holding only that node's
/// config and a DaemonSet pinned to that node that brings the tunnel up on the host's
/// network and down again when the pod stops.
///
/// Returns an empty list and sets \a error when nothing in the project can be exported in
/// that format, or when a node name is not usable as a Kubernetes name.
QList<ConfigFiles::File> files(const Project &project, KeyStore &keys, Format format, QString *error);

} // namespace Exporter
