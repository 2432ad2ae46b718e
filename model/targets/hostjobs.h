// The jobs a host runs beside its WireGuard interfaces: a full-tunnel client's failover
// watchdog, and the re-resolution of endpoints it dials by DNS name. Their scripts, lists,
// systemd units and cron entries, as generate writes them and a deploy installs them.
#pragma once

#include "interfaceconfig.h"
#include "project.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace HostJobs {

/// Where the jobs' files live on a host.
inline constexpr char Folder[] = "/etc/meshwright";

/// One file of a host's jobs, at its absolute path on the host.
struct File
{
    QString path;
    QByteArray content; ///< empty: the file must not exist (the host no longer needs it)
    bool block = false; ///< content is a block to merge into the live file (a BSD's /etc/crontab)
};

/// Whether \a host gets a failover watchdog for \a planned: a Linux client with two exits
/// or more (FreeBSD and OpenBSD clients keep their first exit: see the README).
bool failsOver(const Host &host, const PlannedInterface &planned);
/// Whether \a host re-resolves names for \a planned: it dials a peer by name and runs a
/// system the job is written for (Linux, FreeBSD, OpenBSD).
bool reresolves(const Host &host, const PlannedInterface &planned);

/// The files \a host needs for its \a interfaces, present ones only: what `generate`
/// writes. Empty when the host needs no job.
QList<File> files(const Project &project, qsizetype host, const QList<PlannedInterface> &interfaces);
/// What a deploy installs: files() plus every other path a job may have left on the host,
/// empty (to delete), so that a job the project no longer asks for is removed. Empty for
/// systems that run no jobs (routers, phones).
QList<File> deployFiles(const Project &project, qsizetype host, const QList<PlannedInterface> &interfaces);
/// True for a path deployFiles() writes: loaded on its own, without restarting an interface.
bool isJobPath(const QString &path);

/// What the jobs of \a planned do, one line each, for the properties pane and `validate`:
/// "re-resolves gw.example.net every 30 s", "moves the default route to the next exit ...".
QStringList describe(const Host &host, const PlannedInterface &planned, const Project &project);

} // namespace HostJobs
