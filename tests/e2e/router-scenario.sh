#!/usr/bin/env bash
# End-to-end testbed for the "router pattern": a home router with one WireGuard
# interface per Kubernetes node (Table = off, explicit routes in PostUp), checked
# with real handshakes and pings between network namespaces on this machine.
#
#   tests/e2e/router-scenario.sh CONFIG_DIR    run the scenario on generated configs
#   tests/e2e/router-scenario.sh --cleanup-stale
#                                              remove what a killed run (SIGKILL) left
#
# CONFIG_DIR holds router/*.conf (wg0.conf = tunnel to node1, wg1.conf = to node2),
# node1/wg0.conf and node2/wg0.conf. See tests/e2e/README.md.
#
# Exit: 0 all checks passed, 1 a check failed, 2 usage error,
#       77 skipped (prerequisites missing; 1 instead when MESHWRIGHT_E2E=required).
#
# Every host (router, node1, node2) is a network namespace plus a private mount
# namespace, kept alive by a holder process; all its commands run through
# `nsenter -t HOLDER -m -n`. The holder mounts a tmpfs over /run (= /var/run) so
# each host has its own /var/run/wireguard (wireguard-go's UAPI sockets: wg0 in
# node1 and wg0 in node2 would otherwise share /var/run/wireguard/wg0.sock), and a
# tmpfs over /etc/wireguard. Nothing is created or changed outside the namespaces
# this script makes, and only addresses inside them are ever contacted.

set -euo pipefail

readonly HINT="run as root with wireguard-tools, wireguard-go, iproute2, iptables, iputils-ping"
readonly HOSTS=(router node1 node2)
declare -A ADDR=([router]=198.18.0.1 [node1]=198.18.0.11 [node2]=198.18.0.12)

usage() {
    echo "usage: $0 CONFIG_DIR" >&2
    echo "       $0 --cleanup-stale" >&2
    exit 2
}

# skip REASON: prerequisites missing -> 77, or 1 where the e2e run is required.
skip() {
    echo "e2e skipped: $1 ($HINT)"
    if [ "${MESHWRIGHT_E2E:-}" = required ]; then exit 1; fi
    exit 77
}

check_prerequisites() {
    local reasons=() missing=() t
    [ "$(id -u)" -eq 0 ] || reasons+=("not root")
    for t in ip wg wg-quick wireguard-go iptables ping unshare nsenter mount tail; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] || reasons+=("missing ${missing[*]}")
    [ -c /dev/net/tun ] || reasons+=("no /dev/net/tun")
    if [ ${#reasons[@]} -gt 0 ]; then
        local IFS=';'
        local msg="${reasons[*]}"
        skip "${msg//;/; }"
    fi
}

# Kill every process in namespace $1 (TERM, then KILL after ~3 s), delete it.
kill_and_delete_netns() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        for i in $(seq 30); do
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            [ -z "$pids" ] && break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
}

# --cleanup-stale: namespaces are named mwt-OWNERPID-XXXX-ROLE, the log folder
# /tmp/mwt-OWNERPID-XXXX.RANDOM; remove those whose owning script is gone (only
# after a SIGKILL: every other exit cleans up itself).
cleanup_stale() {
    [ "$(id -u)" -eq 0 ] || { echo "--cleanup-stale needs root" >&2; exit 1; }
    local ns owner n=0 d
    for d in /tmp/mwt-*; do
        [[ $d =~ ^/tmp/mwt-([0-9]+)-[0-9a-f]{4}\.[A-Za-z0-9]{6}$ ]] || continue
        owner=${BASH_REMATCH[1]}
        if [ ! -d "$d" ] || kill -0 "$owner" 2>/dev/null; then continue; fi
        rm -rf "$d"
        echo "removed $d"
    done
    while read -r ns _; do
        [[ $ns =~ ^mwt-([0-9]+)-[0-9a-f]{4}-(sw|router|node1|node2)$ ]] || continue
        owner=${BASH_REMATCH[1]}
        if kill -0 "$owner" 2>/dev/null; then
            echo "kept $ns (run $owner still alive)"
            continue
        fi
        kill_and_delete_netns "$ns"
        echo "removed $ns"
        n=$((n + 1))
    done < <(ip netns list 2>/dev/null)
    echo "removed $n stale namespace(s)"
}

