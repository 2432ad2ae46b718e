// The failover watchdog and the re-resolution of endpoints given by name, as files.
#include "hostjobs.h"

#include <QFileInfo>

namespace HostJobs {

namespace {

enum class System { Linux, FreeBsd, OpenBsd, Other };

System systemOf(const Host &host)
{
    if (host.isExternal())
        return System::Other;
    if (host.isOpenBsd())
        return System::OpenBsd;
    if (host.isFreeBsd())
        return System::FreeBsd;
    return host.os.compare(QLatin1String("Linux"), Qt::CaseInsensitive) == 0 ? System::Linux : System::Other;
}

/// The probe interval and the misses after which the active exit is given up (1 s, 3:
/// traffic moves within about 5 s of an exit going down).
constexpr int ProbeInterval = 1;
constexpr int ProbeMisses = 3;
/// The handshake age after which a peer dialled by name is resolved again (WireGuard's
/// REKEY_AFTER_TIME + REKEY_TIMEOUT + jitter: a live peer handshakes every 2 min), and the
/// period of the job.
constexpr int StaleHandshake = 135;
constexpr int ReresolvePeriod = 30;

const char *const FailoverScript = R"SH(#!/bin/sh
# /etc/meshwright/failover IFACE [--detach], written by Meshwright: the exit failover of a
# full-tunnel WireGuard client.
#
# It reads /etc/meshwright/IFACE.exits: the client's exits in order, the first preferred.
# Every INTERVAL s it pings each exit's mesh address out of IFACE. When the exit that holds
# the default route has missed MISSES probes in a row, one `wg set` gives the default route
# to the first exit in order that answers (and the old one keeps its own addresses). An
# exit earlier in the order gets it back only after it has answered every probe for
# HOLD_DOWN s, so an exit that answers now and then never takes it. wg-quick's policy
# rules (FwMark, table 51820) stay as they are: only the peer that holds the route changes.
# Each switch goes to the system log (tag meshwright-failover); the state is in
# /run/meshwright/failover-IFACE.state, where `meshwright status` reads it. It stops when
# the exits file is removed, and starts again when this file is replaced. With --detach it
# starts itself in the background (for cron); only one runs per interface.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
iface=${1:?usage: failover IFACE [--detach]}
list=/etc/meshwright/$iface.exits
run=/run/meshwright
[ -f "$list" ] || exit 0
if [ "${2:-}" = --detach ]; then
    setsid sh "$0" "$iface" </dev/null >/dev/null 2>&1 &
    exit 0
fi
mkdir -p -m 700 "$run" || exit 1
exec 9>"$run/failover-$iface.lock"
flock -n 9 || exit 0
state=$run/failover-$iface.state
log() {
    logger -t meshwright-failover "$iface: $*" 2>/dev/null || :
    printf '%s %s\n' "$(date +%s)" "$*" >> "$run/failover-$iface.log"
}
setting() { awk -v k="$1" '$1 == k { print $2; exit }' "$list"; }
switches=0; last=""; sum=""; since=$(date +%s)
self=$(cksum < "$0")
log "started"
while :; do
    [ -f "$list" ] || { rm -f "$state"; log "stopped: $list is gone"; exit 0; }
    # A deploy that installs a new version of this script: the new one takes over.
    [ ! -f "$0" ] || [ "$(cksum < "$0")" = "$self" ] || { log "restarting: $0 changed"; exec sh "$0" "$iface"; }
    interval=$(setting interval); misses=$(setting misses); hold=$(setting hold_down)
    defaults=$(setting default)
    if [ "$(cksum < "$list")" != "$sum" ]; then # new exits: their counts start again
        sum=$(cksum < "$list"); n=0
        while read -r word name key probe ips; do
            [ "$word" = exit ] || continue
            n=$((n + 1))
            eval "name_$n=\$name key_$n=\$key probe_$n=\$probe ips_$n=\$ips miss_$n=0 up_$n=0"
        done < "$list"
    fi
    if ! wg show "$iface" allowed-ips > "$run/failover-$iface.ips" 2>/dev/null; then
        sleep 5; continue # the interface is down: nothing to watch
    fi
    i=1
    while [ $i -le $n ]; do
        eval "probe=\$probe_$i"
        (
            for address in $(printf '%s' "$probe" | tr , ' '); do
                ping -c 1 -W 1 -I "$iface" "$address" >/dev/null 2>&1 && { echo ok; exit; }
            done
            echo miss
        ) > "$run/failover-$iface.probe$i" &
        i=$((i + 1))
    done
    sleep "$interval" &
    wait
    now=$(date +%s)
    first=${defaults%%,*}
    holder=$(awk -v d="$first" '{ for (f = 2; f <= NF; f++) if ($f == d) print $1 }' "$run/failover-$iface.ips")
    active=0; i=1
    while [ $i -le $n ]; do
        read -r result < "$run/failover-$iface.probe$i" || result=miss
        if [ "$result" = ok ]; then
            eval "[ \$up_$i -gt 0 ] || up_$i=\$now; miss_$i=0"
        else
            eval "up_$i=0; miss_$i=\$((miss_$i + 1))"
        fi
        eval "[ \"\$key_$i\" = \"\$holder\" ]" && active=$i
        i=$((i + 1))
    done
    want=$active; reason=""
    if [ $active -eq 0 ] || eval "[ \$miss_$active -ge $misses ]"; then
        # The route's holder is gone: the first exit in order that answers now.
        want=0; i=1
        while [ $i -le $n ]; do
            if [ $i -ne $active ] && eval "[ \$up_$i -gt 0 ]"; then want=$i; break; fi
            i=$((i + 1))
        done
        if [ $active -ne 0 ]; then eval "reason=\"\$name_$active missed $misses probes\""; else reason="no exit held the default route"; fi
    else
        # A healthy holder: an earlier exit takes the route back after the hold-down.
        i=1
        while [ $i -lt $active ]; do
            if eval "[ \$up_$i -gt 0 ] && [ \$((now - up_$i)) -ge $hold ]"; then
                want=$i; eval "reason=\"\$name_$i answered every probe for $hold s\""; break
            fi
            i=$((i + 1))
        done
    fi
    if [ $want -ne 0 ] && [ $want -ne $active ]; then
        eval "set -- peer \"\$key_$want\" allowed-ips \"\${ips_$want:+\$ips_$want,}$defaults\""
        [ $active -eq 0 ] || eval "set -- \"\$@\" peer \"\$key_$active\" allowed-ips \"\$ips_$active\""
        from=none; [ $active -eq 0 ] || eval "from=\$name_$active"
        eval "to=\$name_$want"
        if wg set "$iface" "$@"; then
            switches=$((switches + 1)); since=$now; active=$want
            last="$from -> $to: $reason"
            log "default route moved $last"
        else
            log "cannot move the default route $from -> $to ($reason)"
        fi
    fi
    {
        holding=none; [ $active -eq 0 ] || eval "holding=\$name_$active"
        printf 'active=%s\nsince=%s\nswitches=%s\nlast=%s\nupdated=%s\n' "$holding" "$since" "$switches" "$last" "$now"
        i=1
        while [ $i -le $n ]; do
            if eval "[ \$up_$i -gt 0 ]"; then eval "printf 'exit=%s up\n' \"\$name_$i\""; else eval "printf 'exit=%s down\n' \"\$name_$i\""; fi
            i=$((i + 1))
        done
    } > "$state.new" && mv -f "$state.new" "$state"
done
)SH";

const char *const ReresolveScript = R"SH(#!/bin/sh
# /etc/meshwright/reresolve IFACE, written by Meshwright: resolves again the endpoints that
# IFACE dials by DNS name.
#
# wg-quick resolves an Endpoint once, at `up`; a name that moves (a home behind dynamic DNS,
# a renumbered server) is never looked up again. For each peer in
# /etc/meshwright/IFACE.endpoints whose last handshake is older than @STALE@ s, or that never
# had one, this sets the endpoint again, which resolves the name anew. A peer with a fresh
# handshake is never touched (that would undo its roaming). Each re-set goes to the system
# log (tag meshwright-reresolve) and to /var/run/meshwright/reresolve-IFACE.log. A systemd
# timer (or cron) runs it every @PERIOD@ s.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
iface=${1:?usage: reresolve IFACE}
list=/etc/meshwright/$iface.endpoints
run=/var/run/meshwright
[ -f "$list" ] || exit 0
handshakes=$(wg show "$iface" latest-handshakes 2>/dev/null) || exit 0 # the interface is down
now=$(date +%s)
while read -r name key endpoint; do
    case "$name" in ""|"#"*) continue ;; esac
    last=$(printf '%s\n' "$handshakes" | awk -v k="$key" '$1 == k { print $2 }')
    [ -n "$last" ] || continue # not a peer of the interface (yet)
    [ "$last" -gt 0 ] && [ $((now - last)) -le @STALE@ ] && continue
    age=never; [ "$last" -gt 0 ] && age="$((now - last)) s ago"
    if out=$(WG_ENDPOINT_RESOLUTION_RETRIES=2 wg set "$iface" peer "$key" endpoint "$endpoint" 2>&1); then
        message="$name: resolved $endpoint again (last handshake $age)"
    else
        message="$name: cannot resolve $endpoint: $(printf '%s' "$out" | tr '\n' ' ')"
    fi
    logger -t meshwright-reresolve "$iface: $message" 2>/dev/null || :
    [ -d "$run" ] || mkdir -p -m 700 "$run"
    printf '%s %s\n' "$now" "$message" >> "$run/reresolve-$iface.log"
