#!/usr/bin/env bash
# Live status on the SSH testbed: deploys a 6-host mesh (4 LAN hosts behind a NAT router,
# 2 internet gateways) and checks what `meshwright status` reports while a tunnel is taken
# down and brought back and while a host's sshd is stopped; then deploys a 16-host mesh
# and runs the GUI test (tst_guistatus) against it.
#
#   status-scenario.sh MESHWRIGHT [TST_GUISTATUS]
set -uo pipefail
export LC_ALL=C

binary=$1
guitest=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
testbed="$here/testbed.sh"
work=$(mktemp -d /tmp/mw-status.XXXXXX)
state="$work/state"
interval=2
passed=0
failed=0
started=$(date +%s)
watcher=""

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; } # `check ... || diagnose`
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
    [ -n "$watcher" ] && kill "$watcher" 2>/dev/null
    "$testbed" down "$state" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

specs=()
for n in $(seq 1 14); do specs+=("lan$n:home:192.168.77.$((10 + n))"); done
"$testbed" up "$state" "${specs[@]}" gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 > "$work/up.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$work/up.log"
    exit $status # 77: skipped (no root or tools), else a testbed failure
fi
echo "info: testbed of 16 hosts up in $(( $(date +%s) - started )) s"

# Polls run through root's shell on each host; a real host reads its own .bashrc.
"$testbed" mask-bashrc "$state" || exit 1

