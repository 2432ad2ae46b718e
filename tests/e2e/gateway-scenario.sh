#!/usr/bin/env bash
# Exit gateways on the SSH testbed: two internet gateways that a full-tunnel roaming
# client (a phone's twin, installed by hand from `meshwright generate`) sends everything
# to. After `meshwright deploy` the client reaches an "internet" server that only the
# gateways route to, IPv4 and IPv6, through each per-gateway profile in turn: the server
# has no route back to the mesh, so a reply proves the gateway forwarded and masqueraded.
# gw1 masquerades out of its default route's interface, gw2 (no default route) out of its
# configured egress. Then: a second deploy changes nothing; 'nat: false' on gw1 stops the
# replies through it; preflight refuses a host without wg, an exit gateway without nft and
# a sudo that asks for a password, switching nothing; with hosts_file, every host resolves
# the mesh's names and a rolled-back deploy restores /etc/hosts byte for byte; taking gw1's
# interface down leaves no Meshwright rules behind.
#
#   gateway-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "gateway scenario: N passed, M failed".
binary=${1:?usage: gateway-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
scenario_start gateway gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 far:internet:198.18.77.99 twin:home:192.168.77.31
on() { "$testbed" exec "$state" "$@"; } # on HOST CMD...

# The "internet": far answers at 203.0.113.99 and fd00:99::99, which only the gateways
# route to. far itself has no route to the mesh (10.77.0.0/24, fd77::/64), so it can only
# answer what a gateway masqueraded. gw1 has a default route (as a real gateway does); gw2
# has none and masquerades out of its configured egress.
on far ip addr add 203.0.113.99/32 dev lo &&
    on far ip addr add fd00:99::99/64 dev eth0 nodad &&
    on gw1 ip addr add fd00:99::21/64 dev eth0 nodad &&
    on gw2 ip addr add fd00:99::22/64 dev eth0 nodad &&
    on gw1 ip route add default via 198.18.77.1 &&
    on gw1 ip route add 203.0.113.0/24 via 198.18.77.99 &&
    on gw2 ip route add 203.0.113.0/24 via 198.18.77.99 ||
    { echo "FAIL: setting up the internet side"; exit 1; }

baseline=$(on gw1 nft list ruleset) # what gw1's firewall holds before Meshwright

# write_project GW1_NAT [PORT [GW1_SUDO]]: the two gateways and the twin (no ssh: installed
# by hand, no DNS so that its wg-quick needs no resolvconf); PORT: the mesh's listen port,
# GW1_SUDO: gw1's sudo_cmd.
# The globals hosts_file (true/false), twin_ip and gw2_reload change it further.
hosts_file=false
twin_ip=10.77.0.50
gw2_reload=""
write_project() {
    local nat="" sudo="" reload=""
    [ "$1" = false ] && nat="    nat: false"
    [ -n "${3:-}" ] && sudo=", sudo_cmd: '$3'"
    [ -n "$gw2_reload" ] && reload=", reload_cmd: '$gw2_reload'"
    cat > "$project" <<EOF
network: {ipv4: '10.77.0.0/24', ipv6: 'fd77::/64'}
defaults: {dns: [], listen_port: ${2:-56709}, hosts_file: $hosts_file}
hosts:
  gw1:
    os: Linux
    ssh: {host: '198.18.77.21', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard$sudo}
    internet: {ip: '198.18.77.21'}
    wg0: {ip: '10.77.0.21', ipv6: 'fd77::21'}
$nat
  gw2:
    os: Linux
    ssh: {host: '198.18.77.22', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard$reload}
    internet: {ip: '198.18.77.22'}
    wg0: {ip: '10.77.0.22', ipv6: 'fd77::22'}
    egress: eth0
  twin:
    os: Android
    wg0: {ip: '$twin_ip', ipv6: 'fd77::50'}
EOF
}

deploy() { # deploy NAME: deploys the project, output in $work/NAME.out
    "$testbed" ctl "$state" timeout 180 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys > "$work/$1.out" 2>&1
}
tables() { on "$1" nft list tables 2>/dev/null | grep -c 'meshwright-' || true; } # tables HOST: Meshwright's nft tables
# through PROFILE ADDR [TRIES]: one echo from the twin to ADDR leaves through PROFILE's
# interface and comes back (bounded: TRIES tries of a second, 10 by default)
through() {
    local i
    [ "$(on twin ip route get "$2" | sed -n 's/.* dev \([^ ]*\).*/\1/p')" = "$1" ] || return 1
    for i in $(seq "${3:-10}"); do on twin ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0; done
    return 1
}
profile_up() { # profile_up NAME: the twin's only interface is the profile NAME (wg0-gw1, ...)
    local p
    for p in wg0-gw1 wg0-gw2; do on twin ip link show "$p" >/dev/null 2>&1 && on twin wg-quick down "/etc/wireguard/$p.conf" >/dev/null 2>&1; done
    on twin install -m 600 "$work/out/twin/$1.conf" "/etc/wireguard/$1.conf" && on twin wg-quick up "/etc/wireguard/$1.conf" >"$work/up-$1.log" 2>&1
}

# --- 1. Deploy: the gateways forward and masquerade ------------------------------------------
write_project true
check "the project validates" "$binary" validate "$project"
deploy first
check "first deploy: confirmed (exit 0)" grep -q '^confirmed: 2 hosts' "$work/first.out"
check "first deploy: the twin is named for re-import" grep -q '^re-import: twin' "$work/first.out"
for gw in gw1 gw2; do
    check "$gw: one Meshwright nftables table" [ "$(tables $gw)" = 1 ]
    check "$gw: forwarding on" [ "$(on $gw sysctl -n net.ipv4.ip_forward)" = 1 ]
    check "$gw: it masquerades the mesh out of eth0" sh -c "'$testbed' exec '$state' $gw nft list table inet meshwright-wg0 | grep -q 'ip saddr 10.77.0.0/24 oifname \"eth0\" masquerade'"
    check "$gw: and IPv6 (NAT66)" sh -c "'$testbed' exec '$state' $gw nft list table inet meshwright-wg0 | grep -q 'ip6 saddr fd77::/64 oifname \"eth0\" masquerade'"
done

# --- 2. The twin reaches the internet through each gateway ----------------------------------
"$binary" generate "$project" --keys "$keys" --out "$work/out" > "$work/generate.out" 2>&1 ||
    { cat "$work/generate.out"; echo "FAIL: generate"; exit 1; }
check "generate writes the twin a profile per gateway" test -f "$work/out/twin/wg0-gw1.conf" -a -f "$work/out/twin/wg0-gw2.conf"
check "the twin's configs hold no hooks" sh -c "! grep -q 'PostUp' '$work/out/twin/'*.conf"
for gw in gw1 gw2; do
    check "twin: wg-quick up wg0-$gw" profile_up "wg0-$gw"
    check "twin via $gw: 203.0.113.99 answers through wg0-$gw" through "wg0-$gw" 203.0.113.99
    check "twin via $gw: fd00:99::99 answers through wg0-$gw" through "wg0-$gw" fd00:99::99
done

# --- 3. A second deploy changes nothing -------------------------------------------------------
deploy again
check "second deploy: nothing to switch" grep -q '^unchanged: 2 hosts, nothing to switch' "$work/again.out"
check "second deploy: still one table on gw1" [ "$(tables gw1)" = 1 ]

# --- 4. nat: false on gw1: forwarded, not masqueraded, so no reply -------------------------
write_project false
deploy nonat
check "nat: false deploy: confirmed" grep -q '^confirmed: 2 hosts' "$work/nonat.out"
check "gw1 keeps forwarding but masquerades nothing" sh -c "! '$testbed' exec '$state' gw1 nft list table inet meshwright-wg0 | grep -q masquerade"
check "twin: wg-quick up wg0-gw1 again" profile_up wg0-gw1
check "twin via gw1 without NAT: 203.0.113.99 does not answer" sh -c "! '$testbed' exec '$state' twin ping -c 2 -W 1 203.0.113.99 >/dev/null 2>&1"
write_project true
deploy nat-again
check "NAT back on gw1: confirmed" grep -q '^confirmed: 2 hosts' "$work/nat-again.out"
# gw1 restarted (its hooks changed): the twin's session is gone, and WireGuard makes a new
# one once its unanswered packets time out (about 15 s), as a phone's would.
check "twin via gw1: 203.0.113.99 answers again" through wg0-gw1 203.0.113.99 40

# --- 5. Preflight: a host that lacks what the switch needs is refused, nothing is switched --
# Each change below touches both gateways (a new listen port); the refused deploy must leave
# both configs as they were.
: > "$work/not-a-program" # bind-mounted over a tool inside one host: no longer executable there
conf_sums() { for gw in gw1 gw2; do on $gw sha256sum /etc/wireguard/wg0.conf; done; }
refused() { # refused NAME HOST PATTERN: the deploy failed, HOST's line matches, nothing switched
    ! grep -q '^confirmed:' "$work/$1.out" && grep -qE "^$2 .*$3|^$2: .*$3" "$work/$1.out" &&
        [ "$(conf_sums)" = "$before" ] && ! grep -qE '^phase: switch' "$work/$1.out"
}
before=$(conf_sums)
wg_path=$(on gw2 sh -c 'command -v wg')
on gw2 mount --bind "$work/not-a-program" "$wg_path"
write_project true 56800
deploy no-wg
check "preflight: gw2 without wg is refused with the fix, nothing switched" \
    refused no-wg gw2 "preflight: wg is not installed \(fix: apt-get install wireguard-tools\)"
on gw2 umount "$wg_path"
nft_path=$(on gw1 sh -c 'command -v nft')
on gw1 mount --bind "$work/not-a-program" "$nft_path"
deploy no-nft
check "preflight: exit gateway gw1 without nft is refused with the fix, nothing switched" \
    refused no-nft gw1 "preflight: nft is not installed, and this exit gateway's PostUp needs it \(fix: apt-get install nftables\)"
on gw1 umount "$nft_path"
printf '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n' > "$work/asks-password"
chmod 755 "$work/asks-password"
write_project true 56800 "$work/asks-password"
deploy password
check "preflight: gw1 whose sudo asks for a password is refused with the fix, nothing switched" \
    refused password gw1 "preflight: .*asks-password asks for a password, and a deploy cannot answer it \(fix: "
write_project true 56800
deploy new-port
check "with all in place the same change deploys" grep -q '^confirmed: 2 hosts' "$work/new-port.out"

# --- 6. The mesh's names in /etc/hosts ---------------------------------------------------------
# Every host has a copy-on-write /etc of its own (testbed.sh): this machine's is never written.
without_block() { sed '/^# BEGIN meshwright/,/^# END meshwright$/d'; }
if on gw1 test -e /run/.etc-shared; then
    bad "hosts_file: the testbed hosts share this machine's /etc (no overlayfs): not run"
else
    hosts_before=$(on gw1 cat /etc/hosts)
    mode_before=$(on gw1 stat -c %a /etc/hosts)
    hosts_file=true
    write_project true 56800
    deploy hosts-on
    check "hosts_file: the deploy is confirmed" grep -q '^confirmed: 2 hosts' "$work/hosts-on.out"
    for gw in gw1 gw2; do
        check "hosts_file: getent hosts gw1.wg0 on $gw" sh -c "'$testbed' exec '$state' $gw getent hosts gw1.wg0 | grep -qE '^(10\.77\.0\.21|fd77::21) '"
        check "hosts_file: getent hosts twin.wg0 on $gw (a host without ssh is named too)" \
            sh -c "'$testbed' exec '$state' $gw getent hosts twin.wg0 | grep -qE '^(10\.77\.0\.50|fd77::50) '"
        check "hosts_file: both families of gw2 in $gw's /etc/hosts" sh -c \
            "'$testbed' exec '$state' $gw grep -qx '10.77.0.22 gw2.wg0' /etc/hosts && '$testbed' exec '$state' $gw grep -qx 'fd77::22 gw2.wg0' /etc/hosts"
    done
    check "hosts_file: the rest of gw1's /etc/hosts is byte-identical" [ "$(on gw1 cat /etc/hosts | without_block)" = "$hosts_before" ]
    check "hosts_file: /etc/hosts keeps its mode ($mode_before)" [ "$(on gw1 stat -c %a /etc/hosts)" = "$mode_before" ]
    check "hosts_file: no backup left beside it" sh -c "! '$testbed' exec '$state' gw1 ls /etc/hosts.meshwright-backup >/dev/null 2>&1"
    "$binary" generate "$project" --keys "$keys" --out "$work/out-hosts" > "$work/generate-hosts.out" 2>&1
    check "hosts_file: generate writes the block for hand-installed hosts" grep -qx '10.77.0.22 gw2.wg0' "$work/out-hosts/twin/hosts"
    deploy hosts-again
    check "hosts_file: a second deploy changes nothing" grep -q '^unchanged: 2 hosts, nothing to switch' "$work/hosts-again.out"
    # A deploy that moves the twin (the block changes everywhere) and fails on gw2's reload
    # rolls back: gw1's /etc/hosts is byte-identical to before it.
    hosts_on=$(on gw1 cat /etc/hosts)
    twin_ip=10.77.0.51
    gw2_reload=false
    write_project true 56800
    deploy hosts-rollback
    check "hosts_file: the failing deploy is rolled back" grep -q '^rolled back: ' "$work/hosts-rollback.out"
    check "hosts_file: gw1's /etc/hosts is restored byte for byte" [ "$(on gw1 cat /etc/hosts)" = "$hosts_on" ]
    twin_ip=10.77.0.50
    gw2_reload=""
    hosts_file=false
    write_project true 56800
    deploy hosts-off
    check "hosts_file off: the deploy is confirmed" grep -q '^confirmed: 2 hosts' "$work/hosts-off.out"
    check "hosts_file off: gw1's /etc/hosts is what it was before Meshwright" [ "$(on gw1 cat /etc/hosts)" = "$hosts_before" ]
fi

# --- 7. Down: no leftovers --------------------------------------------------------------------
check "gw1: wg-quick down wg0" on gw1 wg-quick down wg0
check "gw1: no Meshwright table left" [ "$(tables gw1)" = 0 ]
check "gw1: its ruleset is what it was before the first deploy" [ "$(on gw1 nft list ruleset)" = "$baseline" ]

scenario_end