done < "$list"
# The log keeps its last 200 lines.
if [ -f "$run/reresolve-$iface.log" ] && [ "$(wc -l < "$run/reresolve-$iface.log")" -gt 400 ]; then
    tail -n 200 "$run/reresolve-$iface.log" > "$run/reresolve-$iface.log.new" && mv -f "$run/reresolve-$iface.log.new" "$run/reresolve-$iface.log"
fi
exit 0
)SH";

const char *const FailoverUnit = R"(# /etc/systemd/system/meshwright-failover@.service, written by Meshwright
[Unit]
Description=Meshwright exit failover for WireGuard interface %i
After=wg-quick@%i.service network-online.target
ConditionPathExists=/etc/meshwright/%i.exits

[Service]
Type=simple
ExecStart=/bin/sh /etc/meshwright/failover %i
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
)";

const char *const ReresolveService = R"(# /etc/systemd/system/meshwright-reresolve@.service, written by Meshwright
[Unit]
Description=Meshwright: resolve again the endpoints WireGuard interface %i dials by name
ConditionPathExists=/etc/meshwright/%i.endpoints

[Service]
Type=oneshot
Environment=WG_ENDPOINT_RESOLUTION_RETRIES=2
TimeoutStartSec=60
ExecStart=/bin/sh /etc/meshwright/reresolve %i
)";

