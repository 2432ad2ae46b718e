// The router command scripts (Exporter::Format::EdgeOs and VyOs).
#pragma once

#include "configfiles.h"
#include "project.h"

#include <QList>
#include <QString>

class KeyStore;

namespace RouterScript {

enum class RouterOs { EdgeOs, VyOs };

/// One `HOST.sh` per host whose os is \a os, else per host with router settings (see
/// Exporter::files). Keys made where missing in \a keys; empty with \a error set when no
/// host qualifies.
QList<ConfigFiles::File> files(const Project &project, KeyStore &keys, RouterOs os, QString *error);

} // namespace RouterScript
