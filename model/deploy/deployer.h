// The interface of whatever carries a deploy out (in app/: over SSH).
#pragma once

#include "deployreport.h"

#include <QObject>

/// Runs one fleet transaction off the caller's thread and reports through queued signals:
/// prepare every host, switch every host, verify every link, then confirm every host or
/// roll every switched host back (DESIGN.md, "Deploy").
class Deployer : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start(const DeployPlan &plan, const DeployOptions &options) = 0;
    /// Before the switch: nothing is switched. After it: every switched host rolls back.
    virtual void cancel() = 0;
    virtual bool isRunning() const = 0;

signals:
    void phaseStarted(DeployPhase phase, const QString &detail);
    void stepStarted(const QString &host, DeployStep step, const QString &detail);
    /// Every host is read (and its candidate checked): what the switch will do, with the
    /// diffs and the hosts to re-import. Comes before the switch, or a dry run's end.
    void prepared(const DeployReport &plan);
    void linkChecked(const LinkCheck &check);
    void finished(const DeployReport &report);
};

Q_DECLARE_METATYPE(DeployReport)
Q_DECLARE_METATYPE(LinkCheck)
