// The Deployer over SSH (libssh): verified host keys, atomic install, host-side rollback.
#include "sshdeployer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMetaObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QThread>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <openssl/crypto.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace {

/// The shell functions the scripts below share, and that the rollback file carries along.
/// They read $kind (linux, freebsd, openbsd) and $reload (the project's reload command).
const char *const Functions = R"SH(
reload_one() {
    if [ -n "$reload" ]; then sh -c "$reload"; return; fi
    case "$kind" in
    openbsd) sh /etc/netstart "$1" ;;
    freebsd) service wireguard restart ;;
    *)
        if ip link show "$1" >/dev/null 2>&1; then
            if [ "$3" = 1 ]; then
                wg-quick down "$2" >/dev/null 2>&1; wg-quick up "$2"
            else
                tmp=$(mktemp) && wg-quick strip "$2" > "$tmp" && wg syncconf "$1" "$tmp"; rc=$?; rm -f "$tmp"; return $rc
            fi
        else
            wg-quick up "$2"
        fi ;;
    esac
}
restore_all() { # pairs of staged file name (wg0.conf, hostname.wg0) and live path
    while [ $# -ge 2 ]; do
        case "$1" in
        *.conf)
            if [ -f "$2.meshwright-backup" ]; then
                cp -p "$2.meshwright-backup" "$2" && reload_one "${1%.conf}" "$2" 1
            else
                [ "$kind" = openbsd ] || wg-quick down "$2" >/dev/null 2>&1; rm -f "$2"
            fi ;;
        *)
            if [ -f "$2.meshwright-backup" ]; then cp -p "$2.meshwright-backup" "$2"; else rm -f "$2"; fi ;;
        esac
        shift 2
    done
}
)SH";

