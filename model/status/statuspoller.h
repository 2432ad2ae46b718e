// The interface of whatever asks the hosts for their WireGuard state (SSH, in app/).
#pragma once

#include "linkstatus.h"
#include "polltarget.h"

#include <QObject>

struct StatusOptions
{
    int interval = 5; ///< seconds between polls of a host
    QString knownHostsFile; ///< empty: ~/.ssh/known_hosts; unknown host keys are never accepted
    int connectTimeout = 5; ///< seconds
};

/// Polls every target (Deployment::pollTargets: address, login, interfaces) until
/// stopped. Each poll ends in polled() or unreachable(), delivered in the poller's thread. A host that fails is retried with a growing pause (up to a minute).
class StatusPoller : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start(const QList<PollTarget> &targets, const StatusOptions &options) = 0;
    /// Stops polling; nothing is delivered after this returns.
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;

signals:
    void polled(const QString &host, const HostSample &sample);
    void unreachable(const QString &host, const QString &reason);
};
