// The StatusPoller over SSH (libssh): one long-lived session per host, each in its own thread.
#pragma once

#include "statuspoller.h"

#include <memory>
#include <thread>
#include <vector>

/// Each host gets a thread that keeps one SSH session open and runs the poll script every
/// interval (never in the GUI thread). A host whose session drops is reported unreachable
/// and reconnected after 1, 2, 4 ... intervals (at most a minute), so sshd restarts and
/// reboots heal by themselves. Host keys must be known: an unknown key is never accepted.
class SshStatusPoller : public StatusPoller
{
    Q_OBJECT

public:
    explicit SshStatusPoller(QObject *parent = nullptr);
    /// Waits for the hosts' threads (at most a connect or poll timeout).
    ~SshStatusPoller() override;

    void start(const QList<PollTarget> &targets, const StatusOptions &options) override;
    /// Returns at once; threads still inside a network call finish in the background.
    void stop() override;
    bool isRunning() const override { return m_run != nullptr; }

    struct Run;

private:
    void reap(bool all);

    std::shared_ptr<Run> m_run;
    std::vector<std::pair<std::shared_ptr<Run>, std::thread>> m_threads;
};
