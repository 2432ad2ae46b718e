#!/usr/bin/env bash
# Benchmark: what live status costs the application while it polls 32 testbed hosts.
# Target: polling 32 hosts every 5 s costs under 5% of one core, and memory does not
# grow over 10 minutes.
#
#   sudo tests/bench/bench-status.sh MESHWRIGHT BENCH_STATUS [MINUTES]
#
# Builds a testbed of 32 LAN hosts (h01..h32, a full mesh of 496 links), deploys it with
# `meshwright deploy`, then runs bench_status in the controller: the main window with
# Live Status on (the SSH poller), CPU time and resident memory printed every minute for
# MINUTES (default 10). BENCH_HOSTS and BENCH_INTERVAL change the 32 and the 5 s;
# BENCH_WRAP runs bench_status under a tool (BENCH_WRAP="heaptrack -o /tmp/status").
# Memory: glibc gives each of the poller's threads a cache of freed blocks (tcache), which
# fills over the first minutes and shows as slowly rising heap and RSS; run with
# GLIBC_TUNABLES=glibc.malloc.tcache_count=0 to see the program's own heap alone.
# Exit: 0 the run completed (whether the targets are met or not), 1 setup or run failed,
# 2 usage, 77 skipped (testbed prerequisites missing).
set -uo pipefail
export LC_ALL=C

if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: $0 MESHWRIGHT BENCH_STATUS [MINUTES]" >&2
    exit 2
fi
binary=$(realpath "$1")
bench=$(realpath "$2")
minutes=${3:-10}
hosts=${BENCH_HOSTS:-32}
interval=${BENCH_INTERVAL:-5}
here=$(cd "$(dirname "$0")" && pwd)
testbed=$(realpath "$here/../e2e/testbed.sh")
work=$(mktemp -d /tmp/mw-bench-status.XXXXXX)
state="$work/state"
project="$work/mesh.yaml"

cleanup() {
    "$testbed" down "$state" >/dev/null 2>&1 || "$testbed" down "$state" >&2
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

name() { printf 'h%02d' "$1"; }
specs=()
for i in $(seq 1 "$hosts"); do specs+=("$(name "$i"):home:192.168.77.$((100 + i))"); done
"$testbed" up "$state" "${specs[@]}" > "$work/up.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$work/up.log"
    exit $status
fi
"$testbed" mask-bashrc "$state" || exit 1
{
    echo "network: {ipv4: '10.77.1.0/24'}"
    echo "hosts:"
    for i in $(seq 1 "$hosts"); do
        cat <<EOT
  $(name "$i"):
    os: Linux
    ssh: {host: '192.168.77.$((100 + i))', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.$((100 + i))'}
    wg0: {ip: '10.77.1.$i'}
EOT
    done
} > "$project"
if ! "$testbed" ctl "$state" "$binary" deploy "$project" --known-hosts "$state/known_hosts" --jobs 16 > "$work/deploy.log" 2>&1; then
    echo "the deploy failed:" >&2
    tail -20 "$work/deploy.log" >&2
    exit 1
fi
echo "testbed: $hosts hosts deployed; $(nproc) CPUs; polling every $interval s for $minutes min"
read -r -a wrap <<<"${BENCH_WRAP:-}"
"$testbed" ctl "$state" env QT_QPA_PLATFORM=offscreen "${wrap[@]}" "$bench" "$project" "$state/known_hosts" \
    --interval "$interval" --minutes "$minutes"
