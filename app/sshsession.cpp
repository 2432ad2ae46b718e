// One SSH connection (libssh) with verified host keys, shared by deploy and status.
#include "sshsession.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <atomic>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace {

std::atomic<qint64> mainThreadCalls{0};

/// Counts a call that waits for the network when it runs on the main thread.
void noteThread()
{
    const QCoreApplication *app = QCoreApplication::instance();
    if (app && QThread::currentThread() == app->thread())
        ++mainThreadCalls;
}

} // namespace

qint64 SshSession::callsOnMainThread()
{
    return mainThreadCalls.load();
}

QByteArray privilege(const PollTarget &target)
{
    const QString command = target.sudoCmd.trimmed();
    if (command.isEmpty())
        return {};
    if (command == QLatin1String("sudo") || command == QLatin1String("doas"))
        return command.toUtf8() + " -n ";
    return command.toUtf8() + ' ';
}

SshSession::SshSession(const PollTarget &target)
    : m_target(target)
    , m_session(ssh_new())
{
}

SshSession::~SshSession()
{
    if (ssh_is_connected(m_session))
        ssh_disconnect(m_session);
    ssh_free(m_session);
}

void SshSession::detectDeadConnections(int seconds)
{
    const socket_t fd = ssh_get_fd(m_session);
    if (fd == SSH_INVALID_SOCKET)
        return;
    const int limit = std::max(15, seconds);
    const int on = 1;
    const int idle = 5;
    const int interval = 2;
    const int count = (limit - idle) / interval;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#ifdef TCP_USER_TIMEOUT
    const unsigned int userTimeoutMs = unsigned(limit) * 1000;
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &userTimeoutMs, sizeof userTimeoutMs);
#endif
}

std::optional<DeployFailure> SshSession::connect(const DeployOptions &options, const std::function<void(DeployStep, const QString &)> &report)
{
    noteThread();
    const QByteArray host = m_target.address.toUtf8();
    const QByteArray user = m_target.user.toUtf8();
    const QString knownHosts = options.knownHostsFile.isEmpty() ? QDir::homePath() + QLatin1String("/.ssh/known_hosts")
                                                                : options.knownHostsFile;
    const QByteArray knownHostsPath = QFile::encodeName(knownHosts);
    long timeout = options.connectTimeout;
    unsigned int port = unsigned(m_target.port);
    int strict = 1;
    // Every exchange is small and waits for its answer: without this each one can sit out
    // a delayed acknowledgement (40 ms on Linux) behind Nagle's algorithm.
    int noDelay = 1;
    ssh_options_set(m_session, SSH_OPTIONS_HOST, host.constData());
    ssh_options_set(m_session, SSH_OPTIONS_NODELAY, &noDelay);
    ssh_options_set(m_session, SSH_OPTIONS_PORT, &port);
    ssh_options_set(m_session, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(m_session, SSH_OPTIONS_KNOWNHOSTS, knownHostsPath.constData());
    ssh_options_set(m_session, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
    if (!user.isEmpty())
        ssh_options_set(m_session, SSH_OPTIONS_USER, user.constData());
    ssh_options_parse_config(m_session, nullptr);
    m_commandTimeoutMs = std::max(30, options.confirmTimeout) * 1000;
    if (ssh_connect(m_session) != SSH_OK)
        return DeployFailure{DeployStep::Connect, DeployResult::Problem::Network,
                       QStringLiteral("cannot connect to %1:%2: %3").arg(m_target.address).arg(m_target.port).arg(error())};
    detectDeadConnections(options.connectTimeout);

    // The host key: known and unchanged, or (only when asked for) new and accepted.
    report(DeployStep::HostKey, QString());
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(m_session, &key) != SSH_OK)
        return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey, QStringLiteral("no host key: %1").arg(error())};
    const QString fingerprint = fingerprintOf(key);
    ssh_key_free(key);
    switch (ssh_session_is_known_server(m_session)) {
    case SSH_KNOWN_HOSTS_OK:
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER: {
        const QString recorded = recordedFingerprint(knownHosts);
        return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                       QStringLiteral("the host key CHANGED: it is %1, %2 records %3; refused (a changed key is never "
                                      "accepted: check the host, then remove the old line from %2)")
                           .arg(fingerprint, QDir::toNativeSeparators(knownHosts), recorded.isEmpty() ? QStringLiteral("another key") : recorded)};
    }
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND: {
        // Accepted keys are by host name; a host not named yet (an import) by its address.
        const QString who = m_target.host.isEmpty() ? m_target.address : m_target.host;
        if (options.acceptedFingerprints.contains(who) && options.acceptedFingerprints.value(who) != fingerprint)
            return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                           QStringLiteral("the host now presents %1, not the key %2 that was accepted; refused")
                               .arg(fingerprint, options.acceptedFingerprints.value(who))};
        if (!options.acceptNewHostKeys && !options.acceptedFingerprints.contains(who))
            return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                           QStringLiteral("unknown host key %1; refused (accept it with --accept-new-host-keys after checking "
                                          "it with ssh-keygen -lf on the host)")
                               .arg(fingerprint)};
        QDir().mkpath(QFileInfo(knownHosts).absolutePath());
        ::chmod(QFile::encodeName(QFileInfo(knownHosts).absolutePath()).constData(), 0700);
        if (ssh_session_update_known_hosts(m_session) != SSH_OK)
            return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                           QStringLiteral("cannot record the host key in %1: %2").arg(knownHosts, error())};
        ::chmod(knownHostsPath.constData(), 0600);
        break;
    }
    case SSH_KNOWN_HOSTS_ERROR:
        return DeployFailure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                       QStringLiteral("cannot check the host key: %1").arg(error())};
    }

    // Authentication: the project's key file first, then ssh-agent, then ~/.ssh keys.
    report(DeployStep::Auth, QString());
    ssh_userauth_none(m_session, nullptr);
    bool authenticated = false;
    if (!m_target.identity.isEmpty()) {
        ssh_key identity = nullptr;
        if (ssh_pki_import_privkey_file(QFile::encodeName(m_target.identity).constData(), nullptr, nullptr, nullptr, &identity)
            == SSH_OK) {
            authenticated = ssh_userauth_publickey(m_session, nullptr, identity) == SSH_AUTH_SUCCESS;
            ssh_key_free(identity);
        }
    }
    if (!authenticated)
        authenticated = ssh_userauth_agent(m_session, nullptr) == SSH_AUTH_SUCCESS;
    if (!authenticated)
        authenticated = ssh_userauth_publickey_auto(m_session, nullptr, nullptr) == SSH_AUTH_SUCCESS;
    if (!authenticated)
        return DeployFailure{DeployStep::Auth, DeployResult::Problem::Auth,
                       QStringLiteral("authentication refused for %1: %2").arg(m_target.user.isEmpty() ? QStringLiteral("the user") : m_target.user, error())};
    return std::nullopt;
}

