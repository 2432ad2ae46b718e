#!/usr/bin/env bash
# Sites and relays on the SSH testbed: two homes behind two NATs (home: h1, h2; office: o1,
# o2), each router masquerading its hosts out to the "internet" and letting in only what
# they started, and two gateways there. SSH runs over a management network that carries no
# WireGuard traffic. The deploy plans the cross-site links through gw1 (no peer entry
# between the ends) and verifies them by traffic; every ordered pair of hosts then pings
# through the mesh, IPv4 and IPv6, across the sites through the relay, which forwards
# without NAT and sends no redirects; status judges a relayed link by its two hops and names
# the one that is down; a second deploy changes nothing; a change that leaves
# a relayed link working on one end only (o1 drops h1's addresses from its relay's peer
# entry) fails verification, and the whole fleet rolls back to the mesh that ran.
#
#   sites-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "sites scenario: N passed, M failed".
binary=${1:?usage: sites-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
scenario_start sites h1:home:192.168.77.11 h2:home:192.168.77.12 o1:office:192.168.78.11 o2:office:192.168.78.12 \
    gw1:internet:198.18.77.21 gw2:internet:198.18.77.22
on() { "$testbed" exec "$state" "$@"; } # on HOST CMD...
mgmt() { awk -v n="$1" '$1 == n { print $6 }' "$state/hosts.txt"; } # mgmt HOST: its SSH address
hosts="h1 h2 o1 o2 gw1 gw2"
declare -A mesh=([h1]=11 [h2]=12 [o1]=31 [o2]=32 [gw1]=21 [gw2]=22)
declare -A lanip=([h1]=192.168.77.11 [h2]=192.168.77.12 [o1]=192.168.78.11 [o2]=192.168.78.12)

# write_project [O1_POST_UP]: the two sites, the two gateways; o1 optionally with a PostUp.
write_project() {
    local site h
    {
        echo "network: {ipv4: '10.77.0.0/24', ipv6: 'fd77::/64'}"
        echo "defaults: {dns: []}"
        echo "hosts:"
        for h in $hosts; do
            echo "  $h:"
            echo "    os: Linux"
            echo "    ssh: {host: '$(mgmt $h)', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}"
            case $h in
            h*) site=home ;;
            o*) site=office ;;
            *) site="" ;;
            esac
            if [ -n "$site" ]; then
                echo "    lan: {ip: '${lanip[$h]}'}"
                echo "    site: $site"
            else
                echo "    internet: {ip: '198.18.77.${mesh[$h]}'}"
            fi
            if [ "$h" = o1 ] && [ -n "${1:-}" ]; then
                echo "    wg0: {ip: '10.77.0.${mesh[$h]}', ipv6: 'fd77::${mesh[$h]}', post_up: ['$1']}"
            else
                echo "    wg0: {ip: '10.77.0.${mesh[$h]}', ipv6: 'fd77::${mesh[$h]}'}"
            fi
        done
    } > "$project"
}
deploy() { # deploy NAME: deploys the project, output in $work/NAME.out
    "$testbed" ctl "$state" timeout 240 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys > "$work/$1.out" 2>&1
}
# all_pairs_ping LABEL: every host pings every other's mesh address, IPv4 and IPv6 (each
# ping bounded: 3 tries of a second); the misses in $work/LABEL.misses.
all_pairs_ping() {
    local from to v misses="$work/$1.misses"
    : > "$misses"
    for from in $hosts; do
        (
            for to in $hosts; do
                [ "$from" != "$to" ] || continue
                for v in 10.77.0.${mesh[$to]} fd77::${mesh[$to]}; do
                    on "$from" ping -c 3 -i 0.3 -W 1 "$v" 2>/dev/null | grep -q ' 0% packet loss\| [12] received' ||
                        echo "$from->$to($v)" >> "$misses"
                done
            done
        ) &
    done
    wait
    [ ! -s "$misses" ]
}
conf_sums() { for h in $hosts; do on $h sha256sum /etc/wireguard/wg0.conf; done; }

# --- 1. The first deploy: cross-site links through the relay, verified by traffic ------------
write_project
"$binary" validate "$project" > "$work/validate.out" 2>&1
check "the project validates, with the note that gw1 relays and sees the traffic" \
    sh -c "grep -q '^note: gw1: relays ' '$work/validate.out' && grep -q ' 0 errors, 0 warnings, 1 note' '$work/validate.out'" ||
    cat "$work/validate.out"
deploy first
check "first deploy: confirmed, all six hosts" grep -q '^confirmed: 6 hosts' "$work/first.out" || tail -30 "$work/first.out"
check "the link h1 - o1 was verified through gw1" grep -qE '^link h1 <-> o1 via gw1: ok( |$)' "$work/first.out" ||
    grep '^link' "$work/first.out"
