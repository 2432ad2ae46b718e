#!/usr/bin/env bash
# An OpenBSD exit gateway's pf anchor through a deploy, on a testbed host that plays
# OpenBSD's part for what the deploy touches: /etc (its own copy-on-write one, testbed.sh)
# holds pf.conf, netstart and the rest, and pfctl, sysctl and ifconfig are stand-ins that
# record what they were asked (bind-mounted over /usr/local/sbin inside that host only). The
# project: the gateway and a full-tunnel phone installed by hand (so no link needs a real
# OpenBSD tunnel to verify). Checks: a pf.conf that does not load the anchor refuses the
# switch with the two lines to add and nothing is installed; with them, the deploy installs
# /etc/pf-meshwright.conf, loads it into the anchor, turns forwarding on and, once confirmed,
# in /etc/sysctl.conf too; a deploy whose reload fails rolls back and loads the previous
# rules again, leaving every file byte-identical.
#
#   pf-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "pf scenario: N passed, M failed".
binary=${1:?usage: pf-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
scenario_start pf obsd:internet:198.18.77.31
on() { "$testbed" exec "$state" obsd "$@"; }
if on test -e /run/.etc-shared; then
    bad "the testbed host shares this machine's /etc (no overlayfs): not run"
    scenario_end
    exit 1
fi

# The stand-ins. Each appends its arguments to /run/fake.log (the host's own /run).
mkdir -p "$work/sbin"
cat > "$work/sbin/pfctl" <<'EOF'
#!/bin/sh
echo "pfctl $*" >> /run/fake.log
case "$*" in
"-a meshwright -f "*) cp "$4" /run/anchor ;;
"-a meshwright -F all") rm -f /run/anchor ;;
esac
EOF
cat > "$work/sbin/sysctl" <<'EOF'
#!/bin/sh
echo "sysctl $*" >> /run/fake.log
EOF
cat > "$work/sbin/ifconfig" <<'EOF'
#!/bin/sh
echo "ifconfig $*" >> /run/fake.log
exit 1
EOF
chmod 755 "$work/sbin/"*
on mount --bind "$work/sbin" /usr/local/sbin || { echo "FAIL: stand-ins"; exit 1; }
# netstart reads /etc/hostname.wgN; here it notes the call, and fails when asked to.
on sh -c 'cat > /etc/netstart <<"EOF"
echo "netstart $*" >> /run/fake.log
[ ! -e /run/netstart-fails ]
EOF
printf "set skip on lo\npass\n" > /etc/pf.conf; printf "kern.somaxconn=128\n" > /etc/sysctl.conf' ||
    { echo "FAIL: the host's /etc"; exit 1; }
check "sshd runs commands with the stand-ins first on PATH" \
    [ "$("$testbed" ssh "$state" obsd command -v pfctl)" = /usr/local/sbin/pfctl ]

write_project() { # write_project KEEPALIVE
    cat > "$project" <<EOF
network: {ipv4: '10.78.0.0/24', ipv6: 'fd78::/64'}
defaults: {keepalive: $1}
hosts:
  obsd:
    os: OpenBSD
    ssh: {host: '198.18.77.31', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.31'}
    wg0: {ip: '10.78.0.1', ipv6: 'fd78::1'}
  phone:
    os: Android
    wg0: {ip: '10.78.0.50', ipv6: 'fd78::50'}
EOF
}
deploy() { # deploy NAME
    "$testbed" ctl "$state" timeout 120 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys > "$work/$1.out" 2>&1
}
files() { on sh -c 'for f in /etc/wireguard/wg0.conf /etc/hostname.wg0 /etc/pf-meshwright.conf /etc/sysctl.conf /etc/pf.conf; do
    if [ -f "$f" ]; then sha256sum "$f"; else echo "missing $f"; fi; done; cat /run/anchor 2>/dev/null | sha256sum'; }

# --- 1. pf.conf does not load the anchor: refused, nothing installed -------------------------
write_project 25
before=$(files)
deploy no-anchor
check "no anchor: the deploy is refused" sh -c "! grep -q '^confirmed:' '$work/no-anchor.out'"
check "no anchor: the line says which two lines to add" grep -qF \
    'preflight: /etc/pf.conf does not load Meshwright'"'"'s anchor, so this gateway would forward without NAT (fix: add these two lines to /etc/pf.conf, then run pfctl -f /etc/pf.conf: anchor "meshwright" and load anchor "meshwright" from "/etc/pf-meshwright.conf")' \
    "$work/no-anchor.out"
check "no anchor: nothing was installed or loaded" [ "$(files)" = "$before" ]

# --- 2. With the anchor: installed, loaded, forwarding on, and at boot once confirmed --------
on sh -c 'printf "anchor \"meshwright\"\nload anchor \"meshwright\" from \"/etc/pf-meshwright.conf\"\n" >> /etc/pf.conf'
deploy first
check "the deploy is confirmed" grep -q '^confirmed: 1 hosts' "$work/first.out"
check "the phone is named for re-import" grep -q '^re-import: phone' "$work/first.out"
"$binary" generate "$project" --keys "$keys" --out "$work/out" > "$work/generate.out" 2>&1
check "/etc/pf-meshwright.conf is what generate writes" [ "$(on cat /etc/pf-meshwright.conf)" = "$(cat "$work/out/obsd/pf-meshwright.conf")" ]
check "it masquerades the mesh, IPv4 and IPv6" sh -c "'$testbed' exec '$state' obsd grep -q 'match out on egress inet6 from fd78::/64 to any nat-to (egress)' /etc/pf-meshwright.conf"
check "pfctl loaded it into the anchor" [ "$(on cat /run/anchor)" = "$(on cat /etc/pf-meshwright.conf)" ]
check "forwarding was turned on" on grep -qx 'sysctl net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1' /run/fake.log
check "and in /etc/sysctl.conf, beside what was there" [ "$(on cat /etc/sysctl.conf)" = "$(printf 'kern.somaxconn=128\nnet.inet.ip.forwarding=1\nnet.inet6.ip6.forwarding=1')" ]
check "/etc/pf.conf is the user's, untouched" [ "$(on grep -c . /etc/pf.conf)" = 4 ]
check "netstart set up wg0" on grep -qx 'netstart wg0' /run/fake.log
deploy again
check "a second deploy changes nothing" grep -q '^unchanged: 1 hosts, nothing to switch' "$work/again.out"

# --- 3. A reload that fails: rolled back, the previous rules loaded again ---------------------
# A named uplink changes the rules; with netstart failing, the switch must undo all of it.
before=$(files)
anchor_before=$(on cat /run/anchor)
sed -i 's/^    internet: {ip: .198.18.77.31.}$/&\n    egress: vio0/' "$project"
check "the named uplink changes obsd's rules" sh -c \
    "'$binary' generate '$project' --keys '$keys' --out '$work/out2' >/dev/null 2>&1 && grep -q 'nat-to (vio0)' '$work/out2/obsd/pf-meshwright.conf'"
on touch /run/netstart-fails
deploy fails
on rm -f /run/netstart-fails
check "the failing deploy is rolled back" grep -qE '^(rolled back|nothing switched): ' "$work/fails.out"
check "every file is byte-identical, and the anchor holds the previous rules" [ "$(files)" = "$before" ]
check "the previous rules were loaded again" [ "$(on cat /run/anchor)" = "$anchor_before" ]

scenario_end
