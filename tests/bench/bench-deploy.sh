#!/usr/bin/env bash
# Benchmark: wall time of `meshwright deploy` for 1, 8 and 16 hosts on the SSH testbed
# (tests/e2e/testbed.sh). Target: 16 hosts in under 2x the wall time of 1 host. The hosts
# share this machine's CPUs, so the report also gives each size's CPU floor (all the CPU
# time the run used, the hosts' included, spread over every CPU): when a size's wall time
# sits at its floor, the hosts' own work is what is left, and on a fleet of real machines
# that work runs in parallel on theirs.
#
#   sudo tests/bench/bench-deploy.sh BINARY
#
# One testbed: 16 LAN hosts h01..h16 (192.168.77.101..116, a full mesh over the LAN) and
# one internet gateway g1 (198.18.77.21), which every LAN host reaches through the NAT
# router with a keepalive. A warm-up deploy of every host brings the tunnels up. Then,
# for each size N, every round sets `defaults: {keepalive: K}` to a new K (this changes
# each LAN host's peer section for g1, and nothing else) and times
# `meshwright deploy --hosts h01..hN,g1 --jobs 16`: one transaction in which the N LAN hosts
# switch, g1 takes part unchanged, and every link between them (N to g1, N(N-1)/2 among the
# LAN hosts) is verified by a ping before all are confirmed. Each size runs BENCH_RUNS
# times (3); the table shows the median, min and max, and the ratio of the medians 16/1.
#
# Every line the deploy prints is time-stamped as it arrives, so the script also shows
# how long each host spends in each step (the median and the max over all hosts of all
# runs of a size).
#
# The testbed's hosts are namespaces on one machine: the deployer reaches them in
# microseconds, and their work shares this machine's CPUs. So every size runs twice: once
# as the testbed is ("round trip 0 ms"), and once with every SSH connection through a relay
# that holds each byte for half of BENCH_RTT_MS in each direction (delay-proxy.py; the
# kernel here has no netem), as a fleet of machines on a network has. The first table shows
# how the deployer's work and the hosts' work share two CPUs; the second, whether the
# deployer keeps every host's round trips in flight at once, which is what the target is
# about. The tunnels' own traffic (the verification pings) is not delayed.
#
# Environment: BENCH_SIZES (default "1 8 16"; the largest is the number of LAN hosts),
# BENCH_RUNS (default 3), BENCH_JOBS (default 16), BENCH_RTT_MS (default "0 40": one table
# per round-trip time, 0 for none), BENCH_KEEP_LOGS=1 keeps the work folder,
# BENCH_HOST_BASHRC=keep lets the hosts read this machine's root .bashrc (see below).
# Exit: 0 all runs succeeded (whether the target is met or not), 1 a run failed or setup
# broke, 2 usage, 77 skipped (testbed prerequisites missing).
set -uo pipefail
export LC_ALL=C

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 BINARY   (BINARY: the meshwright executable)" >&2
    exit 2
fi
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
testbed=$(realpath "$here/../e2e/testbed.sh")
read -r -a sizes <<<"${BENCH_SIZES:-1 8 16}"
read -r -a rtts <<<"${BENCH_RTT_MS:-0 40}"
runs=${BENCH_RUNS:-3}
jobs=${BENCH_JOBS:-16}
hosts=0
for n in "${sizes[@]}"; do [ "$n" -gt "$hosts" ] && hosts=$n; done
if [ "$hosts" -lt 1 ] || [ "$hosts" -gt 99 ]; then echo "BENCH_SIZES: sizes from 1 to 99" >&2; exit 2; fi
for rtt in "${rtts[@]}"; do
    case "$rtt" in ''|*[!0-9]*) echo "BENCH_RTT_MS: whole milliseconds" >&2; exit 2 ;; esac
done
python=$(command -v python3 || true)
for rtt in "${rtts[@]}"; do
    if [ "$rtt" -gt 0 ] && [ -z "$python" ]; then
        echo "BENCH_RTT_MS=$rtt needs python3 for the relays (apt-get install python3), or BENCH_RTT_MS=0" >&2
        exit 77
    fi
done

work=$(mktemp -d /tmp/mw-bench.XXXXXX)
state="$work/state"
project="$work/mesh.yaml"
keys="$work/mesh.keys"
# Per round-trip time: steps-RTT.tsv (size, step, seconds: one line per host per step per
# run) and times-RTT.tsv (size and the figures of one successful run per line).
steps=
times=
relay=
failures=0
started=$(date +%s.%N)

