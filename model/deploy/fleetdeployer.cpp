// The Deployer over SSH (libssh): verified host keys, atomic install, host-side rollback.
#include "sshdeployer.h"

#include "sshsession.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHash>
#include <QMetaObject>
#include <QRandomGenerator>
#include <QSet>
#include <QThread>

#include <openssl/crypto.h>

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

QString osKind(const QString &os)
{
    const QString lower = os.toLower();
    if (lower == QLatin1String("openbsd"))
        return QStringLiteral("openbsd");
    if (lower == QLatin1String("freebsd"))
        return QStringLiteral("freebsd");
    return QStringLiteral("linux");
}

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

