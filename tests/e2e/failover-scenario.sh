#!/usr/bin/env bash
# Failover and re-resolution on the SSH testbed. A Linux laptop behind the home NAT sends all
# its traffic through two internet gateways, which it dials by DNS name (names in the laptop's
# own /etc/hosts). The laptop has no systemd: cron runs Meshwright's jobs, as on any Linux
# without it, and the deploy starts the failover watchdog at once.
#
#   1. The deploy installs the watchdog and the re-resolve job; gw1 holds the default route.
#   2. gw1's uplink goes down: the watchdog gives the default route to gw2, and the laptop's
#      traffic reaches the "internet" again (the time it took is printed, not asserted);
#      wg-quick's policy rules and table are the same before and after.
#   3. gw1 answers now and then (up 2 s, down 3 s): the route stays on gw2.
#   4. gw1 answers steadily: the route goes back only after the hold-down; a deploy after
#      that changes nothing, a change of the jobs alone restarts no interface, and a deploy
#      that fails is rolled back with the jobs as they were.
#   5. gw2 moves to a new address and its name with it. The NAT in front of the laptop drops
#      what gw2 sends from its new address, so only the laptop can repair the tunnel: its
#      re-resolve job sets the endpoint again once the handshake is older than 135 s, and
#      the tunnel comes back by itself. A peer with a fresh handshake is never re-set.
#
#   failover-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "failover scenario: N passed, M failed".
binary=${1:?usage: failover-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
. "$(cd "$(dirname "$0")" && pwd)/failover-bed.sh"
hold_down=20
failover_bed_start failover $hold_down
# The laptop finds the gateways by name.
on laptop sh -c 'printf "198.18.77.21 gw1.mesh.test\n198.18.77.22 gw2.mesh.test\n" >> /etc/hosts' ||
    { echo "FAIL: setting up the laptop's names"; exit 1; }
cat >> "$project" <<EOF
links:
  - hosts: [laptop, gw1]
    endpoint: {gw1: 'gw1.mesh.test:56709'}
  - hosts: [laptop, gw2]
    endpoint: {gw2: 'gw2.mesh.test:56709'}
EOF

deploy() { # deploy NAME [OPTION...]: deploys the project, output in $work/NAME.out
    local name=$1
    shift
    "$testbed" ctl "$state" timeout 240 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys "$@" > "$work/$name.out" 2>&1
}
key_of() { "$binary" keys list "$project" --keys "$keys" 2>&1 | grep -v pending | grep -E "^$1[: ]" | grep -oE '[A-Za-z0-9+/]{43}=' | head -n 1; }
holder() { # the gateway whose peer holds the laptop's default route, or "none"
    local ips
    ips=$(on laptop wg show wg0 allowed-ips 2>/dev/null)
    for gw in gw1 gw2; do
        printf '%s\n' "$ips" | awk -v k="$(key_of $gw)" '$1 == k' | grep -q '0\.0\.0\.0/0' && { echo $gw; return; }
    done
    echo none
}
state_of() { on laptop cat /run/meshwright/failover-wg0.state 2>/dev/null; }
reaches() { on laptop ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
wait_for() { # wait_for SECONDS CMD...: polls CMD every half second; $waited: the seconds it took
    local limit=$1 start now
    shift
    start=$(date +%s.%N)
    while :; do
        if "$@"; then now=$(date +%s.%N); waited=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }'); return 0; fi
        now=$(date +%s.%N)
        awk -v a="$start" -v b="$now" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && return 1
        sleep 0.5
    done
}
policy() { on laptop sh -c 'ip rule show; ip route show table 51820'; }
resets() { # resets GW: how many times the laptop's job has set GW's endpoint again
    on laptop cat /run/meshwright/reresolve-wg0.log 2>/dev/null | grep -c " $1: resolved " || true
}

# --- 1. Deploy: the watchdog and the re-resolve job ------------------------------------------
deploy first
check "first deploy: confirmed, all three hosts" grep -q '^confirmed: 3 hosts' "$work/first.out"
check "the laptop got its exits and endpoints lists" on laptop test -s /etc/meshwright/wg0.exits -a -s /etc/meshwright/wg0.endpoints
check "and its cron lines" on laptop grep -q 'reresolve wg0' /etc/cron.d/meshwright
check "the watchdog runs and says gw1 is active" wait_for 20 sh -c "'$testbed' exec '$state' laptop cat /run/meshwright/failover-wg0.state 2>/dev/null | grep -qx active=gw1"
check "gw1 holds the default route" [ "$(holder)" = gw1 ]
check "laptop -> the internet through gw1" wait_for 10 reaches 203.0.113.99
policy_before=$(policy)

# --- 2. gw1 goes down --------------------------------------------------------------------------
on gw1 ip link set eth0 down
if wait_for 30 reaches 203.0.113.99; then
    ok "gw1 down: the laptop reaches the internet again, through gw2"
    info "failover: traffic flowed again ${waited} s after gw1's uplink went down"
else
    bad "gw1 down: the laptop reaches the internet again, through gw2"
fi
check "gw2 holds the default route now" [ "$(holder)" = gw2 ]
check "the watchdog's state says so, and why" sh -c "'$testbed' exec '$state' laptop cat /run/meshwright/failover-wg0.state | grep -qx 'last=gw1 -> gw2: gw1 missed 3 probes'"
check "wg-quick's policy rules and table 51820 are unchanged" [ "$(policy)" = "$policy_before" ]
"$testbed" ctl "$state" timeout 60 "$binary" status "$project" --known-hosts "$state/known_hosts" --keys "$keys" > "$work/status.out" 2>&1
check "meshwright status says the laptop's exit is gw2 now, and why" \
    grep -q "^laptop: exit gw2 (holds laptop's default route; failover watchdog: 1 switch, last .* (gw1 -> gw2: gw1 missed 3 probes))" "$work/status.out"

# --- 3. gw1 answers now and then: no flapping --------------------------------------------------
flapped=0
for round in 1 2 3 4 5; do
    on gw1 ip link set eth0 up
    for i in 1 2 3 4; do [ "$(holder)" = gw2 ] || flapped=1; sleep 0.5; done
    on gw1 ip link set eth0 down
    for i in 1 2 3 4 5 6; do [ "$(holder)" = gw2 ] || flapped=1; sleep 0.5; done
done
check "gw1 answering 2 s in 5 never takes the default route back" [ $flapped -eq 0 ]

# --- 4. gw1 answers steadily: back after the hold-down -----------------------------------------
on gw1 ip link set eth0 up
on gw1 ip route replace default via 198.18.77.1
on gw1 ip route replace 203.0.113.0/24 via 198.18.77.99
up_at=$(date +%s)
sleep $((hold_down / 2))
check "half the hold-down after gw1 came back, gw2 still holds the route" [ "$(holder)" = gw2 ]
if wait_for $((hold_down + 30)) sh -c "[ \"\$('$testbed' exec '$state' laptop sed -n 's/^active=//p' /run/meshwright/failover-wg0.state)\" = gw1 ]"; then
    ok "after the hold-down, the route is back on gw1"
    info "fail-back: $(($(date +%s) - up_at)) s after gw1's uplink came back (hold-down ${hold_down} s)"
else
    bad "after the hold-down, the route is back on gw1"
fi
check "gw1 holds the default route" [ "$(holder)" = gw1 ]
check "laptop -> the internet through gw1 again" wait_for 10 reaches 203.0.113.99
check "wg-quick's policy rules and table 51820 are still unchanged" [ "$(policy)" = "$policy_before" ]
deploy again
check "a deploy after the failover and back changes nothing (3 unchanged)" \
    sh -c "[ \$(grep -cE '^(gw1|gw2|laptop) +unchanged ' '$work/again.out') -eq 3 ]"

# A change to the jobs alone (the hold-down) is installed without restarting the interface.
sed -i "s/failover_hold_down: $hold_down/failover_hold_down: 25/" "$project"
deploy hold
check "a new hold-down deploys: confirmed, the laptop alone switched" grep -q '^confirmed: 3 hosts, .*(1 switched, 2 unchanged)' "$work/hold.out"
check "the laptop was not restarted for it (wg syncconf)" grep -q '^laptop: reload wg syncconf' "$work/hold.out"
check "the running watchdog reads the new hold-down" on laptop grep -qx 'hold_down 25' /etc/meshwright/wg0.exits
check "and still holds the route on gw1" [ "$(holder)" = gw1 ]

# A deploy that fails is rolled back, jobs included: without the names, the laptop would lose
# its re-resolve job, but gw1 drops every tunnel packet, so its links fail verification.
jobs_before=$(on laptop sh -c 'cat /etc/meshwright/wg0.endpoints /etc/cron.d/meshwright' | sha256sum)
cp "$project" "$work/with-names.yaml"
sed -i '/^links:/,$d' "$project"
on gw1 nft -f - <<'NFT'
table inet blocked {
    chain input { type filter hook input priority -10; udp dport 56709 drop; }
}
NFT
deploy rollback --confirm-timeout 20 # verification gives up after 10 s
check "a deploy whose links fail is rolled back" grep -q '^rolled back' "$work/rollback.out"
check "the laptop's re-resolve job is back as it was" [ "$(on laptop sh -c 'cat /etc/meshwright/wg0.endpoints /etc/cron.d/meshwright' | sha256sum)" = "$jobs_before" ]
on gw1 nft delete table inet blocked
cp "$work/with-names.yaml" "$project"
check "the watchdog runs on" wait_for 10 sh -c "[ \$(( \$(date +%s) - \$('$testbed' exec '$state' laptop sed -n 's/^updated=//p' /run/meshwright/failover-wg0.state) )) -le 3 ]"

# --- 5. gw2 moves, and its name with it -------------------------------------------------------
check "until now, no healthy gateway was re-resolved" [ "$(resets gw2)" -eq 0 ]
fresh() { # fresh GW: the laptop has a handshake with GW younger than 135 s
    local t
    t=$(on laptop wg show wg0 latest-handshakes | awk -v k="$(key_of "$1")" '$1 == k { print $2 }')
    [ -n "$t" ] && [ "$t" -gt 0 ] && [ $(($(date +%s) - t)) -lt 135 ]
}
# gw1 was blocked and the laptop restarted by the rollback: until its next handshake it is not
# healthy, and may be re-set. From its fresh handshake on, it is.
check "gw1 answers the laptop again" wait_for 30 fresh gw1
sleep 2 # a job that read the handshakes before has finished
gw1_resets=$(resets gw1)
# (its old address first: deleting a primary address takes the secondaries with it)
on gw2 ip addr del 198.18.77.22/24 dev eth0 &&
    on gw2 ip addr add 198.18.77.23/24 dev eth0 &&
    on gw2 ip route replace default via 198.18.77.1 &&
    on gw2 ip route replace 203.0.113.0/24 via 198.18.77.99 &&
    on laptop sed -i 's/^198\.18\.77\.22 gw2/198.18.77.23 gw2/' /etc/hosts ||
    bad "moving gw2 to 198.18.77.23"
moved_at=$(date +%s)
# Worst case: 135 s of handshake age + a timer period of 30 s, and a margin for the echoes.
if wait_for 225 reaches 10.77.0.22; then
    ok "the tunnel to gw2 came back by itself at its new address"
    info "re-resolution: the tunnel to gw2 answered again $(($(date +%s) - moved_at)) s after gw2 moved"
else
    bad "the tunnel to gw2 came back by itself at its new address"
fi
check "gw2's endpoint is the new address" sh -c "'$testbed' exec '$state' laptop wg show wg0 endpoints | grep -q '198.18.77.23:56709'"
check "the job re-set gw2's endpoint (and says so)" [ "$(resets gw2)" -ge 1 ]
check "gw1, healthy all along, was never re-set" [ "$(resets gw1)" -eq "$gw1_resets" ]
on laptop cat /run/meshwright/reresolve-wg0.log 2>/dev/null | sed 's/^/info: job: /'

# --- 6. A new version of the watchdog's script takes over from the running one ---------------
on laptop sh -c 'cp -p /etc/meshwright/failover /etc/meshwright/failover.new && echo "# a new version" >> /etc/meshwright/failover.new &&
    mv -f /etc/meshwright/failover.new /etc/meshwright/failover'
check "the running watchdog restarts with the new script" \
    wait_for 10 sh -c "'$testbed' exec '$state' laptop grep -q 'restarting: /etc/meshwright/failover changed' /run/meshwright/failover-wg0.log"
check "and runs on" wait_for 10 sh -c "[ \$(( \$(date +%s) - \$('$testbed' exec '$state' laptop sed -n 's/^updated=//p' /run/meshwright/failover-wg0.state) )) -le 3 ]"
check "one watchdog only" [ "$(pgrep -xfc 'sh /etc/meshwright/failover wg0')" -eq 1 ]

scenario_end