/// Runs on the host, as root, with the staged files: checks the candidates, backs up the
/// live configs, arms a rollback on the host itself (it restores them after the timeout
/// unless confirmed, even if the deploying program dies or the connection is cut),
/// installs and reloads. Arguments: stage timeout restart kind token reload, then per
/// file: its staged name (wg0.conf, hostname.wg0) and its live path. Every value arrives
/// as an argument, never inside the script.
const char *const InstallScript = R"SH(
set -u
stage=$1; timeout=$2; restart=$3; kind=$4; token=$5; reload=$6; shift 6
state=/var/run/meshwright
mkdir -p "$state" && chmod 700 "$state" || { echo "cannot create $state" >&2; exit 20; }
q() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }
for_pairs() { f=$1; shift; while [ $# -ge 2 ]; do "$f" "$1" "$2" || return 1; shift 2; done; }
check_one() { case "$1" in *.conf) ;; *) return 0 ;; esac; wg-quick strip "$stage/$1" >/dev/null 2>"$stage/strip.err" || { echo "rejected by wg-quick strip: $(cat "$stage/strip.err")" >&2; return 1; }; }
if command -v wg-quick >/dev/null 2>&1 && [ "$kind" != openbsd ]; then for_pairs check_one "$@" || exit 30; fi
backup_one() { if [ -f "$2" ]; then cp -p "$2" "$2.meshwright-backup"; else rm -f "$2.meshwright-backup"; fi; }
for_pairs backup_one "$@" || { echo "cannot back up the live config" >&2; exit 40; }
armed="$state/armed-$token"; rollback="$state/rollback-$token.sh"
{
    cat <<'MESHWRIGHT_FUNCTIONS'
@FUNCTIONS@
MESHWRIGHT_FUNCTIONS
    printf 'kind=%s; reload=%s\n' "$(q "$kind")" "$(q "$reload")"
    printf 'sleep %s\n[ -f %s ] || exit 0\nrm -f %s\n' "$timeout" "$(q "$armed")" "$(q "$armed")"
    printf 'restore_all'; for a in "$@"; do printf ' %s' "$(q "$a")"; done; printf '\n'
    printf 'rm -f %s\n' "$(q "$rollback")"
} > "$rollback" || { echo "cannot arm the rollback" >&2; exit 40; }
echo "$token" > "$armed"
if command -v setsid >/dev/null 2>&1; then setsid sh "$rollback" >/dev/null 2>&1 </dev/null & else nohup sh "$rollback" >/dev/null 2>&1 </dev/null & fi
install_one() { install -m 600 "$stage/$1" "$2.meshwright-new" && mv -f "$2.meshwright-new" "$2"; }
for_pairs install_one "$@" || { echo "install failed; the previous config is back" >&2; rm -f "$armed"; restore_all "$@"; exit 50; }
reload_all() { while [ $# -ge 2 ]; do case "$1" in *.conf) reload_one "${1%.conf}" "$2" "$restart" || return 1 ;; esac; shift 2; done; }
reload_all "$@" || { echo "reload failed; the previous config is back" >&2; rm -f "$armed"; restore_all "$@"; exit 60; }
echo reloaded
)SH";

/// Confirms (disarms the timer) or rolls back now. Arguments: action token kind reload,
/// then per interface: name path.
const char *const FinishScript = R"SH(
set -u
action=$1; token=$2; kind=$3; reload=$4; shift 4
state=/var/run/meshwright
[ -f "$state/armed-$token" ] || { echo "not armed any more: the host rolled back by itself" >&2; exit 70; }
rm -f "$state/armed-$token" "$state/rollback-$token.sh"
if [ "$action" = rollback ]; then
    restore_all "$@"
    echo "rolled back"
else
    while [ $# -ge 2 ]; do rm -f "$2.meshwright-backup"; shift 2; done
    echo confirmed
fi
)SH";

QByteArray shellQuote(const QString &value)
{
    QByteArray quoted = value.toUtf8();
    quoted.replace('\'', "'\\''");
    return '\'' + quoted + '\'';
}

QString osKind(const QString &os)
{
    const QString lower = os.toLower();
    if (lower == QLatin1String("openbsd"))
        return QStringLiteral("openbsd");
    if (lower == QLatin1String("freebsd"))
        return QStringLiteral("freebsd");
    return QStringLiteral("linux");
}

/// The privilege prefix: sudo and doas must never wait for a password.
QByteArray privilege(const DeployTarget &target)
{
    const QString command = target.sudoCmd.trimmed();
    if (command.isEmpty())
        return {};
    if (command == QLatin1String("sudo") || command == QLatin1String("doas"))
        return command.toUtf8() + " -n ";
    return command.toUtf8() + ' ';
}

struct Failure
{
    DeployStep step;
    DeployResult::Problem problem;
    QString reason;
};

/// One SSH connection, owned by one worker thread.
class Session
{
public:
    explicit Session(const DeployTarget &target)
        : m_target(target)
        , m_session(ssh_new())
    {
    }
    ~Session()
    {
        if (m_sftp)
            sftp_free(m_sftp);
        if (ssh_is_connected(m_session))
            ssh_disconnect(m_session);
        ssh_free(m_session);
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    /// A connection whose path dies (a cable pulled, a firewall dropping everything) sends
    /// no reset: without this, a blocking SFTP call would wait for its reply forever. TCP
    /// keepalives and a limit on unacknowledged data make the kernel fail the socket after
    /// about \a seconds (at least 15), and the step fails with a network error.
    void detectDeadConnections(int seconds)
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

    std::optional<Failure> connect(const DeployOptions &options, const std::function<void(DeployStep, const QString &)> &report)
    {
        const QByteArray host = m_target.address.toUtf8();
        const QByteArray user = m_target.user.toUtf8();
        const QString knownHosts = options.knownHostsFile.isEmpty() ? QDir::homePath() + QLatin1String("/.ssh/known_hosts")
                                                                    : options.knownHostsFile;
        const QByteArray knownHostsPath = QFile::encodeName(knownHosts);
        long timeout = options.connectTimeout;
        unsigned int port = unsigned(m_target.port);
        int strict = 1;
        ssh_options_set(m_session, SSH_OPTIONS_HOST, host.constData());
        ssh_options_set(m_session, SSH_OPTIONS_PORT, &port);
        ssh_options_set(m_session, SSH_OPTIONS_TIMEOUT, &timeout);
        ssh_options_set(m_session, SSH_OPTIONS_KNOWNHOSTS, knownHostsPath.constData());
        ssh_options_set(m_session, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
        if (!user.isEmpty())
            ssh_options_set(m_session, SSH_OPTIONS_USER, user.constData());
        ssh_options_parse_config(m_session, nullptr);
        m_commandTimeoutMs = std::max(30, options.confirmTimeout) * 1000;
        if (ssh_connect(m_session) != SSH_OK)
            return Failure{DeployStep::Connect, DeployResult::Problem::Network,
                           QStringLiteral("cannot connect to %1:%2: %3").arg(m_target.address).arg(m_target.port).arg(error())};
        detectDeadConnections(options.connectTimeout);

        // The host key: known and unchanged, or (only when asked for) new and accepted.
        report(DeployStep::HostKey, QString());
        ssh_key key = nullptr;
        if (ssh_get_server_publickey(m_session, &key) != SSH_OK)
            return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey, QStringLiteral("no host key: %1").arg(error())};
        const QString fingerprint = fingerprintOf(key);
        ssh_key_free(key);
        switch (ssh_session_is_known_server(m_session)) {
        case SSH_KNOWN_HOSTS_OK:
            break;
        case SSH_KNOWN_HOSTS_CHANGED:
        case SSH_KNOWN_HOSTS_OTHER: {
            const QString recorded = recordedFingerprint(knownHosts);
            return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                           QStringLiteral("the host key CHANGED: it is %1, %2 records %3; refused (a changed key is never "
                                          "accepted: check the host, then remove the old line from %2)")
                               .arg(fingerprint, QDir::toNativeSeparators(knownHosts), recorded.isEmpty() ? QStringLiteral("another key") : recorded)};
        }
        case SSH_KNOWN_HOSTS_UNKNOWN:
        case SSH_KNOWN_HOSTS_NOT_FOUND:
            if (options.acceptedFingerprints.contains(m_target.host)
                && options.acceptedFingerprints.value(m_target.host) != fingerprint)
                return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                               QStringLiteral("the host now presents %1, not the key %2 that was accepted; refused")
                                   .arg(fingerprint, options.acceptedFingerprints.value(m_target.host))};
            if (!options.acceptNewHostKeys && !options.acceptedFingerprints.contains(m_target.host))
                return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                               QStringLiteral("unknown host key %1; refused (accept it with --accept-new-host-keys after checking "
                                              "it with ssh-keygen -lf on the host)")
                                   .arg(fingerprint)};
            QDir().mkpath(QFileInfo(knownHosts).absolutePath());
            ::chmod(QFile::encodeName(QFileInfo(knownHosts).absolutePath()).constData(), 0700);
            if (ssh_session_update_known_hosts(m_session) != SSH_OK)
                return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey,
                               QStringLiteral("cannot record the host key in %1: %2").arg(knownHosts, error())};
            ::chmod(knownHostsPath.constData(), 0600);
            break;
        case SSH_KNOWN_HOSTS_ERROR:
            return Failure{DeployStep::HostKey, DeployResult::Problem::HostKey,
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
            return Failure{DeployStep::Auth, DeployResult::Problem::Auth,
                           QStringLiteral("authentication refused for %1: %2").arg(m_target.user.isEmpty() ? QStringLiteral("the user") : m_target.user, error())};
        return std::nullopt;
    }

    /// Runs \a command, feeding \a input; returns its exit status (-1 if it did not run).
    int run(const QByteArray &command, const QByteArray &input, QByteArray *out, QByteArray *err)
    {
        ssh_channel channel = ssh_channel_new(m_session);
        if (!channel)
            return -1;
        int status = -1;
        bool lost = false;
        if (ssh_channel_open_session(channel) == SSH_OK && ssh_channel_request_exec(channel, command.constData()) == SSH_OK) {
            if (!input.isEmpty())
                ssh_channel_write(channel, input.constData(), uint32_t(input.size()));
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
            status = lost ? -1 : ssh_channel_get_exit_status(channel);
        } else if (err) {
            *err = error().toUtf8();
        }
        ssh_channel_close(channel);
        ssh_channel_free(channel);
        return status;
    }

    /// Opens the SFTP channel on first use.
    bool startSftp(QString *why)
    {
        if (m_sftp)
            return true;
        m_sftp = sftp_new(m_session);
        if (m_sftp && sftp_init(m_sftp) == SSH_OK)
            return true;
        *why = QStringLiteral("SFTP is not available: %1").arg(error());
        if (m_sftp) {
            sftp_free(m_sftp); // half started: try afresh next time
            m_sftp = nullptr;
        }
        return false;
    }

    /// Uploads \a data to \a path with mode 0600 over SFTP.
    bool upload(const QString &path, const QByteArray &data, QString *why)
    {
        if (!startSftp(why))
            return false;
        const QByteArray remote = path.toUtf8();
        sftp_file file = sftp_open(m_sftp, remote.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (!file) {
            *why = QStringLiteral("cannot create %1: %2").arg(path, error());
            return false;
        }
        qsizetype written = 0;
        while (written < data.size()) {
            const ssize_t n = sftp_write(file, data.constData() + written, size_t(std::min<qsizetype>(data.size() - written, 32768)));
            if (n <= 0) {
                sftp_close(file);
                *why = QStringLiteral("writing %1 failed: %2").arg(path, error());
                return false;
            }
            written += n;
        }
        if (sftp_close(file) != SSH_OK) {
            *why = QStringLiteral("closing %1 failed: %2").arg(path, error());
            return false;
        }
        return true;
    }

    bool makeDirectory(const QString &path, QString *why)
    {
        if (!startSftp(why))
            return false;
        if (sftp_mkdir(m_sftp, path.toUtf8().constData(), 0700) != SSH_OK) {
            *why = QStringLiteral("cannot create %1: %2").arg(path, error());
            return false;
        }
        return true;
    }

private:
    QString error() const
    {
        const QString message = QString::fromUtf8(ssh_get_error(m_session));
        // A blocking call that timed out leaves no message of its own.
        return message.isEmpty() ? QStringLiteral("no answer from the host (the connection may be down)") : message;
    }
    /// The fingerprint known_hosts records for this host (for "changed" messages).
    QString recordedFingerprint(const QString &knownHosts) const
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
    static QString fingerprintOf(ssh_key key)
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

    const DeployTarget &m_target;
    ssh_session m_session;
    sftp_session m_sftp = nullptr;
    int m_commandTimeoutMs = 60000; ///< a remote command that sends nothing for this long: connection lost
};

/// Alive peers per interface: public key -> latest handshake is younger than 180 s.
struct Handshakes
{
    QHash<QString, QSet<QString>> alive; ///< interface -> peer keys
    int count() const
    {
        int n = 0;
        for (const auto &peers : alive)
            n += int(peers.size());
        return n;
    }
};

Handshakes readHandshakes(Session &session, const DeployTarget &target)
{
    QByteArray script = "now=$(date +%s); echo \"now $now\"; for i in";
    for (const QString &iface : target.interfaces)
        script += ' ' + shellQuote(iface);
    script += "; do wg show \"$i\" latest-handshakes 2>/dev/null | sed \"s/^/$i /\"; done\n";
    QByteArray out;
    session.run(privilege(target) + "sh -s", script, &out, nullptr);
    Handshakes result;
    qint64 now = 0;
    for (const QByteArray &line : out.split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() == 2 && fields[0] == "now")
            now = fields[1].toLongLong();
        else if (fields.size() == 3 && now > 0) {
            const qint64 at = fields[2].toLongLong();
            if (at > 0 && now - at < 180)
                result.alive[QString::fromLatin1(fields[0])].insert(QString::fromLatin1(fields[1]));
        }
    }
    return result;
}

