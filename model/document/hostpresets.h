// The kinds of host the palette offers, and how a new host of each kind starts out.
#pragma once

#include "project.h"

#include <QList>
#include <QString>

class MeshDocument;

namespace HostPresets {

struct Preset
{
    QString id;          ///< stable, used in drag-and-drop data
    QString label;       ///< shown in the palette
    QString description; ///< tooltip
    QString iconName;    ///< icon resource name (server, gateway, laptop, phone)
};

/// Linux server, FreeBSD server, OpenBSD gateway, cloud gateway, laptop, phone.
QList<Preset> all();
/// The preset called \a id, or nullptr.
const Preset *find(const QString &id);

/// A new host of preset \a id for \a document: a unique name, the next free mesh
/// addresses (IPv6 when the mesh has IPv6), the next free LAN or public address where the
/// role needs one, and the preset's OS and SSH defaults.
Host create(const QString &id, const MeshDocument &document);

/// The icon resource name for a host, by role and OS.
QString iconNameFor(const Host &host);

} // namespace HostPresets
