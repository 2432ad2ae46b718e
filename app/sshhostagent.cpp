// One host's side of a fleet deploy, over SSH: stage, switch, probe, confirm or roll back.
#include "sshhostagent.h"

#include "logcategories.h"
#include "shellquote.h"
#include "sshsession.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <openssl/crypto.h>

#include <algorithm>


namespace {

/// The exit statuses of the scripts below, shared with the C++ that reads them: the
/// scripts name them as @NAME@ and get the numbers from here.
enum RemoteExit {
    NoState = 20,       ///< cannot create the state folder
    NoStage = 21,       ///< cannot create or write the stage folder
    NoTools = 25,       ///< preflight: a tool or setting the switch needs is missing
    Rejected = 30,      ///< the host's parser refused the candidate
    NoBackup = 40,      ///< cannot back up or arm: nothing was installed
    InstallFailed = 50, ///< the previous config is back
    ReloadFailed = 60,  ///< the previous config is back
    NotArmed = 70,      ///< the timer fired before the confirmation: the host rolled back
    NotRestored = 71,   ///< neither armed nor restored by the timer
};

/// Shell functions that the scripts share and the host-side rollback file carries along.
/// They read $kind (linux, freebsd, openbsd) and $reload (the project's reload command).
/// Names are prefixed per function: POSIX sh has no local variables.
const char *const Functions = R"SH(
for_pairs() { _fp=$1; shift; _rc=0; while [ $# -ge 2 ]; do "$_fp" "$1" "$2" || _rc=1; shift 2; done; return $_rc; }
iface_exists() { case "$kind" in linux) ip link show "$1" ;; *) ifconfig "$1" ;; esac >/dev/null 2>&1; }
wg_table() { sed -n '/^[[:space:]]*[Tt][Aa][Bb][Ll][Ee][[:space:]]*=/{s/^[^=]*=[[:space:]]*\([^[:space:]#]*\).*/\1/;h;};${x;p;}' "$1"; }
has_up_hooks() { grep -qiE '^[[:space:]]*(PreUp|PostUp)[[:space:]]*=' "$1"; }
# The interface's AllowedIPs but /0, the longest prefixes first.
wanted_routes() {
    wg show "$1" allowed-ips 2>/dev/null |
        awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-fA-F:.]+\/[0-9]+$/ && $i !~ /\/0$/) print $i }' | sort -u -t / -k 2,2nr -k 1,1
}
route_dev() {
    case "$kind" in
    linux) ip route get "${1%/*}" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1 ;;
    *) _rdf=-inet; case "$1" in *:*) _rdf=-inet6 ;; esac
       route -n get $_rdf "${1%/*}" 2>/dev/null | sed -n 's/^ *interface: *//p' | head -n 1 ;;
    esac
}
routes_linux() { # IFACE CONF: the routes wg-quick makes at `up`, after wg syncconf
    _rlt=$(wg_table "$2")
    [ "$_rlt" = off ] && return 0
    _rlx=""; case "$_rlt" in ""|auto) ;; *) _rlx="table $_rlt" ;; esac
    _rlw=" $(printf '%s ' $(wanted_routes "$1"))"
    # What the interface routes now, one look per family ("ip route" prints host routes
    # without their length); "proto kernel" marks the route of its own address.
    _rlh=" "
    for _rlf in -4 -6; do
        _rll=$(ip $_rlf route show dev "$1" $_rlx 2>/dev/null) || continue
        _rlh="$_rlh$(printf '%s\n' "$_rll" | while read -r _rld _rlr; do
            case "$_rld" in default|fe80::*|ff00::*|multicast|broadcast|local|unreachable|"") continue ;; esac
            case " $_rlr " in *" proto kernel "*) continue ;; esac
            case "$_rld" in */*) printf '%s ' "$_rld" ;; *:*) printf '%s/128 ' "$_rld" ;; *) printf '%s/32 ' "$_rld" ;; esac
        done)"
    done
    for _rlp in $_rlw; do
        case "$_rlh" in *" $_rlp "*) continue ;; esac
        _rlf=-4; case "$_rlp" in *:*) _rlf=-6 ;; esac
        if [ -n "$_rlx" ]; then
            ip $_rlf route replace "$_rlp" dev "$1" $_rlx || return 1
        elif [ -z "$(ip $_rlf route show dev "$1" match "$_rlp" 2>/dev/null)" ]; then
            ip $_rlf route add "$_rlp" dev "$1" || return 1 # as wg-quick: unless a route holds it
        fi
    done
    # Routes the user's own PreUp/PostUp made are theirs: left alone.
    has_up_hooks "$2" && return 0
    for _rlp in $_rlh; do
        case "$_rlw" in *" $_rlp "*) continue ;; esac
        _rlf=-4; case "$_rlp" in *:*) _rlf=-6 ;; esac
        ip $_rlf route del "$_rlp" dev "$1" $_rlx
    done
    return 0
}
routes_bsd() { # IFACE CONF fix|check
    [ "$(wg_table "$2")" = off ] && return 0
    for _rbp in $(wanted_routes "$1"); do
        [ "$(route_dev "$_rbp")" = "$1" ] && continue
        if [ "$3" = fix ]; then
            _rbf=-inet; case "$_rbp" in *:*) _rbf=-inet6 ;; esac
            route -q -n add $_rbf "$_rbp" -interface "$1" || return 1
        else
            echo "no route to $_rbp through $1 after the reload" >&2; return 1
        fi
    done
}
routes_after_reload() {
    case "$kind" in linux) routes_linux "$1" "$2" ;; freebsd) routes_bsd "$1" "$2" fix ;; *) routes_bsd "$1" "$2" check ;; esac
}
reload_one() { # IFACE CONF RESTART
    if [ -n "$reload" ]; then sh -c "$reload" || return 1; routes_after_reload "$1" "$2"; return; fi
    if [ "$kind" = openbsd ]; then sh /etc/netstart "$1" && routes_after_reload "$1" "$2"; return; fi
    if ! iface_exists "$1"; then wg-quick up "$2"; return; fi
    if [ "$3" = 1 ]; then wg-quick down "$2" >/dev/null 2>&1; wg-quick up "$2"; return; fi
    # wg-quick marks a full tunnel's own packets (FwMark) when it brings it up; syncconf of
    # a file without FwMark would clear the mark, and the tunnel's packets then loop into it.
    _rom=""
    if [ "$kind" = linux ] && ! grep -qiE '^[[:space:]]*FwMark[[:space:]]*=' "$2"; then
        _rom=$(wg show "$1" fwmark 2>/dev/null); [ "$_rom" = off ] && _rom=""
    fi
    # The switch kept what its validation stripped; the host-side rollback strips anew.
    if [ -n "${stage:-}" ] && [ -s "$stage/$1.stripped" ]; then
        wg syncconf "$1" "$stage/$1.stripped"; _ror=$?
    else
        _rot=$(mktemp) && wg-quick strip "$2" > "$_rot" && wg syncconf "$1" "$_rot"; _ror=$?; rm -f "$_rot"
    fi
    [ $_ror -eq 0 ] || return $_ror
    [ -z "$_rom" ] || wg set "$1" fwmark "$_rom" || return 1
    routes_after_reload "$1" "$2"
}
drop_iface() { case "$kind" in openbsd) ifconfig "$1" destroy ;; *) wg-quick down "$2" ;; esac >/dev/null 2>&1; }
load_pf() { # PATH: OpenBSD: the rules into Meshwright's pf anchor (the file gone: the anchor flushed)
    if [ -f "$1" ]; then pfctl -a meshwright -f "$1"; else pfctl -a meshwright -F all >/dev/null 2>&1; fi
}
restore_file() { # STAGED-NAME LIVE-PATH
    if [ -f "$2.meshwright-backup" ]; then cp -p "$2.meshwright-backup" "$2"; return; fi
    case "$1" in pf-meshwright.conf) ;; *.conf) iface_exists "${1%.conf}" && drop_iface "${1%.conf}" "$2" ;; esac
    rm -f "$2"
}
restore_reload() {
    case "$1" in
    pf-meshwright.conf) load_pf "$2" || return 1 ;;
    *.conf) [ -f "$2" ] && { reload_one "${1%.conf}" "$2" 1 || return 1; } ;;
    esac
    return 0
}
drop_backup() { rm -f "$2.meshwright-backup"; }
# The jobs of the interfaces among the pairs (a failover watchdog, a re-resolve timer) as
# their files in /etc/meshwright now say: started and enabled, or stopped and disabled. BSD
# cron reads /etc/crontab by itself; Linux without systemd runs them from /etc/cron.d, and
# the watchdog is started here at once.
jobs_sync() {
    [ "$kind" = linux ] || return 0
    _jsi=""
    while [ $# -ge 2 ]; do case "$1" in *.conf) _jsi="$_jsi ${1%.conf}" ;; esac; shift 2; done
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl daemon-reload || return 1
        for _jsn in $_jsi; do
            for _jsu in "meshwright-failover@$_jsn.service:exits" "meshwright-reresolve@$_jsn.timer:endpoints"; do
                if [ -f "/etc/meshwright/$_jsn.${_jsu#*:}" ]; then
                    systemctl enable --now "${_jsu%:*}" >/dev/null 2>&1 || { echo "cannot start ${_jsu%:*}" >&2; return 1; }
                else
                    systemctl stop "${_jsu%:*}" >/dev/null 2>&1
                    systemctl disable "${_jsu%:*}" >/dev/null 2>&1 || rm -f /etc/systemd/system/*.wants/"${_jsu%:*}"
                fi
            done
        done
    else
        for _jsn in $_jsi; do [ -f "/etc/meshwright/$_jsn.exits" ] && sh /etc/meshwright/failover "$_jsn" --detach; done
    fi
    return 0
}
restore_all() { # the files first, then the interfaces: netstart reads hostname.wgN
    for_pairs restore_file "$@"; _rar=$?
    for_pairs restore_reload "$@" || _rar=1
    jobs_sync "$@" || _rar=1
    for_pairs drop_backup "$@"
    return $_rar
}
)SH";

/// Prepare: checks that the host has what the switch needs (preflight: one line naming
/// what is missing and the command that fixes it on this OS, never installing anything),
/// then the staged candidates with the host's own parser. Arguments: stage kind
/// needs-nft (0: no, 1: nft, 2: nft and a default route to masquerade out of) reload, then
/// per file its staged name and live path.
const char *const ValidateScript = R"SH(
set -u
stage=$1; kind=$2; nft=$3; reload=$4; shift 4
install_hint() { # PACKAGE: how this host installs it
    case "$kind" in
    freebsd) echo "pkg install $1"; return ;;
    openbsd) echo "pkg_add $1"; return ;;
    esac
    _ihd=""; [ -r /etc/os-release ] && _ihd=$(. /etc/os-release; echo " ${ID:-} ${ID_LIKE:-} ")
    case "$_ihd" in
    *" debian "*|*" ubuntu "*) echo "apt-get install $1" ;;
    *" rhel "*|*" fedora "*|*" centos "*|*" rocky "*|*" almalinux "*) echo "dnf install $1" ;;
    *" arch "*) echo "pacman -S $1" ;;
    *" alpine "*) echo "apk add $1" ;;
    *" suse "*|*" opensuse "*) echo "zypper install $1" ;;
    *) echo "install $1 with the system's package manager" ;;
    esac
}
missing() { echo "preflight: $1 (fix: $2)" >&2; exit @NoTools@; }
has() { command -v "$1" >/dev/null 2>&1; }
ifaces=""; pf=""
for_pairs_names() { while [ $# -ge 2 ]; do case "$1" in pf-meshwright.conf) pf=$2 ;; *.conf) ifaces="$ifaces ${1%.conf}" ;; esac; shift 2; done; }
for_pairs_names "$@"
if [ "$kind" = openbsd ] && [ -n "$pf" ]; then
    has pfctl || missing "pfctl is not on PATH" "pf is part of OpenBSD's base system: check the PATH of $(id -un)"
    { grep -Eq '^[[:space:]]*anchor[[:space:]]+"meshwright"' /etc/pf.conf && grep -Fq "load anchor \"meshwright\" from \"$pf\"" /etc/pf.conf; } ||
        missing "/etc/pf.conf does not load Meshwright's anchor, so this gateway would forward without NAT" \
            "add these two lines to /etc/pf.conf, then run pfctl -f /etc/pf.conf: anchor \"meshwright\" and load anchor \"meshwright\" from \"$pf\""
fi
if [ "$kind" != openbsd ]; then
    for t in wg wg-quick; do has $t || missing "$t is not installed" "$(install_hint wireguard-tools)"; done
fi
[ "$nft" != 0 ] && ! has nft && missing "nft is not installed, and this exit gateway's PostUp needs it" "$(install_hint nftables)"
[ "$nft" = 2 ] && [ -z "$(ip -4 route show default 2>/dev/null)" ] &&
    missing "this exit gateway has no IPv4 default route to masquerade out of" "give it a default route, or set egress: to its uplink interface in the project"
if [ -n "$reload" ]; then
    _pfr=${reload#"${reload%%[! ]*}"}; _pfr=${_pfr%% *}
    has "$_pfr" || missing "the reload command needs $_pfr, which is not on this host's PATH" "install it, or change reload_cmd"
    case "$reload" in
    *"service wireguard"*)
        [ "$kind" = freebsd ] && {
            case "$(sysrc -n wireguard_enable 2>/dev/null)" in [Yy][Ee][Ss]) ;; *)
                missing "the wireguard service is not enabled" "sysrc wireguard_enable=YES wireguard_interfaces=\"${ifaces# }\"" ;; esac
            _pfw=" $(sysrc -n wireguard_interfaces 2>/dev/null) "
            for i in $ifaces; do case "$_pfw" in *" $i "*) ;; *)
                missing "wireguard_interfaces does not list $i" "sysrc wireguard_interfaces+=\" $i\"" ;; esac; done
        } ;;
    *"wg-quick@"*)
        for i in $ifaces; do
            case "$reload" in *"wg-quick@$i"*) ;; *) continue ;; esac
            [ "$(systemctl is-enabled "wg-quick@$i" 2>/dev/null)" = enabled ] ||
                missing "the wg-quick@$i service is not enabled" "systemctl enable wg-quick@$i"
        done ;;
    esac
fi
# The jobs: the watchdog needs flock and ping; re-resolving needs wg (OpenBSD: not in base).
job_tools() {
    [ -s "$stage/$1" ] || return 0
    case "$1" in
    *.exits) for t in flock:util-linux ping:iputils-ping; do
            has ${t%:*} || missing "${t%:*} is not installed, and the failover watchdog needs it" "$(install_hint ${t#*:})"; done ;;
    *.endpoints) has wg || missing "wg is not installed, and re-resolving endpoints needs it" "$(install_hint wireguard-tools)" ;;
    esac
}
for_pairs job_tools "$@"
[ "$kind" = openbsd ] && { echo valid; exit 0; } # no wg-quick: netstart reads hostname.wgN at the switch
check_one() {
    case "$1" in *.conf) ;; *) return 0 ;; esac
    wg-quick strip "$stage/$1" >"$stage/${1%.conf}.stripped" 2>"$stage/strip.err" || { echo "rejected by wg-quick strip: $(cat "$stage/strip.err")" >&2; return 1; }
}
for_pairs check_one "$@" || exit @Rejected@
echo valid
)SH";

/// Switch: backs up the live configs, arms a rollback on the host itself (it restores
/// them after the timeout unless disarmed, even if the deploying program dies or the
/// connection is cut), installs and reloads. Arguments: stage timeout restart kind token
/// reload, the reload command and the file pairs as the rollback file writes them (quoted
/// for the shell by the deployer), then the file pairs. Every value arrives as an
/// argument, never in the script.
const char *const SwitchScript = R"SH(
set -u
stage=$1; timeout=$2; restart=$3; kind=$4; token=$5; reload=$6; qreload=$7; qpairs=$8; shift 8
state=/var/run/meshwright
[ -d "$state" ] || mkdir -p -m 700 "$state" || { echo "cannot create $state" >&2; exit @NoState@; }
backup_one() { if [ -f "$2" ]; then cp -p "$2" "$2.meshwright-backup"; else rm -f "$2.meshwright-backup"; fi; }
for_pairs backup_one "$@" || { echo "cannot back up the live config" >&2; exit @NoBackup@; }
armed="$state/armed-$token"; claimed="$state/claimed-$token"; rollback="$state/rollback-$token.sh"
{
    cat <<'MESHWRIGHT_FUNCTIONS'
@FUNCTIONS@
MESHWRIGHT_FUNCTIONS
    # kind is a word and the state files' names hold a hex token: they need no quotes.
    printf 'kind=%s; reload=%s\n' "$kind" "$qreload"
    printf 'sleep %s\nmv -f %s %s 2>/dev/null || exit 0\n' "$timeout" "$armed" "$claimed"
    printf 'restore_all %s\n' "$qpairs"
    printf 'touch %s; rm -f %s %s %s\n' "$state/restored-$token" "$claimed" "$rollback" "$state/timer-$token"
} > "$rollback" || { for_pairs drop_backup "$@"; echo "cannot arm the rollback" >&2; exit @NoBackup@; }
echo "$token" > "$armed"
if command -v setsid >/dev/null 2>&1; then setsid sh "$rollback" >/dev/null 2>&1 </dev/null & else nohup sh "$rollback" >/dev/null 2>&1 </dev/null & fi
echo $! > "$state/timer-$token"
undo_now() {
    mv -f "$armed" "$claimed" 2>/dev/null || return 0
    read -r _unt < "$state/timer-$token" && kill "$_unt" 2>/dev/null
    restore_all "$@"
    rm -f "$claimed" "$rollback" "$state/timer-$token"
}
install_one() { # /etc/hosts and /etc/crontab keep their mode and owner; units 0644; the rest 0600
    case "$1" in
    hosts|crontab) if [ -f "$2" ]; then cp -p "$2" "$2.meshwright-new" && cat "$stage/$1" > "$2.meshwright-new"; else install -m 644 "$stage/$1" "$2.meshwright-new"; fi ;;
    *) [ -s "$stage/$1" ] || { rm -f "$2"; return; } # a job the host no longer needs
       mkdir -p "${2%/*}" || return 1
       _iom=600; case "$1" in *.service|*.timer|meshwright) _iom=644 ;; esac
       install -m $_iom "$stage/$1" "$2.meshwright-new" ;;
    esac && mv -f "$2.meshwright-new" "$2"
}
for_pairs install_one "$@" || { echo "install failed; the previous config is back" >&2; undo_now "$@"; exit @InstallFailed@; }
reload_all() {
    while [ $# -ge 2 ]; do
        case "$1" in
        pf-meshwright.conf) ;; # after the interfaces, by load_pf
        *.conf) reload_one "${1%.conf}" "$2" "$restart" || return 1 ;;
        esac
        shift 2
    done
    # OpenBSD: the anchor's rules, and the forwarding they are for (/etc/sysctl.conf at commit).
    if [ -n "$pf_path" ]; then
        load_pf "$pf_path" && sysctl net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1 >/dev/null || return 1
    fi
    return 0
}
pf_path=""; for_pf() { while [ $# -ge 2 ]; do [ "$1" = pf-meshwright.conf ] && pf_path=$2; shift 2; done; }; for_pf "$@"
# Output to a file, not a pipe: a daemon wg-quick starts (wireguard-go) must not hold it.
if ! { reload_all "$@" && jobs_sync "$@"; } > "$stage/reload.log" 2>&1; then
    echo "reload failed ($(tail -n 2 "$stage/reload.log" | tr '\n' ' ' | cut -c 1-300)); the previous config is back" >&2
    rm -rf "$stage"
    undo_now "$@"; exit @ReloadFailed@
fi
rm -rf "$stage"
echo switched
)SH";

/// Confirm or roll back. Arguments: action (disarm, commit, rollback) token kind reload,
/// then the file pairs. The timer and these race for the armed file with a rename: only
/// one of them wins it.
const char *const FinishScript = R"SH(
set -u
action=$1; token=$2; kind=$3; reload=$4; shift 4
state=/var/run/meshwright
armed="$state/armed-$token"; claimed="$state/claimed-$token"; disarmed="$state/disarmed-$token"
stop_timer() { read -r _stt < "$state/timer-$token" 2>/dev/null && kill "$_stt" 2>/dev/null; rm -f "$state/timer-$token" "$state/rollback-$token.sh"; }
case "$action" in
disarm)
    mv -f "$armed" "$disarmed" 2>/dev/null || { echo "its timer had fired: the host went back to its previous config" >&2; exit @NotArmed@; }
    stop_timer
    echo disarmed ;;
commit)
    for_pairs drop_backup "$@"
    rm -f "$disarmed"
    # OpenBSD with Meshwright's pf rules: forwarding at boot too, in /etc/sysctl.conf.
    persist() { [ "$1" = pf-meshwright.conf ] || return 0
        for _cs in net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1; do
            grep -qx "$_cs" /etc/sysctl.conf 2>/dev/null || echo "$_cs" >> /etc/sysctl.conf
        done; }
    [ "$kind" = openbsd ] && for_pairs persist "$@"
    echo committed ;;
rollback)
    if mv -f "$armed" "$claimed" 2>/dev/null || mv -f "$disarmed" "$claimed" 2>/dev/null; then
        stop_timer
        restore_all "$@"; rc=$?
        rm -f "$claimed"
        [ $rc -eq 0 ] || { echo "the previous config is back, but an interface did not come up again" >&2; exit @ReloadFailed@; }
        echo "rolled back"
    else
        i=0
        while [ ! -f "$state/restored-$token" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
        [ -f "$state/restored-$token" ] || { echo "the switch is neither armed nor restored" >&2; exit @NotRestored@; }
        echo "rolled back by its own timer"
    fi
    rm -f "$state/restored-$token" ;;
esac
)SH";

/// One round of echoes. Arguments: kind, then per address: interface, the peer's public
/// key, the address. Prints per address, in order: ok ADDR | noroute ADDR DEV | nohandshake
/// ADDR | noreply ADDR HANDSHAKE-AGE.
const char *const ProbeScript = R"SH(
kind=$1; shift
ping_once() {
    case "$kind:$1" in
    linux:*) ping -c 1 -W 1 "$1" ;;
    freebsd:*:*) timeout 2 ping6 -c 1 "$1" ;;
    freebsd:*) ping -c 1 -t 2 "$1" ;;
    openbsd:*:*) ping6 -c 1 -w 1 "$1" ;;
    *) ping -c 1 -w 1 "$1" ;;
    esac >/dev/null 2>&1
}
probe_one() {
    # A reply can only come through the tunnel: the routes are looked at when there is none.
    if ping_once "$3"; then echo "ok $3"; return; fi
    dev=$(route_dev "$3")
    if [ "$dev" != "$1" ]; then echo "noroute $3 ${dev:-none}"; return; fi
    if ping_once "$3"; then echo "ok $3"; return; fi
    hs=$(wg show "$1" latest-handshakes 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }')
    age=$(($(date +%s) - ${hs:-0}))
    if [ -z "$hs" ] || [ "$hs" -eq 0 ] || [ $age -ge 180 ]; then echo "nohandshake $3"; else echo "noreply $3 $age"; fi
}
# One address: no need for the parallel rounds' files.
[ $# -eq 3 ] && { probe_one "$1" "$2" "$3"; exit 0; }
d=$(mktemp -d) || exit 1
n=0
while [ $# -ge 3 ]; do n=$((n + 1)); probe_one "$1" "$2" "$3" > "$d/$n" & shift 3; done
wait
i=1; while [ $i -le $n ]; do while IFS= read -r l; do printf '%s\n' "$l"; done < "$d/$i"; i=$((i + 1)); done
rm -rf "$d"
)SH";

/// Retires a host: takes each interface down and deletes its files. Arguments: kind, then
/// per interface: its name and config path, then "--", other files to delete, "--", and
/// files to take Meshwright's block out of.
const char *const DecommissionScript = R"SH(
set -u
kind=$1; shift
while [ $# -ge 2 ] && [ "$1" != -- ]; do
    if iface_exists "$1"; then drop_iface "$1" "$2"; iface_exists "$1" && ip link delete "$1" 2>/dev/null; echo "down $1"; fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable "wg-quick@$1" >/dev/null 2>&1
        systemctl disable --now "meshwright-failover@$1.service" "meshwright-reresolve@$1.timer" >/dev/null 2>&1
    fi
    if [ -f "$2" ]; then rm -f "$2" "$2.meshwright-backup"; echo "removed $2"; fi
    shift 2
done
[ "${1:-}" = -- ] && shift
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    if [ -f "$1" ]; then rm -f "$1" "$1.meshwright-backup"; echo "removed $1"; fi
    shift
done
[ "${1:-}" = -- ] && shift
# Files that hold a block of Meshwright's (/etc/hosts, /etc/crontab): the block goes, the rest stays.
for f in "$@"; do
    [ -f "$f" ] && grep -q '^# BEGIN meshwright' "$f" || continue
    cp -p "$f" "$f.meshwright-new" &&
        sed '/^# BEGIN meshwright/,/^# END meshwright$/d' "$f" > "$f.meshwright-new" && mv -f "$f.meshwright-new" "$f" &&
        echo "removed Meshwright's block from $f"
done
exit 0
)SH";

QByteArray osKind(const QString &os)
{
    const QString lower = os.toLower();
    if (lower == QLatin1String("openbsd"))
        return "openbsd";
    if (lower == QLatin1String("freebsd"))
        return "freebsd";
    return "linux";
}

/// \a body with the shared functions in front and the exit statuses filled in.
QByteArray script(const char *body)
{
    QByteArray text = QByteArray(Functions) + body;
    text.replace("@FUNCTIONS@", Functions);
    const std::pair<const char *, int> codes[] = {{"@NoState@", NoState},           {"@NoTools@", NoTools},
                                                  {"@Rejected@", Rejected},         {"@NoBackup@", NoBackup},
                                                  {"@InstallFailed@", InstallFailed}, {"@ReloadFailed@", ReloadFailed},
                                                  {"@NotArmed@", NotArmed},         {"@NotRestored@", NotRestored}};
    for (const auto &[name, code] : codes)
        text.replace(name, QByteArray::number(code));
    return text;
}

/// What to do when the host's sudo_cmd asks for a password: the line that lets the user
/// run it without one.
QString passwordFix(const DeployTarget &target)
{
    const QString user = target.user.isEmpty() ? QStringLiteral("USER") : target.user;
    const QString command = target.sudoCmd.trimmed().section(QLatin1Char(' '), 0, 0);
    QString fix;
    if (command == QLatin1String("doas"))
        fix = QStringLiteral("add 'permit nopass %1 as root' to /etc/doas.conf").arg(user);
    else if (command == QLatin1String("sudo"))
        fix = QStringLiteral("add '%1 ALL=(root) NOPASSWD: ALL' with visudo -f /etc/sudoers.d/meshwright").arg(user);
    else
        fix = QStringLiteral("let %1 run '%2' without a password").arg(user, target.sudoCmd);
    return QStringLiteral("preflight: %1 asks for a password, and a deploy cannot answer it (fix: %2)").arg(target.sudoCmd, fix);
}

QString firstLine(const QByteArray &text)
{
    const QString trimmed = QString::fromUtf8(text).trimmed();
    return trimmed.isEmpty() ? QString() : trimmed.section(QLatin1Char('\n'), -1);
}

DeployFailure lostAt(DeployStep step)
{
    return {step, DeployFailure::Problem::Network, QStringLiteral("the connection to the host was lost")};
}

} // namespace

SshHostAgent::SshHostAgent(const DeployTarget &target, const DeployOptions &options)
    : m_target(target)
    , m_options(options)
    , m_session(std::make_unique<SshSession>(m_target))
    , m_token(QString::number(QRandomGenerator::system()->generate64(), 16))
    , m_stage(QStringLiteral("/tmp/meshwright-%1").arg(m_token))
{
}

SshHostAgent::~SshHostAgent() = default;

void SshHostAgent::threadFinished()
{
    // OpenSSL's per-thread random generators that libssh made on this thread.
    OPENSSL_thread_stop();
}

int SshHostAgent::runScript(const QByteArray &body, const QByteArray &arguments, QByteArray *out, QByteArray *err, const QByteArray &head)
{
    return m_session->run(privilege(m_target) + "sh -s --" + arguments, head + script(body.constData()), out, err);
}

QByteArray SshHostAgent::filePairs() const
{
    QByteArray pairs;
    for (const DeployTarget::File &file : m_target.files)
        pairs += ' ' + ShellQuote::word(QFileInfo(file.path).fileName()) + ' ' + ShellQuote::word(file.path);
    return pairs;
}

std::optional<DeployFailure> SshHostAgent::connect(const Report &report)
{
    return m_session->connect(m_options, report);
}

std::optional<DeployFailure> SshHostAgent::readLive(QList<QByteArray> *live)
{
    QByteArray read;
    for (const DeployTarget::File &file : std::as_const(m_target.files))
        read += "p=" + ShellQuote::word(file.path)
            + "; if [ -f \"$p\" ]; then set -- $(wc -c < \"$p\"); printf 'F %s\\n' \"$1\"; cat \"$p\"; else printf 'M\\n'; fi\n";
    QByteArray current;
    QByteArray error;
    const int status = m_session->run(privilege(m_target) + "sh -s", read, &current, &error);
    if (status == -1)
        return lostAt(DeployStep::Read);
    if (status != 0) {
        const bool password = error.contains("password") || error.contains("a terminal is required");
        return DeployFailure{DeployStep::Read, password ? DeployFailure::Problem::Privilege : DeployFailure::Problem::RemoteCommand,
                             password ? passwordFix(m_target)
                                      : QStringLiteral("cannot read the current config: %1").arg(QString::fromUtf8(error).trimmed())};
    }
    live->clear();
    qsizetype at = 0;
    for (qsizetype i = 0; i < m_target.files.size(); ++i) {
        const qsizetype end = current.indexOf('\n', at);
        if (end < 0)
            return DeployFailure{DeployStep::Read, DeployFailure::Problem::RemoteCommand, QStringLiteral("cut-short answer")};
        const QByteArray head = current.mid(at, end - at);
        at = end + 1;
        if (head.startsWith("F ")) {
            const qsizetype length = head.mid(2).toLongLong();
            live->append(current.mid(at, length));
            at += length;
        } else {
            live->append(QByteArray());
        }
    }
    return std::nullopt;
}

std::optional<DeployFailure> SshHostAgent::stage(const QList<DeployTarget::File> &files, const Report &report)
{
    // The candidates travel in the input of the command that validates them: one command
    // instead of an SFTP session and a round trip per file, and a host needs no SFTP server.
    report(DeployStep::Validate, QString());
    QString why;
    const std::optional<QByteArray> staging = stagingText(files, m_token, &why);
    if (!staging)
        return DeployFailure{DeployStep::Upload, DeployFailure::Problem::RemoteCommand, why};
    QByteArray err;
    // An exit gateway's PostUp loads a nftables table: the host must have nft; and when it
    // masquerades out of the default route's interface (no egress), a default route.
    const bool needsNft = std::any_of(m_target.files.cbegin(), m_target.files.cend(), [](const DeployTarget::File &file) {
        return file.content.contains("nft \"table inet meshwright-");
    });
    const bool needsDefaultRoute = std::any_of(m_target.files.cbegin(), m_target.files.cend(), [](const DeployTarget::File &file) {
        return file.content.contains("e4=$(ip -4 route show default");
    });
    QByteArray out;
    const int status = runScript(ValidateScript,
                                 ' ' + ShellQuote::word(m_stage) + ' ' + osKind(m_target.os) + (needsDefaultRoute ? " 2 " : needsNft ? " 1 " : " 0 ")
                                     + ShellQuote::word(m_target.reloadCmd) + filePairs(),
                                 &out, &err, *staging);
    // The script's last word: a shell that got only part of its input (the files, not
    // the checks after them) may well have exited 0.
    if (status == 0 && out.endsWith("valid\n"))
        return std::nullopt;
    if (status == 0) {
        discardStage();
        return DeployFailure{DeployStep::Validate, DeployFailure::Problem::Network,
                             QStringLiteral("the host ran only part of the validation (its input was cut short)")};
    }
    if (status == -1) {
        discardStage();
        return lostAt(DeployStep::Validate);
    }
    const QString message = QString::fromUtf8(err).trimmed();
    // A stage folder that could not be made is not ours to delete; one that could not be
    // written was deleted on the host.
    if (status != NoStage)
        discardStage();
    return DeployFailure{status == NoStage ? DeployStep::Upload : DeployStep::Validate, DeployFailure::Problem::RemoteCommand,
                         message.isEmpty() ? QStringLiteral("exit status %1").arg(status) : message};
}

std::optional<QByteArray> SshHostAgent::stagingText(const QList<DeployTarget::File> &files, const QString &token, QString *why)
{
    QByteArray end = "MESHWRIGHT_FILE_" + token.toLatin1();
    for (const DeployTarget::File &file : files) {
        if (file.content.contains('\0')) {
            *why = QStringLiteral("%1 is not a text file (it holds a NUL byte): nothing was sent").arg(file.path);
            return std::nullopt;
        }
        while (file.content.contains(end))
            end += '_';
    }
    // $1 is the stage folder: made here, so nobody else can have put anything in it.
    QByteArray text = "umask 077\nmkdir -m 700 \"$1\" || { echo \"cannot create the stage folder $1\" >&2; exit "
        + QByteArray::number(NoStage) + "; }\n";
    for (const DeployTarget::File &file : files) {
        const QByteArray target = "\"$1\"/" + ShellQuote::word(QFileInfo(file.path).fileName());
        // The folder is ours by now: what was written of the candidates (keys) goes too.
        const QByteArray failed = " || { echo \"cannot write \"" + target + " >&2; rm -rf \"$1\"; exit " + QByteArray::number(NoStage) + "; }\n";
        // A quoted here-document keeps every byte of whole lines; a last line without its
        // line break follows with printf.
        const qsizetype lines = file.content.lastIndexOf('\n') + 1;
        if (lines > 0)
            text += "cat > " + target + " <<'" + end + "'" + failed + file.content.first(lines) + end + '\n';
        else
            text += ": > " + target + failed;
        if (lines < file.content.size())
            text += "printf '%s' " + ShellQuote::bytes(file.content.mid(lines)) + " >> " + target + failed;
    }
    return text;
}

void SshHostAgent::discardStage()
{
    m_session->run(privilege(m_target) + "rm -rf " + ShellQuote::word(m_stage), {}, nullptr, nullptr);
}

HostAgent::SwitchOutcome SshHostAgent::switchOver(bool restart, int timeoutSeconds, const Report &report, QString *reason)
{
    report(DeployStep::Arm, QString());
    report(DeployStep::Install, QString());
    QByteArray out;
    QByteArray err;
    const QByteArray pairs = filePairs();
    const QByteArray arguments = ' ' + ShellQuote::word(m_stage) + ' ' + QByteArray::number(timeoutSeconds) + ' ' + (restart ? "1" : "0") + ' '
        + osKind(m_target.os) + ' ' + ShellQuote::word(m_token) + ' ' + ShellQuote::word(m_target.reloadCmd) + ' '
        + ShellQuote::word(QString::fromUtf8(ShellQuote::word(m_target.reloadCmd))) + ' ' + ShellQuote::word(QString::fromUtf8(pairs.trimmed())) + pairs;
    const int status = runScript(SwitchScript, arguments, &out, &err);
    if (status == 0) {
        report(DeployStep::Reload, restart ? QStringLiteral("restart") : QStringLiteral("wg syncconf, routes"));
        return SwitchOutcome::Switched;
    }
    if (status == -1) {
        *reason = QStringLiteral("the connection was lost during the switch");
        return SwitchOutcome::Lost;
    }
    const QString message = firstLine(err);
    *reason = message.isEmpty() ? QStringLiteral("exit status %1").arg(status) : message;
    discardStage();
    return SwitchOutcome::Restored;
}

QList<LinkCheck> SshHostAgent::probe(const QList<DeployLink> &links)
{
    QByteArray arguments = ' ' + osKind(m_target.os);
    for (const DeployLink &link : links) {
        for (const QString &address : link.addresses)
            arguments += ' ' + ShellQuote::word(link.interfaceName) + ' ' + ShellQuote::word(link.peerKey) + ' ' + ShellQuote::word(address);
    }
    QByteArray out;
    const int status = runScript(ProbeScript, arguments, &out, nullptr);
    QList<QByteArray> lines = out.split('\n');
    QList<LinkCheck> checks;
    qsizetype line = 0;
    for (const DeployLink &link : links) {
        LinkCheck check{link, LinkCheck::Result::Ok, QString()};
        QStringList details;
        for (const QString &address : link.addresses) {
            const QList<QByteArray> words = line < lines.size() ? lines[line++].simplified().split(' ') : QList<QByteArray>();
            const QByteArray word = status == -1 ? QByteArray("lost") : words.value(0);
            LinkCheck::Result result = LinkCheck::Result::NoReply;
            QString detail;
            if (word == "ok") {
                result = LinkCheck::Result::Ok;
                detail = QStringLiteral("%1 via %2").arg(address, link.interfaceName);
            } else if (word == "noroute") {
                result = LinkCheck::Result::NoRoute;
                const QString dev = QString::fromUtf8(words.value(2));
                detail = dev == QLatin1String("none") || dev.isEmpty() ? QStringLiteral("no route to %1").arg(address)
                                                                       : QStringLiteral("%1 goes via %2, not %3").arg(address, dev, link.interfaceName);
            } else if (word == "nohandshake") {
                result = LinkCheck::Result::NoHandshake;
                detail = QStringLiteral("no handshake with %1 on %2").arg(link.to, link.interfaceName);
            } else if (word == "lost") {
                result = LinkCheck::Result::Unreachable;
                detail = QStringLiteral("the connection to %1 was lost").arg(link.from);
            } else {
                detail = QStringLiteral("%1 does not answer through %2").arg(address, link.interfaceName);
                if (const QByteArray age = words.value(2); !age.isEmpty())
                    detail += QStringLiteral(" (last handshake %1 s ago)").arg(QString::fromLatin1(age));
            }
            details.append(detail);
            // The worst address decides: every family must work.
            if (check.result == LinkCheck::Result::Ok && result != LinkCheck::Result::Ok)
                check.result = result;
        }
        check.detail = details.join(QLatin1String("; "));
        checks.append(check);
    }
    return checks;
}

std::optional<DeployFailure> SshHostAgent::finish(const char *action, DeployStep step, DeployFailure::Problem problem)
{
    QByteArray err;
    const QByteArray arguments = QByteArray(" ") + action + ' ' + ShellQuote::word(m_token) + ' ' + osKind(m_target.os) + ' '
        + ShellQuote::word(m_target.reloadCmd) + filePairs();
    const int status = runScript(FinishScript, arguments, nullptr, &err);
    if (status == 0)
        return std::nullopt;
    if (status == -1)
        return lostAt(step);
    return DeployFailure{step, problem, firstLine(err)};
}

std::optional<DeployFailure> SshHostAgent::disarm()
{
    // NotArmed: its timer fired, and the host says so; anything else could not confirm.
    return finish("disarm", DeployStep::Confirm, DeployFailure::Problem::Verification);
}

std::optional<DeployFailure> SshHostAgent::commit()
{
    return finish("commit", DeployStep::Confirm, DeployFailure::Problem::RemoteCommand);
}

std::optional<DeployFailure> SshHostAgent::rollback()
{
    return finish("rollback", DeployStep::Rollback, DeployFailure::Problem::RemoteCommand);
}

std::optional<DeployFailure> SshHostAgent::decommission(const Report &report, QStringList *done)
{
    if (const auto failure = connect(report))
        return failure;
    QByteArray arguments = ' ' + osKind(m_target.os);
    QByteArray others;
    QByteArray blocks;
    for (const DeployTarget::File &file : std::as_const(m_target.files)) {
        if (Deployment::isInterfaceConfig(file.path))
            arguments += ' ' + ShellQuote::word(QFileInfo(file.path).completeBaseName()) + ' ' + ShellQuote::word(file.path);
        else if (file.block)
            blocks += ' ' + ShellQuote::word(file.path);
        else
            others += ' ' + ShellQuote::word(file.path);
    }
    arguments += " --" + others + " --" + blocks;
    report(DeployStep::Install, QStringLiteral("take the interfaces down, delete the configs"));
    QByteArray out;
    QByteArray err;
    const int status = runScript(DecommissionScript, arguments, &out, &err);
    if (status == -1)
        return lostAt(DeployStep::Install);
    if (status != 0)
        return DeployFailure{DeployStep::Install, DeployFailure::Problem::RemoteCommand, firstLine(err)};
    for (const QByteArray &line : out.split('\n')) {
        if (!line.trimmed().isEmpty())
            done->append(QString::fromUtf8(line.trimmed()));
    }
    return std::nullopt;
}