void pingProbes(Session &session, const DeployTarget &target)
{
    QByteArray script;
    for (const QString &address : target.probes)
        script += "ping -c 1 -W 1 " + shellQuote(address) + " >/dev/null 2>&1 &\n";
    script += "wait\n";
    session.run("sh -s", script, nullptr, nullptr);
}

DeployResult deployHost(const DeployTarget &target, const DeployOptions &options, const std::atomic_bool &cancelled,
                        const std::function<void(DeployStep, const QString &)> &report)
{
    DeployResult result;
    result.host = target.host;
    auto fail = [&](const Failure &failure) {
        result.outcome = DeployResult::Outcome::Failed;
        result.step = failure.step;
        result.problem = failure.problem;
        result.reason = failure.reason;
        return result;
    };
    if (cancelled) {
        result.outcome = DeployResult::Outcome::Cancelled;
        result.reason = QStringLiteral("cancelled before it started");
        return result;
    }
    Session session(target);
    report(DeployStep::Connect, target.address);
    if (const auto failure = session.connect(options, report))
        return fail(*failure);

    // What is there now.
    report(DeployStep::Read, QString());
    QByteArray read;
    for (const DeployTarget::File &file : target.files)
        read += "p=" + shellQuote(file.path) + "; if [ -f \"$p\" ]; then printf 'F %s\\n' \"$(wc -c < \"$p\" | tr -d ' ')\"; cat \"$p\"; else printf 'M\\n'; fi\n";
    QByteArray current;
    QByteArray readError;
    const int readStatus = session.run(privilege(target) + "sh -s", read, &current, &readError);
    if (readStatus != 0) {
        const bool password = readError.contains("password") || readError.contains("a terminal is required");
        return fail({DeployStep::Read, password ? DeployResult::Problem::Privilege : DeployResult::Problem::RemoteCommand,
                     password ? QStringLiteral("%1 wants a password; allow it without one (sudo -n / doas -n)").arg(target.sudoCmd)
                              : QStringLiteral("cannot read the current config: %1").arg(QString::fromUtf8(readError).trimmed())});
    }
    QList<QByteArray> before;
    qsizetype at = 0;
    for (qsizetype i = 0; i < target.files.size(); ++i) {
        const qsizetype end = current.indexOf('\n', at);
        const QByteArray head = current.mid(at, end - at);
        at = end + 1;
        if (head.startsWith("F ")) {
            const qsizetype length = head.mid(2).toLongLong();
            before.append(current.mid(at, length));
            at += length;
        } else {
            before.append(QByteArray());
        }
    }
    bool same = true;
    bool restart = false;
    QStringList diffs;
    for (qsizetype i = 0; i < target.files.size(); ++i) {
        if (before[i] == target.files[i].content)
            continue;
        same = false;
        restart = restart || before[i].isEmpty() || Deployment::needsRestart(before[i], target.files[i].content);
        diffs.append(Deployment::diff(target.files[i].path, before[i], target.files[i].content));
    }
    result.diff = diffs.join(QLatin1Char('\n'));
    if (same || options.dryRun) {
        result.outcome = same ? DeployResult::Outcome::Unchanged : DeployResult::Outcome::Updated;
        result.step = DeployStep::Done;
        result.reason = same ? QStringLiteral("already up to date") : QStringLiteral("would be updated (dry run)");
        return result;
    }
    const Handshakes aliveBefore = readHandshakes(session, target);

    // Stage the candidates in a private folder, check them on the host, switch over.
    report(DeployStep::Upload, QString());
    const QString token = QString::number(QRandomGenerator::system()->generate64(), 16);
    const QString stage = QStringLiteral("/tmp/meshwright-%1").arg(token);
    QString why;
    if (!session.makeDirectory(stage, &why))
        return fail({DeployStep::Upload, DeployResult::Problem::RemoteCommand, why});
    for (qsizetype i = 0; i < target.files.size(); ++i) {
        if (!session.upload(stage + QLatin1Char('/') + QFileInfo(target.files[i].path).fileName(), target.files[i].content, &why)) {
            session.run("rm -rf " + shellQuote(stage), {}, nullptr, nullptr);
            return fail({DeployStep::Upload, DeployResult::Problem::Network, why});
        }
    }
    QByteArray pairs;
    for (const DeployTarget::File &file : target.files)
        pairs += ' ' + shellQuote(QFileInfo(file.path).fileName()) + ' ' + shellQuote(file.path);
    const QByteArray kind = osKind(target.os).toUtf8();
    report(DeployStep::Validate, QString());
    QByteArray installScript = QByteArray(Functions) + QByteArray(InstallScript);
    installScript.replace("@FUNCTIONS@", QByteArray(Functions));
    QByteArray out;
    QByteArray err;
    const QByteArray install = privilege(target) + "sh -s -- " + shellQuote(stage) + ' ' + QByteArray::number(options.confirmTimeout) + ' '
        + (restart ? "1" : "0") + ' ' + kind + ' ' + shellQuote(token) + ' ' + shellQuote(target.reloadCmd) + pairs;
    const int status = session.run(install, installScript, &out, &err);
    session.run("rm -rf " + shellQuote(stage), {}, nullptr, nullptr);
    if (status == -1)
        return fail({DeployStep::Install, DeployResult::Problem::Network,
                     QStringLiteral("the connection was lost during the switch; the host restores its previous config by "
                                    "itself within %1 s")
                         .arg(options.confirmTimeout)});
    if (status != 0) {
        const QString message = QString::fromUtf8(err).trimmed();
        const DeployStep step = status == 30 ? DeployStep::Validate : status == 40 ? DeployStep::Arm
                              : status == 50 ? DeployStep::Install : status == 60 ? DeployStep::Reload : DeployStep::Install;
        if (status == 50 || status == 60) {
            result.outcome = DeployResult::Outcome::RolledBack;
            result.step = step;
            result.problem = DeployResult::Problem::RemoteCommand;
            result.reason = message;
            return result;
        }
        return fail({step, DeployResult::Problem::RemoteCommand, message.isEmpty() ? QStringLiteral("exit status %1").arg(status) : message});
    }
    report(DeployStep::Reload, QString());

    // Verify: the host kept (or, first time, gained) its tunnels.
    report(DeployStep::Verify, QString());
    const QDateTime deadline = QDateTime::currentDateTimeUtc().addSecs(options.verifyTimeout);
    bool kept = false;
    Handshakes after;
    while (QDateTime::currentDateTimeUtc() < deadline) {
        pingProbes(session, target);
        after = readHandshakes(session, target);
        kept = aliveBefore.count() == 0 ? after.count() > 0 : true;
        for (auto it = aliveBefore.alive.cbegin(); kept && it != aliveBefore.alive.cend(); ++it) {
            for (const QString &peer : it.value())
                kept = kept && after.alive.value(it.key()).contains(peer);
        }
        if (kept)
            break;
        QThread::msleep(1000);
    }
    const QByteArray finish = privilege(target) + "sh -s -- " + (kept ? "confirm" : "rollback") + ' ' + shellQuote(token) + ' ' + kind
        + ' ' + shellQuote(target.reloadCmd) + pairs;
    QByteArray finishScript = QByteArray(Functions) + QByteArray(FinishScript);
    report(kept ? DeployStep::Confirm : DeployStep::Rollback, QString());
    out.clear();
    err.clear();
    const int finished = session.run(finish, finishScript, &out, &err);
    if (!kept) {
        result.outcome = DeployResult::Outcome::RolledBack;
        result.step = DeployStep::Verify;
        result.problem = DeployResult::Problem::Verification;
        result.reason = QStringLiteral("the tunnels did not come back within %1 s (%2 of %3 alive); the previous config is back")
                            .arg(options.verifyTimeout)
                            .arg(after.count())
                            .arg(std::max(aliveBefore.count(), 1));
        return result;
    }
    if (finished == 70) {
        result.outcome = DeployResult::Outcome::RolledBack;
        result.step = DeployStep::Confirm;
        result.problem = DeployResult::Problem::Verification;
        result.reason = QStringLiteral("the host rolled back by itself before the confirmation (--confirm-timeout %1 s)").arg(options.confirmTimeout);
        return result;
    }
    if (finished != 0)
        return fail({DeployStep::Confirm, DeployResult::Problem::RemoteCommand,
                     QStringLiteral("could not confirm: %1").arg(QString::fromUtf8(err).trimmed())});
    result.outcome = DeployResult::Outcome::Updated;
    result.step = DeployStep::Done;
    result.reason = QStringLiteral("%1 tunnel(s) up").arg(after.count());
    return result;
}

} // namespace

