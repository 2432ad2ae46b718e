// What `meshwright status` prints: a table or JSON of every link and host.
#pragma once

#include "linkstatus.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

/// One host as the status sees it.
struct HostStatus
{
    QString name;
    bool ssh = false;       ///< false: only ever seen from its peers (phones, laptops)
    bool reachable = false; ///< its last poll answered
    QString reason;         ///< why not, when it did not
};

namespace StatusReport {

/// The hosts of \a board, with the reasons of those that did not answer (host -> reason).
QList<HostStatus> hosts(const LinkStatusBoard &board, const QHash<QString, QString> &reasons);

/// True when every link that should be up is alive (no link needs attention).
bool healthy(const QList<LinkStatus> &links);

/// The links counted by state: "3 alive, 1 down" (empty when there are none).
QString countText(const QList<LinkStatus> &links);

/// Aligned text: one line per link (host, peer, state, both ends' latest handshake, the
/// endpoint the host sees, rates), then the hosts that did not answer, then a summary.
QString table(const QList<LinkStatus> &links, const QList<HostStatus> &hosts);

/// One object: time, ok, counts per state, hosts, and per link both ends' views.
QJsonObject json(const QList<LinkStatus> &links, const QList<HostStatus> &hosts, const QDateTime &time);

/// How one end saw its peer: "12 s ago", "never", "interface down", "unreachable", "no ssh".
QString endText(const std::optional<LinkEndView> &view, bool ssh, bool reachable);

} // namespace StatusReport
