// The end of a deploy: one verdict for the fleet, each host's outcome, each link's check.
#pragma once

#include "linkcheck.h"

#include <QJsonObject>

/// What a fleet transaction ended in. Never some hosts on the new mesh and others on the
/// old one: either every switched host is confirmed, or every one is rolled back.
struct DeployReport
{
    enum class Verdict {
        Confirmed,       ///< every host switched and every link verified
        Unchanged,       ///< nothing to switch
        DryRun,          ///< hosts read, nothing changed
        NothingSwitched, ///< a host failed to prepare: no host was touched
        RolledBack,      ///< a link or a host failed after the switch: every host went back
        Cancelled,       ///< stopped by the user before the switch
    };

    Verdict verdict = Verdict::NothingSwitched;
    QList<DeployResult> hosts;     ///< in project order
    QList<LinkCheck> links;        ///< the new project's links, as verified
    QList<LinkCheck> previousLinks; ///< after a rollback: the previous links, verified again
    QStringList reimport;          ///< hosts installed by hand whose config changed
    QStringList waiting;           ///< links to hosts left out of the deploy
    QStringList settled;           ///< rotations the confirmed deploy installed
    QString reason;                ///< why it was rolled back or not switched

    /// One line: "confirmed: 12 hosts, 30 links verified", "rolled back: 12 hosts; link
    /// lan2 <-> gw1 had no route", "nothing switched: lan4 failed to prepare (...)".
    QString summary() const;
    static QString verdictName(Verdict verdict);
    int count(DeployResult::Outcome outcome) const;
    const DeployResult *host(const QString &name) const;
    bool succeeded() const { return verdict == Verdict::Confirmed || verdict == Verdict::Unchanged || verdict == Verdict::DryRun; }
    QJsonObject toJson() const;
};