const char *const ReresolveTimer = R"(# /etc/systemd/system/meshwright-reresolve@.timer, written by Meshwright
[Unit]
Description=Meshwright: resolve again the endpoints %i dials by name, every @PERIOD@ s

[Timer]
OnBootSec=1min
OnUnitActiveSec=@PERIOD@s
AccuracySec=1s

[Install]
WantedBy=timers.target
)";

const char *const CrontabBegin = "# BEGIN meshwright: re-resolves endpoints given by name, written by each deploy (edits here are replaced)";
const char *const CrontabEnd = "# END meshwright";

QByteArray filled(const char *text)
{
    QByteArray out(text);
    out.replace("@STALE@", QByteArray::number(StaleHandshake));
    out.replace("@PERIOD@", QByteArray::number(ReresolvePeriod));
    return out;
}

QString folder(const QString &name)
{
    return QLatin1String(Folder) + QLatin1Char('/') + name;
}

QString systemdUnit(const char *name)
{
    return QStringLiteral("/etc/systemd/system/") + QLatin1String(name);
}

const QString &cronFile()
{
    static const QString path = QStringLiteral("/etc/cron.d/meshwright");
    return path;
}

QByteArray exitsFile(const PlannedInterface &planned, int holdDown)
{
    QByteArray out = "# /etc/meshwright/" + planned.interfaceName.toUtf8() + ".exits, written by Meshwright: the exits of "
        + planned.host.toUtf8() + "'s " + planned.interfaceName.toUtf8()
        + " in order (the first preferred),\n# read by /etc/meshwright/failover. exit NAME PUBLIC-KEY PROBE-ADDRESSES "
          "OWN-ALLOWED-IPS\n";
    out += "interval " + QByteArray::number(ProbeInterval) + '\n';
    out += "misses " + QByteArray::number(ProbeMisses) + '\n';
    out += "hold_down " + QByteArray::number(holdDown) + '\n';
    out += "default " + planned.defaultRoutes.join(QLatin1Char(',')).toUtf8() + '\n';
    for (const PlannedInterface::Exit &exit : planned.exits)
        out += "exit " + exit.name.toUtf8() + ' ' + exit.publicKey.toUtf8() + ' ' + exit.probe.join(QLatin1Char(',')).toUtf8() + ' '
            + exit.allowedIps.join(QLatin1Char(',')).toUtf8() + '\n';
    return out;
}

