#!/usr/bin/env bash
# Self-test of tests/e2e/testbed.sh: two home hosts behind the NAT router and one
# internet host, hand-made WireGuard configs copied and brought up over ssh, then
# handshakes, pings, NAT endpoints, ssh fault injection and a clean teardown.
#
#   tests/e2e/testbed-selftest.sh
#
# Every check prints one `ok: …` or `FAIL: …` line; the last line is
# `testbed self-test: N passed, M failed`.
# Exit: 0 all passed, 1 a check failed, 77 skipped (prerequisites missing; 1 instead
#       when MESHWRIGHT_E2E=required).

set -uo pipefail

TB=$(cd "$(dirname "$0")" && pwd)/testbed.sh
readonly TB
readonly HOSTS=(lan1 lan2 gw)
declare -A UNDERLAY=([lan1]=192.168.77.10 [lan2]=192.168.77.11 [gw]=198.18.77.20)
declare -A NETOF=([lan1]=home [lan2]=home [gw]=internet)
declare -A MESH=([lan1]=10.77.0.1 [lan2]=10.77.0.2 [gw]=10.77.0.3)
declare -A PORT=([lan1]=51820 [lan2]=51820 [gw]=56709)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
info() { echo "info: $*"; }
indent() { sed 's/^/    /'; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

T0=$(date +%s.%N)
[ "$(id -u)" -eq 0 ] || {
    echo "e2e skipped: not root (run as root with openssh-server, nftables, wireguard-tools, wireguard-go)"
    [ "${MESHWRIGHT_E2E:-}" = required ] && exit 1
    exit 77
}
WORK=$(mktemp -d /tmp/mwtb-selftest.XXXXXX)
SD=$WORK/state
DOWN_DONE=0
FINISHED=0

# shellcheck disable=SC2317  # invoked through trap
on_exit() {
    local rc=$?
    if [ "$DOWN_DONE" != 1 ] && [ -e "$SD/id" ]; then
        "$TB" down "$SD" || echo "FAIL: testbed down in the exit trap"
    fi
    rm -rf "$WORK"
    if [ "$FINISHED" != 1 ] && [ "$rc" -ne 77 ]; then
        echo "testbed self-test: $PASSED passed, $FAILED failed (aborted, exit $rc)"
        [ "$rc" -eq 0 ] && rc=1
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM
trap 'echo "hangup" >&2; exit 129' HUP

tb() { "$TB" "$1" "$SD" "${@:2}"; }

# snapshot of the machine's own /etc/wireguard and /run entries this test could touch
root_snapshot() {
    find /etc/wireguard /run/sshd /run/sshd.pid /run/wireguard -maxdepth 1 -printf '%p %m %s %T@\n' 2>/dev/null
    return 0
}
BEFORE=$(root_snapshot)

# ---- up ------------------------------------------------------------------------------
specs=()
for h in "${HOSTS[@]}"; do specs+=("$h:${NETOF[$h]}:${UNDERLAY[$h]}"); done
tb up "${specs[@]}" >"$WORK/up.log" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
    cat "$WORK/up.log"
    exit 77
fi
if [ "$rc" -ne 0 ]; then
    fail "testbed up (exit $rc):"
    indent <"$WORK/up.log"
    echo "testbed self-test: $PASSED passed, $FAILED failed"
    FINISHED=1
    exit 1
fi
sed '$d; s/^testbed: /info: /' "$WORK/up.log"   # e.g. packages it installed
pass "$(tail -n 1 "$WORK/up.log" | sed 's/^testbed: //')"
ID=$(cat "$SD/id")
PFX=mwtb-$ID
# pids recorded by up, checked again after down
RECORDED_PIDS=$(awk '{ print $4, $5 }' "$SD/hosts.txt")

# ---- ssh basics ----------------------------------------------------------------------------
for h in "${HOSTS[@]}"; do
    # shellcheck disable=SC2016  # expanded on the host
    out=$(tb ssh "$h" sh -c 'echo "$SSH_CONNECTION|$WG_QUICK_USERSPACE_IMPLEMENTATION|$WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD"' 2>&1)
    from=${out%% *}
    want_from=192.168.77.2
    [ "$h" = gw ] && want_from=198.18.77.1
    if [[ $out == *"|wireguard-go|1" ]] && [ "$from" = "$want_from" ]; then
        pass "$h: strict ssh from the controller; sshd sees it as $from; SetEnv gives wireguard-go"
    else
        fail "$h: ssh from the controller: got '$out' (want from $want_from, wireguard-go env)"
    fi
done
if tb exec gw ping -n -q -c 1 -W 1 "${UNDERLAY[lan1]}" >/dev/null 2>&1; then
    fail "gw (internet) reaches lan1's home address directly"
else
    pass "gw (internet) cannot reach lan1's home address ${UNDERLAY[lan1]} (behind the NAT)"
fi

# ---- WireGuard configs ---------------------------------------------------------------------
declare -A PRIV=() PUB=() PSK=()
for h in "${HOSTS[@]}"; do
    PRIV[$h]=$(wg genkey)
    PUB[$h]=$(wg pubkey <<<"${PRIV[$h]}")
done
pair() { if [[ $1 < $2 ]]; then echo "$1-$2"; else echo "$2-$1"; fi; }
for p in lan1-lan2 gw-lan1 gw-lan2; do PSK[$p]=$(wg genpsk); done

mkdir -p "$WORK/conf"
for h in "${HOSTS[@]}"; do
    {
        echo "[Interface]"
        echo "PrivateKey = ${PRIV[$h]}"
        echo "Address = ${MESH[$h]}/24"
        echo "ListenPort = ${PORT[$h]}"
        for o in "${HOSTS[@]}"; do
            [ "$o" = "$h" ] && continue
            echo
            echo "[Peer]"
            echo "# $o"
            echo "PublicKey = ${PUB[$o]}"
            echo "PresharedKey = ${PSK[$(pair "$h" "$o")]}"
            echo "AllowedIPs = ${MESH[$o]}/32"
            if [ "$o" = gw ]; then
                echo "Endpoint = ${UNDERLAY[gw]}:${PORT[gw]}"
                echo "PersistentKeepalive = 25"
            elif [ "$h" != gw ]; then
                echo "Endpoint = ${UNDERLAY[$o]}:${PORT[$o]}"
            fi
        done
    } >"$WORK/conf/$h.conf"
done

for h in "${HOSTS[@]}"; do
    if tb ssh "$h" sh -c 'umask 077 && cat > /etc/wireguard/wg0.conf' <"$WORK/conf/$h.conf" 2>"$WORK/err" &&
        tb exec "$h" cat /etc/wireguard/wg0.conf 2>/dev/null | cmp -s - "$WORK/conf/$h.conf"; then
        pass "$h: wg0.conf copied over ssh into its private /etc/wireguard"
    else
        fail "$h: copying wg0.conf over ssh: $(cat "$WORK/err")"
    fi
done

# gw first: the home hosts' first handshake then finds it listening
T_UP=""
WGGO_PIDS=()
for h in gw lan1 lan2; do
    if tb ssh "$h" wg-quick up wg0 >"$WORK/up-$h.log" 2>&1; then
        pass "$h: wg-quick up wg0 over ssh"
    else
        fail "$h: wg-quick up wg0 over ssh (output below)"
        indent <"$WORK/up-$h.log"
    fi
    [ -n "$T_UP" ] || T_UP=$(date +%s.%N)
done
for h in "${HOSTS[@]}"; do
    n=0
    for p in $(ip netns pids "$PFX-h-$h" 2>/dev/null); do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wireguard-go ]; then
            n=$((n + 1))
            WGGO_PIDS+=("$p")
        fi
    done
    if [ "$n" -eq 1 ] && tb exec "$h" test -S /run/wireguard/wg0.sock; then
        pass "$h: one wireguard-go, socket in its private /run/wireguard/wg0.sock"
    else
        fail "$h: $n wireguard-go processes; /run/wireguard: $(tb exec "$h" ls /run/wireguard 2>&1 | tr '\n' ' ')"
    fi
done

# ---- handshakes (at most 20 s) and pings --------------------------------------------------
handshakes_with() {   # HOST: peers of HOST's wg0 with a handshake
    tb exec "$1" wg show wg0 latest-handshakes 2>/dev/null | awk '$2 > 0 { n++ } END { print n + 0 }'
}
ok_hs=0
for _ in $(seq 40); do
    [ "$(handshakes_with gw)" -eq 2 ] && { ok_hs=1; break; }
    sleep 0.5
done
if [ "$ok_hs" = 1 ]; then
    pass "gw: handshakes with lan1 and lan2, $(elapsed "$T_UP") s after the first wg-quick up"
else
    fail "gw: $(handshakes_with gw) of 2 handshakes within 20 s"
fi

ping_ok() {   # HOST DST: up to 3 tries, 2 s each
    local _
    for _ in 1 2 3; do
        tb exec "$1" ping -n -q -c 1 -W 2 "$2" >/dev/null 2>&1 && return 0
        sleep 0.3
    done
    return 1
}
for h in "${HOSTS[@]}"; do
    for o in "${HOSTS[@]}"; do
        if ping_ok "$h" "${MESH[$o]}"; then
            pass "$h pings $o's mesh address ${MESH[$o]}"
        else
            fail "$h does not reach $o's mesh address ${MESH[$o]}"
        fi
    done
done

# ---- endpoints -----------------------------------------------------------------------------
endpoint_of() {   # HOST PEER
    tb exec "$1" wg show wg0 endpoints 2>/dev/null | awk -v k="${PUB[$2]}" '$1 == k { print $2 }'
}
for o in lan1 lan2; do
    ep=$(endpoint_of gw "$o")
    if [[ $ep == 198.18.77.1:* ]]; then
        pass "gw sees $o at $ep (the NAT router's address)"
    else
        fail "gw sees $o at '${ep:-none}', expected 198.18.77.1:PORT"
    fi
done
ep=$(endpoint_of lan1 lan2)
if [ "$ep" = "${UNDERLAY[lan2]}:${PORT[lan2]}" ]; then
    pass "lan1 reaches lan2 directly at $ep"
else
    fail "lan1 sees lan2 at '${ep:-none}', expected ${UNDERLAY[lan2]}:${PORT[lan2]}"
fi

# ---- faults --------------------------------------------------------------------------------
if tb rekey lan2 >"$WORK/rekey.log" 2>&1; then
    tb ssh lan2 true >/dev/null 2>"$WORK/err"
    rc=$?
    if [ "$rc" -eq 255 ] && grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$WORK/err" &&
        grep -q "Host key verification failed" "$WORK/err"; then
        pass "after rekey lan2, strict ssh fails: host key changed"
    else
        fail "after rekey lan2, strict ssh gave exit $rc: $(tr '\n' ' ' <"$WORK/err")"
    fi
else
    fail "rekey lan2: $(cat "$WORK/rekey.log")"
fi

if tb stop-sshd lan1 >"$WORK/stop.log" 2>&1; then
    tb ssh lan1 true >/dev/null 2>"$WORK/err"
    rc=$?
    if [ "$rc" -eq 255 ] && grep -q "Connection refused" "$WORK/err"; then
        pass "after stop-sshd lan1, ssh fails: connection refused"
    else
        fail "after stop-sshd lan1, ssh gave exit $rc: $(tr '\n' ' ' <"$WORK/err")"
    fi
    if ping_ok gw "${MESH[lan1]}"; then
        pass "gw still pings lan1's mesh address with lan1's sshd stopped"
    else
        fail "gw lost lan1's mesh address when lan1's sshd stopped"
    fi
else
    fail "stop-sshd lan1: $(cat "$WORK/stop.log")"
fi
if tb start-sshd lan1 >"$WORK/start.log" 2>&1 && tb ssh lan1 true 2>"$WORK/err"; then
    pass "after start-sshd lan1, strict ssh works again"
else
    fail "start-sshd lan1, then ssh: $(cat "$WORK/start.log" "$WORK/err" | tr '\n' ' ')"
fi

# ---- diagnostics ---------------------------------------------------------------------------
if [ "$FAILED" -gt 0 ]; then
    for h in "${HOSTS[@]}"; do
        echo "--- $h: wg show; ip route; sshd.log (tail)"
        {
            tb exec "$h" wg show 2>&1
            tb exec "$h" ip route 2>&1
            tail -n 8 "$SD/hosts/$h/sshd.log" 2>&1
        } | indent
    done
fi

# ---- down ----------------------------------------------------------------------------------
RECORDED_PIDS+=" $(awk '{ print $4, $5 }' "$SD/hosts.txt")"
if tb down >"$WORK/down.log" 2>&1; then
    DOWN_DONE=1
    left=()
    while read -r ns _; do [[ $ns == "$PFX"-* ]] && left+=("namespace $ns"); done < <(ip netns list)
    for p in $RECORDED_PIDS "${WGGO_PIDS[@]+"${WGGO_PIDS[@]}"}"; do
        [[ $p =~ ^[0-9]+$ ]] || continue
        st=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ] && left+=("pid $p")
    done
    [ -e "$SD" ] && left+=("$SD")
    after=$(root_snapshot)
    [ "$after" = "$BEFORE" ] || left+=("changes in /etc/wireguard or /run: $after")
    if [ ${#left[@]} -eq 0 ]; then
        pass "$(tail -n 1 "$WORK/down.log" | sed 's/^testbed: //'); nothing left, /etc/wireguard and /run untouched"
    else
        fail "down left: ${left[*]}"
    fi
else
    fail "testbed down: $(cat "$WORK/down.log")"
fi
if tb down >/dev/null 2>&1; then pass "a second down is a no-op"; else fail "a second down failed"; fi

info "total $(elapsed "$T0") s"
FINISHED=1
echo "testbed self-test: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