cleanup() {
    stop_relays
    "$testbed" down "$state" >/dev/null 2>&1 || "$testbed" down "$state" >&2
    if [ "${BENCH_KEEP_LOGS:-}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

name() { printf 'h%02d' "$1"; }

# The relays: LAN host i on 127.0.0.1:(20000 + i), g1 on 127.0.0.1:20000, inside the
# controller's namespace, where the deployer runs.
relay_port() { if [ "$1" = g1 ]; then echo 20000; else echo $((20000 + 10#${1#h})); fi; }
start_relays() { # RTT_MS
    local specs=() h ready="$work/relay.ready"
    for h in "${all[@]}"; do specs+=("$(relay_port "$h"):$(host_ip "$h"):22"); done
    rm -f "$ready"
    "$testbed" ctl "$state" "$python" "$here/delay-proxy.py" "$(awk -v r="$1" 'BEGIN { print r / 2 }')" "$ready" \
        "${specs[@]}" 2>"$work/relay.log" &
    relay=$!
    for _ in $(seq 1 50); do [ -f "$ready" ] && return 0; kill -0 "$relay" 2>/dev/null || break; sleep 0.1; done
    echo "the relays did not start:" >&2
    cat "$work/relay.log" >&2
    return 1
}
stop_relays() { if [ -n "$relay" ]; then kill "$relay" 2>/dev/null; wait "$relay" 2>/dev/null; relay=; fi; }
host_ip() { if [ "$1" = g1 ]; then echo 198.18.77.21; else echo "192.168.77.$((100 + 10#${1#h}))"; fi; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- the testbed ------------------------------------------------------------------------
specs=()
all=()
for i in $(seq 1 "$hosts"); do
    all+=("$(name "$i")")
    specs+=("$(name "$i"):home:192.168.77.$((100 + i))")
done
all+=(g1)
specs+=(g1:internet:198.18.77.21)
"$testbed" up "$state" "${specs[@]}" >"$work/up.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$work/up.log"
    exit $status # 77: skipped (no root or tools), else a testbed failure
fi
echo "testbed: $hosts LAN hosts + g1 up in $(since "$started") s ($(nproc) CPUs)"

# The testbed's known hosts, and each host's key again under its relay's address.
(
    umask 077
    cat "$state/known_hosts"
    for h in "${all[@]}"; do
        awk -v ip="$(host_ip "$h")" -v at="[127.0.0.1]:$(relay_port "$h")" '$1 == ip { $1 = at; print }' "$state/known_hosts"
    done
) >"$work/known_hosts"

# The hosts share this machine's home folders, and Debian's bash reads ~/.bashrc for every
# command sshd runs, so each command the deploy sends would pay for whatever the local
# root's .bashrc does (pyenv init, say: ~30 ms of CPU a command, on CPUs every host
# shares). A real host runs its own. Unless BENCH_HOST_BASHRC=keep, an empty file is
# bind-mounted over it inside each host's private mount namespace (nothing changes
# outside the testbed; `down` removes the namespaces).
rootrc="$(getent passwd root | cut -d: -f6)/.bashrc"
if [ "${BENCH_HOST_BASHRC:-}" != keep ] && [ -f "$rootrc" ]; then
    : >"$work/empty-bashrc"
    for h in "${all[@]}"; do
        "$testbed" exec "$state" "$h" mount --bind "$work/empty-bashrc" "$rootrc" ||
            { echo "cannot mask $rootrc on $h" >&2; exit 1; }
    done
    echo "hosts: $rootrc masked by an empty file inside each host (BENCH_HOST_BASHRC=keep keeps it)"
else
    echo "hosts: $rootrc as on this machine"
fi

# write_project KEEPALIVE [relayed]: "relayed" points every host's ssh at its relay
write_project() {
    ssh_at() { if [ "${2:-}" = relayed ]; then echo "host: 127.0.0.1, port: $(relay_port "$1")"; else echo "host: '$(host_ip "$1")'"; fi; }
    {
        echo "network: {ipv4: '10.77.1.0/24'}"
        echo "defaults: {keepalive: $1}"
        echo "hosts:"
        for i in $(seq 1 "$hosts"); do
            cat <<EOF
  $(name "$i"):
    os: Linux
    ssh: {$(ssh_at "$(name "$i")" "${2:-}"), user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.$((100 + i))'}
    wg0: {ip: '10.77.1.$i'}
EOF
        done
        cat <<EOF
  g1:
    os: Linux
    ssh: {$(ssh_at g1 "${2:-}"), user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.21'}
    wg0: {ip: '10.77.1.254'}
EOF
    } >"$project"
}

# stamp: every line prefixed with the time it arrived (seconds since the epoch)
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# CPU accounting, in clock ticks. system_ticks: "busy total" over every CPU of the
# machine (includes whatever else runs on it). hosts_ticks: what the testbed hosts' sshd
# processes and everything they ran and reaped (the deploy's remote commands: sh, wg,
# wg-quick, ...) used. The deployer's own CPU comes from bash's `time`.
tck=$(getconf CLK_TCK)
system_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat; }
hosts_ticks() {
    local f pid st sum=0
    for f in "$state"/hosts/*/sshd.pid; do
        read -r pid st <"$f" 2>/dev/null || continue
        [ "$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $20 }')" = "$st" ] || continue
        sum=$((sum + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
    done
    echo "$sum"
}

# settle_hosts: waits (up to 3 s) until no testbed sshd has a session process left
settle_hosts() {
    local f pid st busy
    for _ in $(seq 1 30); do
        busy=0
        for f in "$state"/hosts/*/sshd.pid; do
            read -r pid st <"$f" 2>/dev/null || continue
            [ -n "$(cat /proc/"$pid"/task/*/children 2>/dev/null)" ] && busy=1
        done
        [ $busy -eq 0 ] && return
        sleep 0.1
    done
}

# deploy LOG [ARGS...]: runs the deploy from the controller; sets RC, T0, T1, WALL and
# BUSY (machine CPU busy, % of all CPUs), SYS_CPU, DEPLOYER_CPU, HOSTS_CPU (CPU seconds).
deploy() {
    local log=$1 b0 a0 b1 a1 h0 h1 tf
    shift
    tf="$log.cpu"
    h0=$(hosts_ticks)
    read -r b0 a0 < <(system_ticks)
    T0=$(date +%s.%N)
    {
        TIMEFORMAT='%3U %3S'
        time timeout 180 "$testbed" ctl "$state" "$binary" deploy "$project" --known-hosts "$work/known_hosts" \
            --keys "$keys" "$@" 2>&1 | stamp >"$log"
        RC=${PIPESTATUS[0]}
    } 2>"$tf"
    T1=$(date +%s.%N)
    read -r b1 a1 < <(system_ticks)
    # A session's CPU reaches its sshd when the session ends, and through a relay the end
    # of a connection arrives after the deployer has exited: wait for every session.
    settle_hosts
    h1=$(hosts_ticks)
    WALL=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.3f", b - a }')
    BUSY=$(awk -v b="$((b1 - b0))" -v a="$((a1 - a0))" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')
    SYS_CPU=$(awk -v b="$((b1 - b0))" -v t="$tck" 'BEGIN { printf "%.2f", b / t }')
    HOSTS_CPU=$(awk -v b="$((h1 - h0))" -v t="$tck" 'BEGIN { printf "%.2f", b / t }')
    DEPLOYER_CPU=$(awk 'END { printf "%.2f", $1 + $2 }' "$tf")
}

# updated_hosts LOG: the hosts the final table reports as updated
updated_hosts() { awk '$2 ~ /^(h[0-9][0-9]|g1)$/ && $3 == "updated" { print $2 }' "$1" | sort; }

# show_failure LOG EXPECTED...: the deploy's lines for every expected host not updated
show_failure() {
    local log=$1 h
    shift
    echo "  exit status $RC; lines of the hosts that did not end updated:"
    for h in "$@"; do
        grep -qE "^[0-9.]+ $h +updated " "$log" && continue
        grep -E "^[0-9.]+ $h(:| )" "$log" | sed 's/^/    /'
    done
    grep -E '^[0-9.]+ (error|warning|meshwright):' "$log" | sed 's/^/    /' | head -n 20
}

# record_steps LOG SIZE: per host, the time from one progress line to the next ("queued":
# deploy start to the host's first line); per phase of the transaction, from its line to the
# next phase's ("exit": the last phase line to the deploy's exit).
record_steps() {
    awk -v size="$2" -v t0="$T0" -v t1="$T1" '
        $2 == "phase:" {
            if (phase != "") printf "%s\tphase %s\t%.3f\n", size, phase, $1 - at
            phase = $3; if (phase == "roll" || phase == "verify" && $4 == "previous") phase = $3 "-" $4
            at = $1
        }
        $2 ~ /^(h[0-9][0-9]|g1):$/ {
            h = substr($2, 1, length($2) - 1)
            rest = $0; sub(/^[^ ]+ [^ ]+ /, "", rest)
            if (rest ~ /^(updated|unchanged|failed|rolled back|cancelled) \(/) {
                label = "result"
            } else {
                label = rest
                sub(/ [0-9.]+$/, "", label) # "connect 192.168.77.101"
                sub(/ (wg syncconf, routes|restart)$/, "", label)
            }
            if (!(h in last)) printf "%s\tqueued\t%.3f\n", size, $1 - t0
            else printf "%s\t%s\t%.3f\n", size, step[h], $1 - last[h]
            last[h] = $1; step[h] = label
            if (label == "result" && $1 > end) end = $1
        }
        END { if (phase != "") printf "%s\tphase %s\t%.3f\n", size, phase, t1 - at }
    ' "$1" >>"$steps"
}

# stats: reads numbers, prints "count median min max"
stats() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) { print 0, "-", "-", "-"; exit }
        m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%d %.2f %.2f %.2f\n", NR, m, a[1], a[NR] }'
}

# --- warm-up: every host, tunnels up ----------------------------------------------------
keepalive=20
write_project $keepalive
deploy "$work/warmup.log"
got=$(updated_hosts "$work/warmup.log" | wc -l)
if [ "$RC" -ne 0 ] || [ "$got" -ne ${#all[@]} ]; then
    echo "FAIL: the warm-up deploy of ${#all[@]} hosts ($got updated, ${WALL} s)"
    show_failure "$work/warmup.log" "${all[@]}"
    exit 1
fi
echo "warm-up: ${#all[@]} hosts deployed, tunnels up, in ${WALL} s"

read -r b0 a0 < <(system_ticks)
sleep 2
read -r b1 a1 < <(system_ticks)
echo "background: machine CPU $(awk -v b="$((b1 - b0))" -v a="$((a1 - a0))" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')% busy over 2 s before the rounds"

# --- the timed rounds, then their report, per round-trip time -----------------------------
# rounds RTT: every size, BENCH_RUNS times; fills times-RTT.tsv and steps-RTT.tsv
rounds() {
    local rtt=$1 mode= n r i sel list want log got
    times="$work/times-$rtt.tsv"
    steps="$work/steps-$rtt.tsv"
    : >"$times"
    : >"$steps"
    if [ "$rtt" -gt 0 ]; then
        mode=relayed
        start_relays "$rtt" || { failures=$((failures + 1)); return; }
    fi
    for n in "${sizes[@]}"; do
        sel=()
        for i in $(seq 1 "$n"); do sel+=("$(name "$i")"); done
        list=$(IFS=,; echo "${sel[*]}")
        want=$(printf '%s\n' "${sel[@]}" | sort)
        for r in $(seq 1 "$runs"); do
            keepalive=$((keepalive + 1))
            write_project $keepalive $mode
            log="$work/rtt$rtt-n$n-r$r.log"
            deploy "$log" --hosts "$list,g1" --jobs "$jobs"
            got=$(updated_hosts "$log")
            if [ "$RC" -eq 0 ] && [ "$got" = "$want" ]; then
                echo "$n $WALL $BUSY $SYS_CPU $DEPLOYER_CPU $HOSTS_CPU" >>"$times"
                record_steps "$log" "$n"
                echo "run: round trip $rtt ms, $n host(s), round $r: ${WALL} s (keepalive $keepalive; CPU: machine ${BUSY}% busy," \
                    "${SYS_CPU} s in all, deployer ${DEPLOYER_CPU} s, hosts ${HOSTS_CPU} s)"
            else
                failures=$((failures + 1))
                echo "FAIL: round trip $rtt ms, $n host(s), round $r: ${WALL} s, exit $RC, $(printf '%s\n' "$got" | grep -c .) of $n updated"
                show_failure "$log" "${sel[@]}"
            fi
        done
    done
    stop_relays
}

# report RTT
report() {
    local rtt=$1 n count med min max first lastsize ratio verdict hs per floor s
    times="$work/times-$rtt.tsv"
    steps="$work/steps-$rtt.tsv"
    echo
    if [ "$rtt" -gt 0 ]; then
        echo "== round trip $rtt ms: every SSH connection through a relay ($((rtt / 2)) ms each way)"
    else
        echo "== round trip 0 ms: the testbed as it is, the hosts' work on this machine's CPUs"
    fi
    printf '%-6s %-6s %-9s %-7s %-7s\n' hosts runs "median s" "min s" "max s"
    for n in "${sizes[@]}"; do
        read -r count med min max < <(awk -v n="$n" '$1 == n { print $2 }' "$times" | stats)
        median[$n]=$med
        printf '%-6s %-6s %-9s %-7s %-7s\n' "$n" "$count/$runs" "$med" "$min" "$max"
    done
    first=${sizes[0]}
    lastsize=${sizes[${#sizes[@]} - 1]}
    if [ "${median[$first]}" != - ] && [ "${median[$lastsize]}" != - ]; then
        ratio=$(awk -v a="${median[$lastsize]}" -v b="${median[$first]}" 'BEGIN { printf "%.2f", a / b }')
        verdict=$(awk -v r="$ratio" 'BEGIN { print ((r < 2.0) ? "met" : "missed") }')
        echo "ratio $lastsize/$first: $ratio (target < 2.0: $verdict)"
    else
        echo "ratio $lastsize/$first: - (target < 2.0: not measured, runs failed)"
    fi

    echo
    echo "CPU per run, medians ($(nproc) CPUs; machine: every process on it, including anything"
    echo "else running; hosts: the testbed sshds and the remote commands they ran). floor: the"
    echo "machine CPU of the run spread over every CPU, the least wall time any schedule could"
    echo "take here; the hosts' share of it would run on their own machines in a real fleet"
    printf '%-6s %-10s %-13s %-11s %-9s %-9s %-8s %-8s\n' hosts "busy %" "machine CPU s" "deployer s" "hosts s" "per host" "floor s" "wall s"
    for n in "${sizes[@]}"; do
        col() { awk -v n="$n" -v c="$1" '$1 == n { print $c }' "$times" | stats | awk '{ print $2 }'; }
        hs=$(col 6)
        per=$(awk -v h="$hs" -v n="$n" 'BEGIN { if (h == "-") print "-"; else printf "%.2f", h / n }')
        floor=$(awk -v m="$(col 4)" -v c="$(nproc)" 'BEGIN { if (m == "-") print "-"; else printf "%.2f", m / c }')
        printf '%-6s %-10s %-13s %-11s %-9s %-9s %-8s %-8s\n' "$n" "$(col 3 | sed 's/\.00$//')" "$(col 4)" "$(col 5)" "$hs" "$per" \
            "$floor" "${median[$n]}"
    done

    echo
    echo "per phase of the transaction and per host and step, median / max seconds over every"
    echo "run (a phase lasts until the next phase's line, the last one until the deploy's exit)"
    echo "and every host of every run (a step lasts until the host's next line; queued: deploy"
    echo "start to the host's first line)"
    printf '%-20s' step
    for n in "${sizes[@]}"; do printf ' %-14s' "$n host(s)"; done
    echo
    for s in "phase prepare" "phase switch" "phase verify" "phase confirm" "phase roll-back" "phase verify-previous" \
        queued connect "read current config" upload "validate on host" "arm rollback" install reload confirm "roll back"; do
        grep -q "	$s	" "$steps" || continue
        printf '%-20s' "$s"
        for n in "${sizes[@]}"; do
            read -r count med _ max < <(awk -F'\t' -v n="$n" -v s="$s" '$1 == n && $2 == s { print $3 }' "$steps" | stats)
            if [ "$count" -eq 0 ]; then printf ' %-14s' -; else printf ' %-14s' "$med / $max"; fi
        done
        echo
    done
}

declare -A median=()
for rtt in "${rtts[@]}"; do rounds "$rtt"; done
for rtt in "${rtts[@]}"; do report "$rtt"; done

echo
echo "total $(since "$started") s"
[ "$failures" -eq 0 ]
