#!/usr/bin/env bash
# Deploys a 6-host mesh (4 LAN hosts behind a NAT router, 2 internet gateways) with
# `meshwright deploy` onto the SSH testbed, checks that every tunnel comes up, that a second
# deploy changes nothing, and that faults (host keys, auth, a failing reload, a rejected
# candidate, a cut connection) leave every host on its previous config. Everyday changes to
# the running mesh and the faults of the verification are in fleet-scenario.sh.
set -uo pipefail

binary=$1
guitest=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
testbed="$here/testbed.sh"
work=$(mktemp -d /tmp/mw-deploy.XXXXXX)
state="$work/state"
passed=0
failed=0
started=$(date +%s)

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cleanup() {
    "$testbed" down "$state" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$testbed" up "$state" lan1:home:192.168.77.11 lan2:home:192.168.77.12 lan3:home:192.168.77.13 lan4:home:192.168.77.14 \
    gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 > "$work/up.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$work/up.log"
    exit $status # 77: skipped (no root or tools), else a testbed failure
fi

project="$work/mesh.yaml"
{
    echo "hosts:"
    for n in 1 2 3 4; do
        cat <<EOF
  lan$n:
    os: Linux
    ssh: {host: '192.168.77.1$n', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.1$n'}
    wg0: {ip: '10.77.0.1$n'}
EOF
    done
    for n in 1 2; do
        cat <<EOF
  gw$n:
    os: Linux
    ssh: {host: '198.18.77.2$n', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.2$n'}
    wg0: {ip: '10.77.0.2$n'}
EOF
    done
} > "$project"

deploy() { # log-name, then meshwright deploy arguments
    local log=$1; shift
    "$testbed" ctl "$state" "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$work/mesh.keys" "$@" \
        > "$work/$log.log" 2>&1
}
conf() { "$testbed" exec "$state" "$1" cat /etc/wireguard/wg0.conf 2>/dev/null; }
pings_all() { # host
    local h=$1 a
    for a in 10.77.0.11 10.77.0.12 10.77.0.13 10.77.0.14 10.77.0.21 10.77.0.22; do
        "$testbed" exec "$state" "$h" ping -c 1 -W 2 "$a" >/dev/null 2>&1 ||
            "$testbed" exec "$state" "$h" ping -c 1 -W 2 "$a" >/dev/null 2>&1 || return 1
    done
}

# --- Happy path ---------------------------------------------------------------------------
deploy first
first_status=$?
check "first deploy exits 0" [ $first_status -eq 0 ]
check "first deploy: every host updated" \
    sh -c "[ \$(grep -cE '^(lan[1-4]|gw[12]) +updated ' '$work/first.log') -eq 6 ]" || cat "$work/first.log"
for h in lan1 lan2 lan3 lan4 gw1 gw2; do
    check "$h reaches every mesh address" pings_all "$h"
done
handshakes=$("$testbed" exec "$state" gw1 wg show wg0 latest-handshakes | awk '$2 > 0' | wc -l)
check "gw1 has handshakes with all 5 peers ($handshakes)" [ "$handshakes" -eq 5 ]
deploy second
check "the second deploy exits 0" [ $? -eq 0 ]
check "a second deploy changes nothing (6 unchanged)" \
    sh -c "[ \$(grep -cE '^(lan[1-4]|gw[12]) +unchanged ' '$work/second.log') -eq 6 ]"
check "and writes nothing: no backup left, config untouched" \
    sh -c "! '$testbed' exec '$state' lan1 test -e /etc/wireguard/wg0.conf.meshwright-backup"

# --- A dry run shows the diffs, keys masked, and changes nothing ---------------------------
before_lan1=$(conf lan1)
printf 'defaults: {keepalive: 15}\n' >> "$project" # a real change for every LAN host
deploy dry --dry-run
check "dry run: a unified diff per changed host" \
    sh -c "grep -q '^--- /etc/wireguard/wg0.conf (on the host)' '$work/dry.log' && grep -q '^+PersistentKeepalive = 15' '$work/dry.log'"
check "dry run: keys masked" sh -c "grep -q 'PrivateKey = .*(hidden)' '$work/dry.log' && ! grep -qE '^[ +-]PrivateKey = [A-Za-z0-9+/]{43}=' '$work/dry.log'"
check "dry run: nothing changed on the hosts" [ "$(conf lan1)" = "$before_lan1" ]

# --- Auth refused: a key the hosts do not know -------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$work/stranger" >/dev/null
sed "s|identity: '$state/id_ed25519'|identity: '$work/stranger'|" "$project" > "$work/stranger.yaml"
"$testbed" ctl "$state" env HOME="$work" "$binary" deploy "$work/stranger.yaml" --hosts gw2 --known-hosts "$state/known_hosts" \
    --keys "$work/mesh.keys" > "$work/auth.log" 2>&1
check "auth refused: gw2 failed at authenticate" grep -qE '^gw2 +failed +authenticate ' "$work/auth.log"

# --- Faults: each leaves its host byte-identical and running ------------------------------
before_lan4=$(conf lan4)
before_lan3=$(conf lan3)
"$testbed" stop-sshd "$state" lan4 >/dev/null
"$testbed" rekey "$state" lan3 >/dev/null
deploy faults
check "the deploy with faults exits 1" [ $? -eq 1 ]
check "sshd stopped: lan4 failed at connect" grep -qE '^lan4 +failed +connect ' "$work/faults.log"
check "host key changed: lan3 refused at the host key, both fingerprints named" \
    sh -c "grep -E '^lan3 +failed +host key .*CHANGED' '$work/faults.log' | grep -q 'records SHA256:'"
check "one transaction: lan1 and lan2 are not switched either" \
    sh -c "grep -qE '^lan1 +not switched ' '$work/faults.log' && grep -qE '^lan2 +not switched ' '$work/faults.log' &&
        grep -qE '^nothing switched: lan3 failed to prepare' '$work/faults.log'"
check "lan4's config is byte-identical" [ "$(conf lan4)" = "$before_lan4" ]
check "lan3's config is byte-identical" [ "$(conf lan3)" = "$before_lan3" ]
"$testbed" start-sshd "$state" lan4 >/dev/null

# Unknown host key, not accepted: refused; with --accept-new-host-keys: recorded (0600).
cp "$state/known_hosts" "$work/known_hosts.saved"
grep -v '^192.168.77.14 ' "$work/known_hosts.saved" > "$state/known_hosts"
deploy unknown --hosts lan4
check "unknown host key: refused without acceptance" grep -qE '^lan4 +failed +host key .*unknown host key SHA256:' "$work/unknown.log"
deploy accepted --hosts lan4 --accept-new-host-keys
check "unknown host key: accepted and deployed with --accept-new-host-keys" grep -qE '^lan4 +updated ' "$work/accepted.log"
check "the recorded known_hosts is mode 0600" [ "$(stat -c %a "$state/known_hosts")" = 600 ]

# A reload command that fails: rolled back at once.
before_lan2=$(conf lan2)
sed -i "s|^    ssh: {host: '192.168.77.12', user: root,|    ssh: {host: '192.168.77.12', user: root, reload_cmd: 'false',|" "$project"
printf 'network: {ipv4: "10.77.0.0/24"}\n' >> "$project"
sed -i 's/^defaults: {keepalive: 15}$/defaults: {keepalive: 20}/' "$project"
deploy reload --hosts lan2
check "reload failing: lan2 rolled back" grep -qE '^lan2 +rolled back +reload ' "$work/reload.log"
check "lan2's config is byte-identical after the failed reload" [ "$(conf lan2)" = "$before_lan2" ]
check "lan2 still reaches every mesh address" pings_all lan2
sed -i "s|, reload_cmd: 'false',|,|" "$project"

# The candidate rejected by the host's own parser: it never replaces the live config.
before_lan4=$(conf lan4)
"$testbed" exec "$state" lan4 sh -c 'cp /usr/bin/wg-quick /run/wg-quick.real && printf "%s\n" "#!/bin/sh" \
    "case \"\$1:\$2\" in strip:/tmp/*) echo \"fake parser: rejected\" >&2; exit 1 ;; esac" \
    "exec /run/wg-quick.real \"\$@\"" > /run/wg-quick.fake && chmod +x /run/wg-quick.fake && mount --bind /run/wg-quick.fake /usr/bin/wg-quick'
sed -i 's/^defaults: {keepalive: 20}$/defaults: {keepalive: 21}/' "$project"
deploy rejected --hosts lan4
check "candidate rejected by wg-quick strip: lan4 failed at validate" \
    grep -qE '^lan4 +failed +validate on host +rejected by wg-quick strip: fake parser: rejected' "$work/rejected.log"
check "lan4's config is byte-identical after the rejection" [ "$(conf lan4)" = "$before_lan4" ]
"$testbed" exec "$state" lan4 umount /usr/bin/wg-quick

# The connection cut in the middle of a deploy: the host ends on its previous config.
before_lan2=$(conf lan2)
# A dropped path sends no reset; the deploy must notice by itself (bounded here by timeout).
cut_started=$(date +%s)
( timeout 150 "$testbed" ctl "$state" "$binary" deploy "$project" --hosts lan2 --known-hosts "$state/known_hosts" \
    --keys "$work/mesh.keys" --confirm-timeout 20 > "$work/cut.log" 2>&1 ) &
deployer=$!
# The cut comes while lan2 validates its candidates (they travel in that command's input).
cut_seen=0
for _ in $(seq 1 200); do grep -q '^lan2: validate on host' "$work/cut.log" 2>/dev/null && { cut_seen=1; break; }; sleep 0.025; done
"$testbed" exec "$state" lan2 sh -c 'nft add table inet mwcut &&
    nft add chain inet mwcut input "{ type filter hook input priority -10; }" && nft add rule inet mwcut input tcp dport 22 drop &&
    nft add chain inet mwcut output "{ type filter hook output priority -10; }" && nft add rule inet mwcut output tcp sport 22 drop'
wait $deployer
cut_status=$?
echo "info: the cut deploy ended after $(( $(date +%s) - cut_started )) s"
check "connection cut: the cut came while lan2 was being prepared" [ $cut_seen -eq 1 ]
check "connection cut: the deploy exits 1 and names lan2" sh -c "[ $cut_status -eq 1 ] && grep -qE '^lan2 +(failed|rolled back) ' '$work/cut.log'" ||
    tail -5 "$work/cut.log"
"$testbed" exec "$state" lan2 nft delete table inet mwcut
sleep 22 # longer than --confirm-timeout: had lan2 switched, its timer has fired
check "connection cut: lan2's config is byte-identical" [ "$(conf lan2)" = "$before_lan2" ] ||
    diff <(echo "$before_lan2") <(conf lan2) | head -5
check "connection cut: lan2 still reaches every mesh address" pings_all lan2

# The GUI's deploy code: the Deploy dialog with the SSH deployer deploys a change.
if [ -n "$guitest" ]; then
    sed -i 's/^defaults: {keepalive: [0-9]*}$/defaults: {keepalive: 23}/' "$project"
    "$testbed" ctl "$state" env QT_QPA_PLATFORM=offscreen MESHWRIGHT_E2E_PROJECT="$project" \
        MESHWRIGHT_E2E_KNOWN_HOSTS="$state/known_hosts" MESHWRIGHT_E2E_HOSTS=lan1,lan2,lan4,gw1,gw2 MESHWRIGHT_E2E_SCREENSHOTS="${MESHWRIGHT_E2E_SCREENSHOTS:-}" "$guitest" > "$work/gui.log" 2>&1
    gui_status=$?
    check "the GUI's deploy code deploys lan1, lan2, lan4, gw1, gw2" [ $gui_status -eq 0 ] || tail -15 "$work/gui.log"
    check "the dialog confirms the five: 3 switched, 2 unchanged" \
        grep -qE 'confirmed: 5 hosts, [0-9]+ links verified \(3 switched, 2 unchanged\)' "$work/gui.log"
    for h in lan1 lan2 lan4; do
        check "$h runs keepalive 23 and reaches every mesh address" \
            sh -c "'$testbed' exec '$state' $h grep -q 'PersistentKeepalive = 23' /etc/wireguard/wg0.conf" && pings_all $h
    done
fi

echo "info: total $(( $(date +%s) - started )) s"
echo "deploy scenario: $passed passed, $failed failed"
[ $failed -eq 0 ]