[ $# -eq 1 ] || usage
[ "$1" = --cleanup-stale ] && { cleanup_stale; exit 0; }
case $1 in -*) usage ;; esac
CONFIG_DIR=$1

check_prerequisites

# ---- configs ---------------------------------------------------------------
[ -d "$CONFIG_DIR" ] || { echo "error: $CONFIG_DIR is not a directory" >&2; exit 2; }
shopt -s nullglob
ROUTER_CONFS=("$CONFIG_DIR"/router/*.conf)
shopt -u nullglob
[ ${#ROUTER_CONFS[@]} -gt 0 ] || { echo "error: no $CONFIG_DIR/router/*.conf" >&2; exit 2; }
for f in "$CONFIG_DIR/node1/wg0.conf" "$CONFIG_DIR/node2/wg0.conf"; do
    [ -f "$f" ] || { echo "error: missing $f" >&2; exit 2; }
done
ROUTER_IFS=()
for f in "${ROUTER_CONFS[@]}"; do
    name=$(basename "$f" .conf)
    [[ $name =~ ^[a-zA-Z0-9_=+.-]{1,15}$ ]] || { echo "error: $f: not a valid interface name" >&2; exit 2; }
    ROUTER_IFS+=("$name")
done

# ---- state -----------------------------------------------------------------
T0=$(date +%s.%N)
ID="$$-$(printf '%04x' "$RANDOM")"
PFX="mwt-$ID"
NS_SW="$PFX-sw"
declare -A NS=([router]="$PFX-router" [node1]="$PFX-node1" [node2]="$PFX-node2")
declare -A HOLDER=()
CREATED_NS=()        # namespaces this run created, in creation order
UP=()                # "host:ifname" brought up with wg-quick
WGGO_PIDS=()         # wireguard-go processes seen in our namespaces
PASSED=0
FAILED=0
FINISHED=0
CLEANED=0
RUNDIR=$(readlink -f /var/run 2>/dev/null || echo /run)
if [ -d /etc/wireguard ]; then CONFDIR=/etc/wireguard; else CONFDIR=$RUNDIR/meshwright-wireguard; fi
WORK=$(mktemp -d "/tmp/$PFX.XXXXXX")  # logs; no host ever needs it

# alive PID: running, not merely a zombie waiting to be reaped.
alive() {
    local state
    state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
info() { echo "info: $*"; }
indent() { sed 's/^/    /'; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# in_host HOST CMD...: run CMD in HOST's network and mount namespaces.
in_host() {
    local h=$1
    shift
    nsenter -t "${HOLDER[$h]}" -m -n -- "$@"
}

wg_quick() {
    local h=$1
    shift
    in_host "$h" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
        WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wg-quick "$@"
}

cleanup() {
    [ "$CLEANED" = 1 ] && return 0
    CLEANED=1
    trap - ERR
    set +e
    local key h ifc ns left=() p i
    for ((i = ${#UP[@]} - 1; i >= 0; i--)); do
        key=${UP[$i]}; h=${key%%:*}; ifc=${key#*:}
        # gone already when its wireguard-go died (a Ctrl-C reaches it too)
        in_host "$h" wg show "$ifc" >/dev/null 2>&1 || continue
        wg_quick "$h" down "$CONFDIR/$ifc.conf" >>"$WORK/wg-quick-down.log" 2>&1 ||
            info "wg-quick down $ifc in $h failed (its namespace is removed anyway)"
    done
    for ((i = ${#CREATED_NS[@]} - 1; i >= 0; i--)); do
        kill_and_delete_netns "${CREATED_NS[$i]}"
    done
    for h in "${!HOLDER[@]}"; do wait "${HOLDER[$h]}" 2>/dev/null; done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ $ns == "$PFX"-* ]] && left+=("namespace $ns")
    done
    for p in "${WGGO_PIDS[@]}"; do
        # exited is enough: a zombie waits for whoever reaps orphans (pid 1)
        alive "$p" && left+=("wireguard-go pid $p")
    done
    rm -rf "$WORK"
    if [ ${#left[@]} -eq 0 ]; then
        info "cleanup: namespaces $PFX-{sw,router,node1,node2} and their processes removed"
    else
        fail "cleanup left: ${left[*]}"
    fi
}

# shellcheck disable=SC2317  # invoked through trap
on_exit() {
    local rc=$?
    if [ "$FINISHED" != 1 ]; then
        cleanup
        echo "router scenario: $PASSED passed, $FAILED failed (aborted, exit $rc)"
        [ "$rc" -eq 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM
trap 'echo "hangup" >&2; exit 129' HUP
set -E
trap 'echo "error: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR

# ---- topology ----------------------------------------------------------------
# start_holder HOST: long-lived process owning HOST's private mount namespace.
start_holder() {
    local h=$1 i pid
    # shellcheck disable=SC2016  # expanded by the holder's sh
    ip netns exec "${NS[$h]}" unshare -m --propagation private sh -c '
        set -e
        trap "" INT QUIT  # a Ctrl-C is for the script, which still needs its hosts
        mount -t tmpfs -o mode=755,size=4m mwt-run "$1"
        mkdir -m 700 "$1/wireguard"
        if [ "$2" = /etc/wireguard ]; then
            mount -t tmpfs -o mode=700,size=1m mwt-etc-wireguard /etc/wireguard
        else
            mkdir -m 700 "$2"
        fi
        exec tail --pid="$3" -f /dev/null' \
        mwt-holder "$RUNDIR" "$CONFDIR" "$$" </dev/null >"$WORK/holder-$h.log" 2>&1 &
    pid=$!
    HOLDER[$h]=$pid
    for i in $(seq 50); do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tail ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: holder for $h did not start:" >&2
    indent <"$WORK/holder-$h.log" >&2
    return 1
}

if ! err=$(ip netns add "$NS_SW" 2>&1); then
    trap - EXIT
    rm -rf "$WORK"
    skip "cannot create network namespaces: $err"
fi
CREATED_NS+=("$NS_SW")
for h in "${HOSTS[@]}"; do
    ip netns add "${NS[$h]}"
    CREATED_NS+=("${NS[$h]}")
done
info "namespaces $PFX-{sw,router,node1,node2}; private $RUNDIR/wireguard and $CONFDIR per host"

ip -n "$NS_SW" link set lo up
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
for h in "${HOSTS[@]}"; do
    start_holder "$h"
    ip -n "$NS_SW" link add "p-$h" type veth peer name eth0 netns "${NS[$h]}"
    ip -n "$NS_SW" link set "p-$h" master br0 up
    in_host "$h" ip link set lo up
    in_host "$h" ip addr add "${ADDR[$h]}/24" dev eth0
    in_host "$h" ip link set eth0 up
done

# add_local_addrs HOST ADDR...: a dummy device holding ADDRs (a veth pair kept
# inside HOST stands in where the kernel has no dummy driver).
add_local_addrs() {
    local h=$1 a
    shift
    if ! in_host "$h" ip link add svc0 type dummy 2>/dev/null; then
        in_host "$h" ip link add svc0 type veth peer name svc0-peer
        in_host "$h" ip link set svc0-peer up
        info "$h: no dummy driver in this kernel, svc0 is a veth pair inside $h"
    fi
    for a in "$@"; do in_host "$h" ip addr add "$a" dev svc0; done
    in_host "$h" ip link set svc0 up
}
add_local_addrs node1 10.96.0.10/32 10.42.1.1/24
add_local_addrs node2 10.96.0.20/32 10.42.2.1/24

# ping_ok HOST DST [TRIES]: one echo per try, 2 s each, short pause between.
ping_ok() {
    local h=$1 dst=$2 tries=${3:-3} i
    for ((i = 0; i < tries; i++)); do
        in_host "$h" ping -n -q -c 1 -W 2 "$dst" >/dev/null 2>&1 && return 0
        [ $((i + 1)) -lt "$tries" ] && sleep 0.5
    done
    return 1
}

for h in node1 node2; do
    if ping_ok router "${ADDR[$h]}" 5; then
        pass "underlay: router reaches $h at ${ADDR[$h]}"
    else
        fail "underlay: router does not reach $h at ${ADDR[$h]}"
    fi
done

# ---- WireGuard -----------------------------------------------------------------
# up HOST IFNAME SOURCE_CONF
up() {
    local h=$1 ifc=$2 src=$3 log="$WORK/wg-quick-up-$1-$2.log"
    # shellcheck disable=SC2016
    in_host "$h" sh -c 'umask 077 && cat >"$1"' sh "$CONFDIR/$ifc.conf" <"$src"
    if wg_quick "$h" up "$CONFDIR/$ifc.conf" >"$log" 2>&1; then
        UP+=("$h:$ifc")
        pass "$h: wg-quick up $ifc"
    else
        fail "$h: wg-quick up $ifc (output below)"
        indent <"$log"
    fi
}
up node1 wg0 "$CONFIG_DIR/node1/wg0.conf"
up node2 wg0 "$CONFIG_DIR/node2/wg0.conf"
T_HS=$(date +%s.%N)
for ifc in "${ROUTER_IFS[@]}"; do
    up router "$ifc" "$CONFIG_DIR/router/$ifc.conf"
done

counts=()
for h in "${HOSTS[@]}"; do
    n=0
    for p in $(ip netns pids "${NS[$h]}" || true); do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wireguard-go ]; then
            WGGO_PIDS+=("$p")
            n=$((n + 1))
        fi
    done
    counts+=("$h $n")
done
joined=$(IFS=,; echo "${counts[*]}")
info "wireguard-go processes: ${joined//,/, }"
[ -e /sys/module/wireguard ] && info "kernel WireGuard module present: wg-quick uses it, not wireguard-go"

is_up() { local k; for k in "${UP[@]}"; do [ "$k" = "$1" ] && return 0; done; return 1; }

has_handshake() {
    in_host router wg show "$1" latest-handshakes 2>/dev/null |
        awk '$2 > 0 { found = 1 } END { exit !found }'
}

# Handshakes: at most 20 s for all router interfaces, polled every 0.5 s.
declare -A SHOOK=()
pending=()
for ifc in "${ROUTER_IFS[@]}"; do
    if is_up "router:$ifc"; then pending+=("$ifc"); else fail "router: no handshake on $ifc (not up)"; fi
done
for ((i = 0; i < 40 && ${#pending[@]} > 0; i++)); do
    still=()
    for ifc in "${pending[@]}"; do
        if has_handshake "$ifc"; then
            SHOOK[$ifc]=1
            pass "router: handshake on $ifc, $(elapsed "$T_HS") s after the router's wg-quick up"
        else
            still+=("$ifc")
        fi
    done
    pending=("${still[@]+"${still[@]}"}")
    [ ${#pending[@]} -gt 0 ] && sleep 0.5
done
for ifc in "${pending[@]+"${pending[@]}"}"; do
    fail "router: no handshake on $ifc within 20 s"
done

# ---- checks --------------------------------------------------------------------
# tries_via IF: a few retries through a tunnel that has a handshake; one try
# through one that has none (it cannot carry traffic; keeps failing runs short).
tries_via() { if [ -n "${SHOOK[$1]:-}" ]; then echo 3; else echo 1; fi; }

declare -A REACHED=()
for pair in 10.99.0.11:wg0 10.99.0.12:wg1; do
    dst=${pair%%:*}; via=${pair#*:}
    if ping_ok router "$dst" "$(tries_via "$via")"; then
        REACHED[$dst]=1
        pass "router pings tunnel address $dst"
    else
        fail "router does not reach tunnel address $dst"
    fi
done

# route_dev DST: the device of the router's route to DST, empty if it has none.
route_dev() {
    { in_host router ip route get "$1" 2>/dev/null || true; } |
        awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'
}
for pair in 10.42.1.1:wg0 10.42.2.1:wg1; do
    dst=${pair%%:*}; want=${pair#*:}
    if ping_ok router "$dst" "$(tries_via "$want")"; then
        pass "router pings pod address $dst"
    else
        fail "router does not reach pod address $dst"
    fi
    got=$(route_dev "$dst")
    if [ "$got" = "$want" ]; then
        pass "router routes $dst via dev $want"
    else
        fail "router routes $dst via dev '${got:-none}', expected $want"
    fi
done

# Service range 10.96.0.0/24: in the AllowedIPs of both router interfaces, no route
# from the configs. Routes added here stand in for what BGP would announce.
if in_host router ip route replace 10.96.0.10/32 dev wg0 2>"$WORK/route.err"; then
    if ping_ok router 10.96.0.10 "$(tries_via wg0)"; then
        pass "service 10.96.0.10 (node1) answers via route dev wg0"
    else
        fail "service 10.96.0.10 (node1) does not answer via route dev wg0"
    fi
else
    fail "cannot add route 10.96.0.10/32 dev wg0: $(cat "$WORK/route.err")"
fi
if in_host router ip route replace 10.96.0.20/32 dev wg0 2>"$WORK/route.err"; then
    if ping_ok router 10.96.0.20 2; then
        fail "service 10.96.0.20 answered via dev wg0, but only node2 (wg1) has it"
    elif [ -n "${REACHED[10.99.0.11]:-}" ]; then
        pass "service 10.96.0.20 gets no answer via dev wg0 (node1 lacks it: the router's table picked the tunnel, not AllowedIPs)"
    else
        fail "service 10.96.0.20 via dev wg0: no answer, but inconclusive as the wg0 tunnel itself does not work"
    fi
else
    fail "cannot add route 10.96.0.20/32 dev wg0: $(cat "$WORK/route.err")"
fi
if in_host router ip route replace 10.96.0.20/32 dev wg1 2>"$WORK/route.err"; then
    if ping_ok router 10.96.0.20 "$(tries_via wg1)"; then
        pass "service 10.96.0.20 (node2) answers via route dev wg1"
    else
        fail "service 10.96.0.20 (node2) does not answer via route dev wg1"
    fi
else
    fail "cannot add route 10.96.0.20/32 dev wg1: $(cat "$WORK/route.err")"
fi

if grep -qi TCPMSS "${ROUTER_CONFS[@]}"; then
    rule=$(in_host router iptables -t mangle -S 2>&1 | grep -E -- '-j TCPMSS .*--set-mss [0-9]+' | head -n 1 || true)
    if [ -n "$rule" ]; then
        pass "router mangle table has MSS clamping: $rule"
    else
        fail "router configs mention TCPMSS but 'iptables -t mangle -S' in router has no --set-mss rule"
    fi
else
    info "router configs do not mention TCPMSS: MSS check skipped"
fi

for ifc in "${ROUTER_IFS[@]}"; do
    if ! is_up "router:$ifc"; then
        fail "router: $ifc is not up, cannot count its peers"
        continue
    fi
    n=$(in_host router wg show "$ifc" peers | grep -c . || true)
    if [ "$n" -eq 1 ]; then
        pass "router: $ifc has exactly one peer"
    else
        fail "router: $ifc has $n peers, expected 1"
    fi
done

if [ "$FAILED" -gt 0 ]; then
    for h in "${HOSTS[@]}"; do
        echo "--- $h: wg show; ip route"
        { in_host "$h" wg show 2>&1; in_host "$h" ip route 2>&1; } | indent || true
    done
fi

cleanup
info "total $(elapsed "$T0") s"
FINISHED=1
echo "router scenario: $PASSED passed, $FAILED failed"
if [ "$FAILED" -eq 0 ]; then exit 0; fi
exit 1