check "every one of the 15 links was verified (4 of them relayed)" \
    sh -c "[ \$(grep -cE '^link .*: ok( |\$)' '$work/first.out') -eq 15 ] && [ \$(grep -cE '^link .* via gw1: ok( |\$)' '$work/first.out') -eq 4 ]"
no_peer_o1() { ! on h1 cat /etc/wireguard/wg0.conf | grep -q '^# o1$' && on h1 wg show wg0 allowed-ips | grep -q '10.77.0.31/32'; }
check "h1 has no peer entry for o1: o1's addresses are on gw1's" no_peer_o1
check "every ordered pair of hosts pings through the mesh, IPv4 and IPv6 (60 pings)" all_pairs_ping first ||
    info "missed: $(tr '\n' ' ' < "$work/first.misses")"
check "the home hosts reach each other directly, at their LAN addresses" \
    sh -c "'$testbed' exec '$state' h1 wg show wg0 endpoints | grep -q '192.168.77.12:'"
redirects() { on gw1 nstat -az IcmpOutRedirects | awk '$1 == "IcmpOutRedirects" { print $2 }'; }
before=$(redirects)
on h1 ping -c 5 -i 0.2 -W 1 10.77.0.31 > /dev/null 2>&1
check "gw1 relays h1 -> o1 without sending ICMP redirects ($before -> $(redirects))" [ "$(redirects)" = "$before" ]
check "gw1 forwards between its peers and masquerades nothing (it is no exit)" \
    sh -c "'$testbed' exec '$state' gw1 nft list table inet meshwright-wg0 | grep -q 'iifname \"wg0\" accept' && ! '$testbed' exec '$state' gw1 nft list table inet meshwright-wg0 | grep -q masquerade"

# --- 2. Status judges a relayed link by its two hops ------------------------------------------
status() { # status NAME: one round of `meshwright status`, the table in $work/NAME.status
    "$testbed" ctl "$state" timeout 60 "$binary" status "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        > "$work/$1.status" 2>&1
}
status healthy
check "status: every link alive, the relayed ones by both hops" \
    sh -c "grep -q 'every link that should be up is alive' '$work/healthy.status' && grep -qE '^h1 <-> o1: via gw1 \(h1–gw1 alive, gw1–o1 alive\)$' '$work/healthy.status'" ||
    cat "$work/healthy.status"
# o1's tunnel goes down: its relayed links are down, and the hop that is down is named.
on o1 wg-quick down wg0 > /dev/null 2>&1
status o1-down
check "status: o1's relayed links down, the hop gw1–o1 named" \
    sh -c "grep -qE '^h1 +o1 +down !' '$work/o1-down.status' && grep -qE '^h1 <-> o1: via gw1 \(h1–gw1 alive, gw1–o1 down\)$' '$work/o1-down.status' && grep -qE '^h1 +h2 +alive' '$work/o1-down.status'" ||
    cat "$work/o1-down.status"
on o1 wg-quick up wg0 > /dev/null 2>&1
for h in h1 h2 o2 gw1 gw2; do on o1 ping -c 1 -W 2 "10.77.0.${mesh[$h]}" > /dev/null 2>&1 & done
wait

# --- 3. A second deploy changes nothing -------------------------------------------------------
deploy second
check "a second deploy changes nothing" grep -qE '^unchanged: 6 hosts, nothing to switch$' "$work/second.out" || tail -10 "$work/second.out"

# --- 4. A relayed link that works on one end only: verification fails, the fleet rolls back ---
# o1 keeps only gw1's own addresses on gw1's peer entry when it comes up: h1's packets,
# relayed by gw1, are dropped by o1 (their source is not gw1's).
gw1_key=$(on o1 wg show wg0 endpoints | awk '$2 ~ /^198\.18\.77\.21:/ { print $1 }')
sums=$(conf_sums)
write_project "wg set %i peer $gw1_key allowed-ips 10.77.0.21/32,fd77::21/128"
deploy one-sided
check "the one-sided relayed link fails the deploy's check" \
    grep -qE '^link (h1 <-> o1|h2 <-> o1) via gw1: (no reply|no handshake)' "$work/one-sided.out" || grep '^link' "$work/one-sided.out"
check "and the fleet is rolled back" grep -qE '^rolled back: [0-9]+ hosts?; link (h1|h2) <-> o1 via gw1 had no ' "$work/one-sided.out" || tail -15 "$work/one-sided.out"
check "every host's config is the one that ran before" [ "$(conf_sums)" = "$sums" ]
check "after the rollback every ordered pair pings again, IPv4 and IPv6" all_pairs_ping after ||
    info "missed: $(tr '\n' ' ' < "$work/after.misses")"

scenario_end
