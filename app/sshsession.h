// One SSH connection (libssh) with verified host keys, shared by deploy and status.
#pragma once

#include "deployment.h"

#include <QByteArray>
#include <QString>

#include <libssh/libssh.h>

#include <functional>
#include <optional>

/// The privilege prefix of \a target's commands: sudo and doas must never wait for a password.
QByteArray privilege(const PollTarget &target);

/// One SSH connection, used by one thread only (the worker that made it).
class SshSession
{
public:
    explicit SshSession(const PollTarget &target);
    ~SshSession();
    SshSession(const SshSession &) = delete;
    SshSession &operator=(const SshSession &) = delete;

    /// A connection whose path dies (a cable pulled, a firewall dropping everything) sends
    /// no reset: without this, a blocking command would wait for its reply forever. TCP
    /// keepalives and a limit on unacknowledged data make the kernel fail the socket after
    /// about \a seconds (at least 15), and the step fails with a network error.
    void detectDeadConnections(int seconds);

    std::optional<DeployFailure> connect(const DeployOptions &options, const std::function<void(DeployStep, const QString &)> &report);

    /// How many of the calls that wait for the network (connect, run) ran on the
    /// application's main thread so far.
    /// A window must make none: its event loop would stop until the host answers.
    static qint64 callsOnMainThread();

    /// Runs \a command, feeding \a input; returns its exit status (-1 if it did not run).
    int run(const QByteArray &command, const QByteArray &input, QByteArray *out, QByteArray *err);

    /// A remote command that sends nothing for this long means the connection is lost
    /// (connect() sets it from the deploy's confirm timeout).
    void setCommandTimeout(int milliseconds) { m_commandTimeoutMs = milliseconds; }

private:
    QString error() const;
    /// The fingerprint known_hosts records for this host (for "changed" messages).
    QString recordedFingerprint(const QString &knownHosts) const;
    static QString fingerprintOf(ssh_key key);

    const PollTarget &m_target;
    ssh_session m_session;
    int m_commandTimeoutMs = 60000;
};
