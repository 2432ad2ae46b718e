#!/usr/bin/env bash
# Benchmark: how long a full-tunnel laptop's traffic stops when its active exit goes down
# (target: flowing again within 10 s), and how long the failover watchdog waits before it
# gives the default route back once the exit answers again (the hold-down, and no sooner).
#
#   sudo tests/bench/bench-failover.sh BINARY
#
# The testbed of tests/e2e/failover-scenario.sh: gateways gw1 and gw2 with default routes,
# an "internet" server far (203.0.113.99, routed only by the gateways), and a laptop behind
# the home NAT that sends everything through gw1, then gw2, deployed over SSH; it runs cron
# and no systemd, so the deploy starts its watchdog. Each of BENCH_RUNS rounds (5):
#   - the laptop pings 203.0.113.99 every 0.1 s (ping -D: each reply time-stamped);
#   - gw1's uplink goes down at T0; the outage is the longest time without a reply from then
#     until replies come through gw2;
#   - gw1's uplink comes back at T1; the fail-back is the time from T1 until the watchdog's
#     state says gw1 again (it must be at least the hold-down, BENCH_HOLD_DOWN, 20 s).
# The table shows the median, min and max of each, and whether the target is met.
#
# Exit: 0 every round measured (target met or not), 1 a round failed or setup broke,
# 77 skipped (testbed prerequisites missing).
binary=${1:?usage: bench-failover.sh BINARY}
runs=${BENCH_RUNS:-5}
hold_down=${BENCH_HOLD_DOWN:-20}
. "$(cd "$(dirname "$0")/../e2e" && pwd)/scenario-lib.sh"
. "$(cd "$(dirname "$0")/../e2e" && pwd)/failover-bed.sh"
failover_bed_start bench-failover "$hold_down"
"$testbed" ctl "$state" timeout 240 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
    --accept-new-host-keys > "$work/deploy.out" 2>&1
check "the deploy is confirmed" grep -q '^confirmed: 3 hosts' "$work/deploy.out" || { cat "$work/deploy.out"; exit 1; }

active() { on laptop sed -n 's/^active=//p' /run/meshwright/failover-wg0.state 2>/dev/null; }
now() { date +%s.%N; }
until_true() { # until_true SECONDS CMD...: polls every 0.2 s; false when the time is up
    local end
    end=$(awk -v n="$(now)" -v s="$1" 'BEGIN { printf "%.1f", n + s }')
    shift
    until "$@"; do
        awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n > e) }' && return 1
        sleep 0.2
    done
}
is_active() { [ "$(active)" = "$1" ]; }
until_true 20 is_active gw1 || { bad "the watchdog runs with gw1 active"; exit 1; }

outages=()
failbacks=()
for round in $(seq "$runs"); do
    on laptop sh -c 'exec ping -D -n -i 0.1 -W 1 203.0.113.99' > "$work/ping-$round.log" 2>&1 &
    pinger=$!
    sleep 2
    t0=$(now)
    on gw1 ip link set eth0 down
    if ! until_true 30 is_active gw2; then bad "round $round: the route never moved to gw2"; on laptop pkill -f 'ping -D -n'; break; fi
    sleep 2
    on laptop pkill -f 'ping -D -n -i 0.1 -W 1 203.0.113.99'; wait $pinger 2>/dev/null
    # The outage: the longest stretch without a reply from just before T0 on (a reply in
    # flight at T0 may still arrive; the pings go out every 0.1 s).
    gap=$(awk -v t="$t0" -F'[][]' '/bytes from/ && $2 > t - 0.5 { if (last != "" && $2 - last > g) g = $2 - last; last = $2 }
                                   END { if (last > t) printf "%.2f", g }' "$work/ping-$round.log")
    if [ -z "$gap" ]; then bad "round $round: no reply after gw1 went down"; break; fi
    outages+=("$gap")
    on gw1 ip link set eth0 up
    on gw1 ip route replace default via 198.18.77.1
    on gw1 ip route replace 203.0.113.0/24 via 198.18.77.99
    t1=$(now)
    if ! until_true $((hold_down + 40)) is_active gw1; then bad "round $round: the route never came back to gw1"; break; fi
    failbacks+=("$(awk -v a="$t1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')")
    info "round $round: outage ${outages[-1]} s, fail-back ${failbacks[-1]} s"
    sleep 3
done

stats() { # stats VALUES...: "median min max"
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}
if [ ${#outages[@]} -eq "$runs" ] && [ ${#failbacks[@]} -eq "$runs" ]; then
    read -r om omin omax <<< "$(stats "${outages[@]}")"
    read -r fm fmin fmax <<< "$(stats "${failbacks[@]}")"
    echo
    printf '%-44s %8s %8s %8s  %s\n' "$runs rounds, hold-down $hold_down s" median min max target
    printf '%-44s %7ss %7ss %7ss  %s\n' "outage: gw1 down -> internet through gw2" "$om" "$omin" "$omax" \
        "< 10 s: $(awk -v m="$omax" 'BEGIN { print (m < 10 ? "met" : "NOT met") }')"
    printf '%-44s %7ss %7ss %7ss  %s\n' "fail-back: gw1 up -> route back on gw1" "$fm" "$fmin" "$fmax" \
        ">= $hold_down s: $(awk -v m="$fmin" -v h="$hold_down" 'BEGIN { print (m >= h ? "met" : "NOT met") }')"
    echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
fi
scenario_end
