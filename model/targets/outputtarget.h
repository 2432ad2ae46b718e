// One form a host's configuration takes (wg-quick, hostname.wgN, a router's script, ...),
// and the list of them all that generate, export, the Configs pane and the tests go through.
#pragma once

#include "configfiles.h"
#include "interfaceconfig.h"
#include "project.h"

#include <QList>
#include <QString>
#include <QStringList>

class KeyStore;
class Planner;

/// One host as a target writes it: the project, a planner of it, the keys the plan was made
/// with, and the host's planned interfaces.
struct TargetHost
{
    const Project &project;
    const Planner &planner;
    const KeyStore &keys;
    qsizetype index;
    const QList<PlannedInterface> &interfaces;
    /// The project's hosts block, when made once for many hosts (generate); null: made here.
    const QByteArray *hostsBlock = nullptr;

    const Host &host() const { return project.hosts[index]; }
};

/// An output target: it names itself, says which hosts it serves and writes their files from
/// the plan (it never plans itself). A target is one file under targets/ and one line in
/// OutputTargets::all(); `generate`, `export --format`, the Configs pane and the tests find
/// it there.
class OutputTarget
{
public:
    virtual ~OutputTarget() = default;

    /// The name `export --format` takes (lowercase), then its other spellings.
    virtual QString name() const = 0;
    virtual QStringList aliases() const { return {}; }
    /// What it writes, one line for the command reference and `export --help`.
    virtual QString summary() const = 0;
    /// True: `generate` writes its files into the folder of every host it serves (and the
    /// Configs pane shows them). False: `export --format` only.
    virtual bool generated() const { return false; }
    /// Whether it writes files for host \a index of \a project (an external host never).
    virtual bool serves(const Project &project, qsizetype index) const = 0;
    /// Whether the Configs pane shows its files for host \a index: by default the hosts it
    /// serves.
    virtual bool shownFor(const Project &project, qsizetype index) const { return serves(project, index); }

    /// The files for one planned interface (wgN.conf, hostname.wgN, ...), paths HOST/NAME,
    /// from the plan alone: none for an interface the target does not apply to.
    virtual QList<ConfigFiles::File> interfaceFiles(const PlannedInterface &planned) const;
    /// The files for the host as a whole, after those of its interfaces (its hosts block, a
    /// router's command script, the manifest that holds it).
    virtual QList<ConfigFiles::File> hostFiles(const TargetHost &host) const;
    /// Every file for the host: those of each interface, then its own.
    QList<ConfigFiles::File> files(const TargetHost &host) const;

    /// `export --format NAME`: the files of every host it serves (a file that several hosts
    /// share, once), keys made where missing in \a keys. Empty with \a error set when no
    /// host is served or one cannot be written.
    virtual QList<ConfigFiles::File> exportFiles(const Project &project, KeyStore &keys, QString *error) const;
    /// Why exportFiles() has nothing to write when the project has no host it serves.
    virtual QString nothingToExport() const;
};

namespace OutputTargets {

/// Every target, in the order their files are listed for a host.
const QList<const OutputTarget *> &all();
/// The target called \a name (or one of its other spellings), in any case; null if none.
const OutputTarget *find(const QString &name);
/// The names of all targets, for usage lines: "wg-quick, openbsd, ...".
QStringList names();
/// Every file the generated targets write for one planned interface, in the targets' order.
QList<ConfigFiles::File> interfaceFiles(const PlannedInterface &planned);
/// Every file the generated targets write for a host: its interfaces' (interfaceFiles()),
/// then each target's own files of the host.
QList<ConfigFiles::File> generatedFiles(const TargetHost &host);

} // namespace OutputTargets