# write_mesh FILE LAN_COUNT: LAN hosts lan1..lanN and the two gateways, all linked.
write_mesh() {
    {
        echo "network: {ipv4: '10.77.0.0/24'}"
        echo "hosts:"
        for n in $(seq 1 "$2"); do
            cat <<EOT
  lan$n:
    os: Linux
    ssh: {host: '192.168.77.$((10 + n))', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.$((10 + n))'}
    wg0: {ip: '10.77.0.$((10 + n))'}
EOT
        done
        for n in 1 2; do
            cat <<EOT
  gw$n:
    os: Linux
    ssh: {host: '198.18.77.2$n', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.2$n'}
    wg0: {ip: '10.77.0.$((200 + n))'}
EOT
        done
    } > "$1"
}
ctl() { "$testbed" ctl "$state" "$@"; }
project="$work/mesh.yaml"
write_mesh "$project" 4
ctl "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$work/mesh.keys" --accept-new-host-keys \
    > "$work/deploy.log" 2>&1
check "the 6-host mesh is deployed" [ $? -eq 0 ] || tail -20 "$work/deploy.log"

status() { ctl "$binary" status "$project" --known-hosts "$state/known_hosts" --keys "$work/mesh.keys" "$@"; }

# --- every link alive within 30 s ---------------------------------------------------------
t0=$(now)
alive=0
for _ in $(seq 1 15); do
    status --json --interval $interval > "$work/status.json" 2> "$work/status.err"
    rc=$?
    alive=$(grep -c '"state": "alive"' "$work/status.json")
    [ $rc -eq 0 ] && [ "$alive" -eq 15 ] && break
    sleep 1
done
check "status --json: all 15 links alive, exit 0, within 30 s ($(since "$t0") s)" \
    sh -c "[ $rc -eq 0 ] && [ $alive -eq 15 ] && [ \$(awk -v a=$t0 -v b=$(now) 'BEGIN { print (b - a <= 30) }') = 1 ]" ||
    { cat "$work/status.err"; head -40 "$work/status.json"; }
check "status --json: both ends' views, with ages and endpoints" \
    sh -c "[ \$(grep -c '\"latestHandshakeAge\": [0-9]' '$work/status.json') -eq 30 ] && grep -q '\"endpoint\": \"192.168.77.12:' '$work/status.json'"
check "status --json never carries a key" sh -c "! grep -qE '[A-Za-z0-9+/]{43}=' '$work/status.json'"
status --interval $interval > "$work/table.txt" 2>&1
check "status: the table says every link that should be up is alive" \
    grep -q '^15 links: 15 alive; every link that should be up is alive' "$work/table.txt" || cat "$work/table.txt"

# --- a watch across faults ----------------------------------------------------------------
# round_after T PATTERN: the time of the first round (a "--- time" block) printed after T
# whose text matches PATTERN (grep -E over the whole round); empty when none yet.
watchlog="$work/watch.log"
# testbed.sh ctl execs into timeout, so $! is timeout's pid, and timeout hands SIGINT on.
"$testbed" ctl "$state" timeout -s INT 120 "$binary" status "$project" --known-hosts "$state/known_hosts" --keys "$work/mesh.keys" \
    --watch --interval $interval > "$watchlog" 2>&1 &
watcher=$!
# Rounds start with "--- yyyy-MM-dd HH:mm:ss.zzz" (local time).
# round_time T PATTERN [EXCLUDE]: the epoch time of the first round printed after T whose
# text matches PATTERN (and not EXCLUDE); empty when there is none yet.
round_time() {
    local t=$1 pattern=$2 exclude=${3:-^\$^} when matched e
    awk -v pattern="$pattern" -v exclude="$exclude" '
        function flush() { if (when != "") print when "\t" (text ~ pattern && text !~ exclude ? 1 : 0) }
        /^--- / { flush(); when = substr($0, 5); text = ""; next }
        { text = text "\n" $0 }
        END { flush() }' "$watchlog" | while IFS=$'\t' read -r when matched; do
        [ "$matched" = 1 ] || continue
        e=$(date -d "$when" +%s.%N)
        awk -v a="$t" -v b="$e" 'BEGIN { exit !(b > a) }' && { echo "$e"; break; }
    done
}
# wait_round T SECONDS PATTERN [EXCLUDE]: waits for such a round; prints the seconds from T to it.
wait_round() {
    local t=$1 limit=$2 e
    shift 2
    for _ in $(seq 1 $((limit * 5))); do
        e=$(round_time "$t" "$@")
        [ -n "$e" ] && { awk -v a="$t" -v b="$e" 'BEGIN { printf "%.1f", b - a }'; return 0; }
        sleep 0.2
    done
    return 1
}
healthy='every link that should be up is alive'
# lan2's five links down, in file order, and no other link needing attention.
lan2_down='lan1 +lan2 +down !.*lan2 +lan3 +down !.*lan2 +lan4 +down !.*lan2 +gw1 +down !.*lan2 +gw2 +down !.*15 links: .*(alive|idle), 5 down; links marked'
wait_round "$(now)" 30 "$healthy" > /dev/null
check "status --watch: a round with every link healthy" [ $? -eq 0 ] || tail -30 "$watchlog"

t_down=$(now)
"$testbed" exec "$state" lan2 wg-quick down wg0 > /dev/null 2>&1
if took=$(wait_round "$t_down" 20 "$lan2_down"); then
    ok "wg-quick down on lan2: its 5 links down, the other 10 fine, shown in $took s (interval $interval s)"
else
    bad "wg-quick down on lan2: its links never showed down"
    tail -40 "$watchlog"
fi

t_up=$(now)
"$testbed" exec "$state" lan2 wg-quick up wg0 > /dev/null 2>&1
for a in 10.77.0.11 10.77.0.13 10.77.0.14 10.77.0.201 10.77.0.202; do # traffic brings handshakes
    "$testbed" exec "$state" lan2 ping -c 1 -W 2 "$a" > /dev/null 2>&1 &
done
wait_pings() { local p; for p in $(jobs -p); do [ "$p" = "$watcher" ] || wait "$p"; done; }
wait_pings
if took=$(wait_round "$t_up" 30 "$healthy"); then
    ok "wg-quick up on lan2 (and traffic): every link healthy again in $took s"
else
    bad "wg-quick up on lan2: the links did not come back"
    tail -40 "$watchlog"
fi

t_ssh=$(now)
"$testbed" stop-sshd "$state" lan3 > /dev/null
if took=$(wait_round "$t_ssh" 20 "lan3: unreachable [(].*$healthy"); then
    ok "sshd of lan3 stopped: lan3 unreachable, its links judged from the other ends, shown in $took s (interval $interval s)"
else
    bad "sshd of lan3 stopped: not reported unreachable with its links judged from the peers"
    tail -40 "$watchlog"
fi
check "lan3's ends show as unreachable in the table" sh -c "tail -30 '$watchlog' | grep -qE '^lan3 +lan4 +(alive|idle) +unreachable +[0-9]+ (s|min) ago'"
t_back=$(now)
"$testbed" start-sshd "$state" lan3 > /dev/null
# The poller retries after 1, 2, 4 ... intervals: back within about 8 intervals.
if took=$(wait_round "$t_back" 40 "$healthy" 'lan3: unreachable'); then
    ok "sshd of lan3 started again: polled again, shown in $took s"
else
    bad "lan3 stays unreachable after its sshd is back"
    tail -30 "$watchlog"
fi
kill -INT "$watcher"
wait "$watcher"
watch_rc=$?
watcher=""
check "status --watch ends on SIGINT with the last round's status (0: $watch_rc)" [ $watch_rc -eq 0 ]

# An unknown host key is refused, never accepted.
: > "$work/empty_known_hosts"
ctl "$binary" status "$project" --known-hosts "$work/empty_known_hosts" --keys "$work/mesh.keys" --interval $interval \
    > "$work/unknown.txt" 2>&1
unknown_rc=$?
check "status with an empty known_hosts: exit 1, every host refused for its unknown key, the file untouched" \
    sh -c "[ $unknown_rc -eq 1 ] && [ \$(grep -c 'unreachable (unknown host key' '$work/unknown.txt') -eq 6 ] && [ ! -s '$work/empty_known_hosts' ]" ||
    cat "$work/unknown.txt"

# --- the GUI, polling 16 hosts ------------------------------------------------------------
if [ -n "$guitest" ]; then
    big="$work/mesh16.yaml"
    write_mesh "$big" 14
    cp -p "$work/mesh.keys" "$work/mesh16.keys" # beside the project, where the window looks
    ctl "$binary" deploy "$big" --known-hosts "$state/known_hosts" --accept-new-host-keys \
        --jobs 16 > "$work/deploy16.log" 2>&1
    check "the 16-host mesh is deployed" [ $? -eq 0 ] || tail -20 "$work/deploy16.log"
    ctl env QT_QPA_PLATFORM=offscreen MESHWRIGHT_E2E_PROJECT="$big" MESHWRIGHT_E2E_SCREENSHOTS="${MESHWRIGHT_E2E_SCREENSHOTS:-}" \
        MESHWRIGHT_E2E_KNOWN_HOSTS="$state/known_hosts" MESHWRIGHT_E2E_TESTBED="$testbed" MESHWRIGHT_E2E_STATE="$state" \
        "$guitest" > "$work/gui.log" 2>&1
    gui_status=$?
    check "the GUI test against 16 hosts passes" [ $gui_status -eq 0 ] || tail -30 "$work/gui.log"
    grep -E "^(QINFO|QWARN)" "$work/gui.log" | sed "s/^/info: /"
fi

echo "info: total $(( $(date +%s) - started )) s"
echo "status scenario: $passed passed, $failed failed"
[ $failed -eq 0 ]