QByteArray endpointsFile(const PlannedInterface &planned)
{
    QByteArray out = "# /etc/meshwright/" + planned.interfaceName.toUtf8() + ".endpoints, written by Meshwright: the peers "
        + planned.host.toUtf8() + "'s " + planned.interfaceName.toUtf8()
        + " dials by name,\n# read by /etc/meshwright/reresolve. NAME PUBLIC-KEY ENDPOINT\n";
    for (const PlannedInterface::NamedEndpoint &named : planned.namedEndpoints)
        out += named.name.toUtf8() + ' ' + named.publicKey.toUtf8() + ' ' + named.endpoint.toUtf8() + '\n';
    return out;
}

/// The cron lines that run the jobs of \a interfaces (the user field included): re-resolution
/// twice a minute, and on Linux the watchdog started where it does not run. \a guard
/// prefixes each command.
QByteArray cronLines(const Host &host, const QList<PlannedInterface> &interfaces, const QByteArray &guard)
{
    QByteArray out;
    for (const PlannedInterface &planned : interfaces) {
        const QByteArray name = planned.interfaceName.toUtf8();
        if (reresolves(host, planned)) {
            out += "*\t*\t*\t*\t*\troot\t" + guard + "sh /etc/meshwright/reresolve " + name + " >/dev/null 2>&1\n";
            out += "*\t*\t*\t*\t*\troot\t" + guard + "{ sleep " + QByteArray::number(ReresolvePeriod) + "; sh /etc/meshwright/reresolve "
                + name + "; } >/dev/null 2>&1\n";
        }
        if (failsOver(host, planned))
            out += "*\t*\t*\t*\t*\troot\t" + guard + "sh /etc/meshwright/failover " + name + " --detach >/dev/null 2>&1\n";
    }
    return out;
}

} // namespace

bool failsOver(const Host &host, const PlannedInterface &planned)
{
    return systemOf(host) == System::Linux && planned.exits.size() >= 2 && !planned.defaultRoutes.isEmpty();
}

bool reresolves(const Host &host, const PlannedInterface &planned)
{
    return systemOf(host) != System::Other && !planned.namedEndpoints.isEmpty();
}