SshDeployer::SshDeployer(QObject *parent)
    : Deployer(parent)
    , m_cancel(std::make_shared<std::atomic_bool>(false))
{
    qRegisterMetaType<DeployResult>();
    qRegisterMetaType<DeployStep>();
}

SshDeployer::~SshDeployer()
{
    cancel();
    m_pool.waitForDone();
}

void SshDeployer::start(const QList<DeployTarget> &targets, const DeployOptions &options)
{
    Q_ASSERT(!isRunning());
    *m_cancel = false;
    m_pool.setMaxThreadCount(std::max(1, options.jobs));
    m_pending = int(targets.size());
    if (targets.isEmpty()) {
        QMetaObject::invokeMethod(this, &Deployer::finished, Qt::QueuedConnection);
        return;
    }
    for (const DeployTarget &target : targets) {
        const std::shared_ptr<std::atomic_bool> cancelled = m_cancel;
        m_pool.start([this, target, options, cancelled] {
            const auto report = [this, &target](DeployStep step, const QString &detail) {
                QMetaObject::invokeMethod(this, [this, host = target.host, step, detail] { emit stepStarted(host, step, detail); },
                                          Qt::QueuedConnection);
            };
            const DeployResult result = deployHost(target, options, *cancelled, report);
            // The pool keeps its threads; OpenSSL's per-thread random generators that
            // libssh made here would outlive the job (and show as leaks at exit).
            OPENSSL_thread_stop();
            QMetaObject::invokeMethod(
                this,
                [this, result] {
                    emit hostFinished(result);
                    // Only after every receiver has the last result.
                    if (--m_pending == 0)
                        emit finished();
                },
                Qt::QueuedConnection);
        });
    }
}

void SshDeployer::cancel()
{
    *m_cancel = true;
}