int SshSession::run(const QByteArray &command, const QByteArray &input, QByteArray *out, QByteArray *err)
{
    noteThread();
    ssh_channel channel = ssh_channel_new(m_session);
    if (!channel)
        return -1;
    int status = -1;
    bool lost = false;
    if (ssh_channel_open_session(channel) == SSH_OK && ssh_channel_request_exec(channel, command.constData()) == SSH_OK) {
        // A host that stops reading for the session's timeout takes part of the input
        // only, and a shell would run what it got: the command counts as lost, and the
        // channel is closed without an end of input.
        if (!input.isEmpty() && ssh_channel_write(channel, input.constData(), uint32_t(input.size())) != int(input.size())) {
            lost = true;
        } else {
            ssh_channel_send_eof(channel);
            char buffer[4096];
            for (int stream : {0, 1}) {
                QByteArray *sink = stream ? err : out;
                int n = 0;
                QElapsedTimer waited;
                waited.start();
                while ((n = ssh_channel_read_timeout(channel, buffer, sizeof buffer, stream, m_commandTimeoutMs)) > 0) {
                    if (sink)
                        sink->append(buffer, n);
                    waited.restart();
                }
                // Nothing for the whole timeout, or an error: the connection is gone.
                if (n == SSH_ERROR || (n == 0 && waited.elapsed() >= m_commandTimeoutMs - 100)) {
                    lost = true;
                    break;
                }
            }
        }
        status = lost ? -1 : ssh_channel_get_exit_status(channel);
    } else if (err) {
        *err = error().toUtf8();
    }
    ssh_channel_close(channel);
    ssh_channel_free(channel);
    return status;
}

QString SshSession::error() const
{
    const QString message = QString::fromUtf8(ssh_get_error(m_session));
    // A blocking call that timed out leaves no message of its own.
    return message.isEmpty() ? QStringLiteral("no answer from the host (the connection may be down)") : message;
}

QString SshSession::recordedFingerprint(const QString &knownHosts) const
{
    QFile file(knownHosts);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray host = m_target.port == 22 ? m_target.address.toUtf8()
                                                : QStringLiteral("[%1]:%2").arg(m_target.address).arg(m_target.port).toUtf8();
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        struct ssh_knownhosts_entry *entry = nullptr;
        if (ssh_known_hosts_parse_line(host.constData(), line.constData(), &entry) == SSH_OK && entry) {
            const QString fingerprint = fingerprintOf(entry->publickey);
            ssh_knownhosts_entry_free(entry);
            if (!fingerprint.isEmpty())
                return fingerprint;
        }
    }
    return {};
}

QString SshSession::fingerprintOf(ssh_key key)
{
    unsigned char *hash = nullptr;
    size_t length = 0;
    if (!key || ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK)
        return {};
    char *text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    const QString fingerprint = QString::fromLatin1(text);
    ssh_string_free_char(text);
    ssh_clean_pubkey_hash(&hash);
    return fingerprint;
}