QList<File> files(const Project &project, qsizetype index, const QList<PlannedInterface> &interfaces)
{
    const Host &host = project.hosts[index];
    QList<File> result;
    bool anyFailover = false;
    bool anyReresolve = false;
    for (const PlannedInterface &planned : interfaces) {
        if (failsOver(host, planned)) {
            anyFailover = true;
            result.append({folder(planned.interfaceName + QLatin1String(".exits")), exitsFile(planned, project.defaults.failoverHoldDown)});
        }
        if (reresolves(host, planned)) {
            anyReresolve = true;
            result.append({folder(planned.interfaceName + QLatin1String(".endpoints")), endpointsFile(planned)});
        }
    }
    if (anyFailover)
        result.append({folder(QStringLiteral("failover")), filled(FailoverScript)});
    if (anyReresolve)
        result.append({folder(QStringLiteral("reresolve")), filled(ReresolveScript)});
    if (systemOf(host) == System::Linux && (anyFailover || anyReresolve)) {
        if (anyFailover)
            result.append({systemdUnit("meshwright-failover@.service"), filled(FailoverUnit)});
        if (anyReresolve) {
            result.append({systemdUnit("meshwright-reresolve@.service"), filled(ReresolveService)});
            result.append({systemdUnit("meshwright-reresolve@.timer"), filled(ReresolveTimer)});
        }
        // Linux without systemd: cron runs them; with it, the timers do and cron leaves them.
        result.append({cronFile(), "# /etc/cron.d/meshwright, written by Meshwright: its jobs on a host without systemd\n"
                                   "# (with systemd, its units run them and these lines do nothing).\n"
                                   "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                           + cronLines(host, interfaces, "[ -d /run/systemd/system ] || ")});
    } else if (anyReresolve) { // FreeBSD, OpenBSD: the system crontab, in a block of its own
        result.append({QStringLiteral("/etc/crontab"),
                       QByteArray(CrontabBegin) + '\n' + cronLines(host, interfaces, {}) + CrontabEnd + '\n', true});
    }
    return result;
}

QList<File> deployFiles(const Project &project, qsizetype index, const QList<PlannedInterface> &interfaces)
{
    const Host &host = project.hosts[index];
    const System system = systemOf(host);
    if (system == System::Other)
        return {};
    QList<File> result = files(project, index, interfaces);
    QStringList paths;
    for (const PlannedInterface &planned : interfaces) {
        if (system == System::Linux)
            paths.append(folder(planned.interfaceName + QLatin1String(".exits")));
        paths.append(folder(planned.interfaceName + QLatin1String(".endpoints")));
    }
    paths.append(folder(QStringLiteral("reresolve")));
    if (system == System::Linux) {
        paths += {folder(QStringLiteral("failover")), systemdUnit("meshwright-failover@.service"), systemdUnit("meshwright-reresolve@.service"),
                  systemdUnit("meshwright-reresolve@.timer"), cronFile()};
    } else {
        paths.append(QStringLiteral("/etc/crontab"));
    }
    for (const QString &path : std::as_const(paths)) {
        if (std::none_of(result.cbegin(), result.cend(), [&](const File &file) { return file.path == path; }))
            result.append({path, {}, path == QLatin1String("/etc/crontab")}); // a block: an empty one removes it
    }
    return result;
}

bool isJobPath(const QString &path)
{
    return path.startsWith(QLatin1String(Folder) + QLatin1Char('/')) || path.startsWith(QLatin1String("/etc/systemd/system/meshwright-"))
        || path == cronFile() || path == QLatin1String("/etc/crontab");
}

QStringList describe(const Host &host, const PlannedInterface &planned, const Project &project)
{
    QStringList lines;
    QStringList names;
    for (const PlannedInterface::Exit &exit : planned.exits)
        names.append(exit.name);
    if (failsOver(host, planned)) {
        lines.append(QStringLiteral("%1: fails over between exits %2: a watchdog pings the exit that holds the default route "
                                    "every %3 s and moves the route to the next exit after %4 misses; an earlier exit gets it back "
                                    "after answering for %5 s")
                         .arg(planned.interfaceName, names.join(QLatin1String(", ")))
                         .arg(ProbeInterval)
                         .arg(ProbeMisses)
                         .arg(project.defaults.failoverHoldDown));
    } else if (planned.exits.size() >= 2 && systemOf(host) != System::Other) {
        lines.append(QStringLiteral("%1: exits %2 in this order; no failover watchdog on %3 (switch with `wg set`, see the README)")
                         .arg(planned.interfaceName, names.join(QLatin1String(", ")), host.os.isEmpty() ? QStringLiteral("this system") : host.os));
    }
    if (reresolves(host, planned)) {
        for (const PlannedInterface::NamedEndpoint &named : planned.namedEndpoints) {
            QString name;
            splitEndpoint(named.endpoint, &name, nullptr);
            lines.append(QStringLiteral("%1: re-resolves %2 every %3 s while %4 has had no handshake for %5 s")
                             .arg(planned.interfaceName, name)
                             .arg(ReresolvePeriod)
                             .arg(named.name)
                             .arg(StaleHandshake));
        }
    }
    return lines;
}

} // namespace HostJobs
