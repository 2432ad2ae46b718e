#!/usr/bin/env bash
# Exits on the SSH testbed: a Linux laptop deployed over SSH sends all its traffic through
# two internet gateways. Its main profile gives the default route to the first exit only and
# the second its own addresses, so every link carries traffic: the deploy verifies all of
# them (laptop <-> gw2 included) and is confirmed. The laptop reaches an "internet" server
# that only the gateways route to, IPv4 and IPv6; a second deploy changes nothing;
# `exits: [gw2, gw1]` moves the default route to gw2, which then carries it; the preflight
# refuses an exit gateway that has neither a default route nor `egress`, switching nothing;
# and a change reloaded with `wg syncconf` keeps the full tunnel's fwmark.
#
#   exits-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "exits scenario: N passed, M failed".
binary=${1:?usage: exits-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
scenario_start exits gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 far:internet:198.18.77.99 \
    laptop:home:192.168.77.31 nas:home:192.168.77.32
on() { "$testbed" exec "$state" "$@"; } # on HOST CMD...

# The "internet": far answers at 203.0.113.99 and fd00:99::99, which only the gateways route
# to (the laptop's own uplink, through the home router, has no route there); far has no route
# to the mesh, so it answers only what a gateway masqueraded. Both gateways have a default
# route, as real ones do.
on far ip addr add 203.0.113.99/32 dev lo &&
    on far ip addr add fd00:99::99/64 dev eth0 nodad &&
    for gw in gw1 gw2; do
        on $gw ip addr add "fd00:99::${gw#gw}1/64" dev eth0 nodad &&
            on $gw ip route add default via 198.18.77.1 &&
            on $gw ip route add 203.0.113.0/24 via 198.18.77.99 || exit 1
    done || { echo "FAIL: setting up the internet side"; exit 1; }

# write_project [EXITS [PORT [GW2_EGRESS]]]: two gateways, a LAN server and the laptop (roaming,
# deployed over SSH at its home address, all traffic through the gateways).
write_project() {
    local exits="" egress=""
    [ -n "${1:-}" ] && exits="    exits: [$1]"
    [ -n "${3:-}" ] && egress="    egress: $3"
    cat > "$project" <<EOF
network: {ipv4: '10.77.0.0/24', ipv6: 'fd77::/64'}
defaults: {dns: [], listen_port: ${2:-56709}}
hosts:
  gw1:
    os: Linux
    ssh: {host: '198.18.77.21', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.21'}
    wg0: {ip: '10.77.0.21', ipv6: 'fd77::21'}
  gw2:
    os: Linux
    ssh: {host: '198.18.77.22', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.22'}
    wg0: {ip: '10.77.0.22', ipv6: 'fd77::22'}
$egress
  nas:
    os: Linux
    ssh: {host: '192.168.77.32', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.32'}
    wg0: {ip: '10.77.0.32', ipv6: 'fd77::32'}
    exclude_peers: [laptop]
  laptop:
    os: Linux
    ssh: {host: '192.168.77.31', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    wg0: {ip: '10.77.0.31', ipv6: 'fd77::31'}
    exclude_peers: [nas]
$exits
EOF
}

deploy() { # deploy NAME: deploys the project, output in $work/NAME.out
    "$testbed" ctl "$state" timeout 240 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys > "$work/$1.out" 2>&1
}
reaches() { # reaches ADDR: the laptop's echoes to ADDR come back (bounded: 10 tries of a second)
    local i
    for i in $(seq 10); do on laptop ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0; done
    return 1
}
key_of() { "$binary" keys list "$project" --keys "$keys" 2>&1 | grep -v pending | grep -E "^$1[: ]" | grep -oE '[A-Za-z0-9+/]{43}=' | head -n 1; }
holds_default() { # holds_default GW: on the laptop, GW's peer holds 0.0.0.0/0 and ::/0
    local peer
    peer=$(on laptop wg show wg0 allowed-ips | awk -v k="$(key_of "$1")" '$1 == k')
    case "$peer" in *0.0.0.0/0*::/0*|*::/0*0.0.0.0/0*) return 0 ;; esac
    return 1
}
own_only() { # own_only GW ADDR: GW's peer on the laptop holds ADDR/32 and no default route
    local peer
    peer=$(on laptop wg show wg0 allowed-ips | awk -v k="$(key_of "$1")" '$1 == k')
    case "$peer" in *"$2/32"*) ;; *) return 1 ;; esac
    case "$peer" in *0.0.0.0/0*) return 1 ;; esac
    return 0
}

# --- 1. The laptop and its two exits deploy, every link verified -----------------------------
write_project
check "the project validates" "$binary" validate "$project"
check "no 'same default route' warning for the main profile" sh -c "! '$binary' validate '$project' 2>&1 | grep -q 'same default route'"
deploy first
check "first deploy: confirmed, all four hosts" grep -q '^confirmed: 4 hosts' "$work/first.out"
check "the link laptop - gw2 was verified by traffic" grep -qE '^link (laptop <-> gw2|gw2 <-> laptop): ok( |$)' "$work/first.out"
check "gw1 holds the laptop's default route" holds_default gw1
check "gw2 holds its own addresses on the laptop" own_only gw2 10.77.0.22
check "laptop -> gw2 through the tunnel (IPv4)" reaches 10.77.0.22
check "laptop -> gw2 through the tunnel (IPv6)" reaches fd77::22
check "laptop -> the internet through gw1 (IPv4)" reaches 203.0.113.99
check "laptop -> the internet through gw1 (IPv6)" reaches fd00:99::99
check "gw1 masqueraded it" sh -c "'$testbed' exec '$state' gw1 nft list table inet meshwright-wg0 | grep -q masquerade"

# --- 2. A second deploy changes nothing -------------------------------------------------------
deploy second
check "a second deploy changes nothing (4 unchanged)" sh -c "[ \$(grep -cE '^(gw1|gw2|nas|laptop) +unchanged ' '$work/second.out') -eq 4 ]"

# --- 3. exits: [gw2, gw1] moves the default route ---------------------------------------------
write_project "gw2, gw1"
deploy reorder
check "exits reordered: confirmed" grep -q '^confirmed: ' "$work/reorder.out"
check "gw2 holds the laptop's default route now" holds_default gw2
check "and gw1 its own addresses" own_only gw1 10.77.0.21
check "laptop -> the internet through gw2 (IPv4)" reaches 203.0.113.99
check "laptop -> the internet through gw2 (IPv6)" reaches fd00:99::99
check "laptop -> gw1 through the tunnel" reaches 10.77.0.21

# --- 4. Preflight: an exit gateway with neither a default route nor egress --------------------
conf_sums() { for h in gw1 gw2 nas laptop; do on $h sha256sum /etc/wireguard/wg0.conf; done; }
before=$(conf_sums)
on gw2 ip route del default via 198.18.77.1
write_project "gw2, gw1" 56800 # a new port: every host changes
deploy no-route
check "preflight: gw2 without a default route or egress is refused with the fix" \
    grep -qE '^gw2.*preflight: this exit gateway has no IPv4 default route to masquerade out of \(fix: ' "$work/no-route.out"
check "nothing was switched" sh -c "! grep -q '^phase: switch' '$work/no-route.out' && ! grep -q '^confirmed:' '$work/no-route.out'"
check "every host's config is as it was" [ "$(conf_sums)" = "$before" ]
write_project "gw2, gw1" 56800 eth0
deploy egress
check "with egress set, the same change deploys" grep -q '^confirmed: 4 hosts' "$work/egress.out"
check "the laptop was reloaded in place (wg syncconf)" grep -q '^laptop: reload wg syncconf' "$work/egress.out"
check "and kept wg-quick's fwmark, so its tunnel's own packets do not loop into it" \
    sh -c "[ \"\$('$testbed' exec '$state' laptop wg show wg0 fwmark)\" != off ]"
check "laptop -> the internet through gw2 out of its egress" reaches 203.0.113.99
on gw2 ip route add default via 198.18.77.1

scenario_end
