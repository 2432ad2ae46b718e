#!/usr/bin/env bash
# The fleet-wide deploy transaction on the SSH testbed: one project of 4 LAN hosts behind a
# NAT router, 2 internet gateways and a roaming phone (installed by hand), changed step by
# step (first deploy, no-op, a host added, an address moved, IPv6, a link's keepalive, key
# and preshared-key rotations, a host removed and decommissioned, a subset deploy), each
# change deployed to the whole fleet with `meshwright deploy` and checked by a ping between
# every ordered pair of SSH hosts through the tunnels. Then faults: a host that cannot be
# prepared (nothing is switched), a link that fails verification (every host is rolled
# back), and the deploying program killed during verification (the host-side timers roll
# every host back). After each fault every host's wg0.conf is byte-identical to before.
#
#   fleet-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "fleet scenario: N passed, M failed".
# Host lists are plain words (lan1 gw1 ...), split on purpose where they are expanded:
# shellcheck disable=SC2046,SC2086
set -uo pipefail
export LC_ALL=C

binary=${1:?usage: fleet-scenario.sh MESHWRIGHT}
here=$(cd "$(dirname "$0")" && pwd)
testbed="$here/testbed.sh"
work=$(mktemp -d /tmp/mw-fleet.XXXXXX)
state="$work/state"
project="$work/mesh.yaml"
keys="$work/mesh.keys"
passed=0
failed=0
started=$(date +%s)
deployer=""

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
info() { echo "info: $*"; }
matches() { [[ $1 =~ $2 ]]; } # matches STRING REGEX
in_list() { local w=$1; shift; [[ " $* " == *" $w "* ]]; } # in_list WORD LIST...

cleanup() {
    if [ -n "$deployer" ] && kill -0 "$deployer" 2>/dev/null; then kill -KILL "$deployer" 2>/dev/null; fi
    "$testbed" down "$state" >/dev/null 2>&1
    if [ "${MESHWRIGHT_E2E_KEEP:-}" = 1 ]; then echo "info: logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$testbed" up "$state" lan1:home:192.168.77.11 lan2:home:192.168.77.12 lan3:home:192.168.77.13 lan4:home:192.168.77.14 \
    lan5:home:192.168.77.15 gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 > "$work/up.log" 2>&1
status=$?
if [ $status -ne 0 ]; then
    cat "$work/up.log"
    exit $status # 77: skipped (no root or tools), else a testbed failure
fi
info "testbed of 7 hosts up in $(( $(date +%s) - started )) s"
# Deploys run through root's shell on each host; a real host reads its own .bashrc.
"$testbed" mask-bashrc "$state" || exit 1

# --- The project -----------------------------------------------------------------------------
# What the project holds now; write_project turns it into $project.
lan_hosts="lan1 lan2 lan3 lan4" # lan5 joins in scenario 3 and leaves in scenario 10
lan3_ip=10.77.0.13
v6=0            # 1: every host has an IPv6 mesh address fd77::X (X = its IPv4's last byte)
gw1_port=""     # gw1's own listen_port (empty: the default)
default_port="" # defaults.listen_port (empty: the default)
links=()        # entries of links:, e.g. "lan1 gw1 17" (A B KEEPALIVE)

ssh_hosts() { echo "$lan_hosts gw1 gw2"; }
mesh_ip() {
    case $1 in
        lan3) echo "$lan3_ip" ;;
        lan[0-9]) echo "10.77.0.1${1#lan}" ;;
        gw[0-9]) echo "10.77.0.2${1#gw}" ;;
        phone) echo 10.77.0.50 ;;
    esac
}
mesh_ip6() { local a; a=$(mesh_ip "$1"); echo "fd77::${a##*.}"; }
wg0_of() { # HOST: the flow mapping of its wg0
    local s
    s="ip: '$(mesh_ip "$1")'"
    [ "$v6" = 1 ] && s+=", ipv6: '$(mesh_ip6 "$1")'"
    [ "$1" = gw1 ] && [ -n "$gw1_port" ] && s+=", listen_port: $gw1_port"
    echo "{$s}"
}
write_project() {
    local h n l a b k
    {
        echo "network:"
        echo "  ipv4: '10.77.0.0/24'"
        [ "$v6" = 1 ] && echo "  ipv6: 'fd77::/64'"
        if [ -n "$default_port" ]; then
            echo "defaults:"
            echo "  listen_port: $default_port"
        fi
        echo "hosts:"
        for h in $lan_hosts; do
            n=${h#lan}
            cat <<EOF
  $h:
    os: Linux
    ssh: {host: '192.168.77.1$n', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    lan: {ip: '192.168.77.1$n'}
    wg0: $(wg0_of "$h")
    exclude_peers: [phone]
EOF
        done
        for n in 1 2; do
            cat <<EOF
  gw$n:
    os: Linux
    ssh: {host: '198.18.77.2$n', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.2$n'}
    wg0: $(wg0_of "gw$n")
EOF
        done
        # The phone roams (neither lan nor internet) and has no ssh: it is installed by hand.
        # It reaches the LAN hosts only through gw1 (exclusions are two-sided).
        cat <<EOF
  phone:
    os: Android
    wg0: $(wg0_of phone)
    exclude_peers: [${lan_hosts// /, }]
    gateway: false
EOF
        if [ ${#links[@]} -gt 0 ]; then
            echo "links:"
            for l in "${links[@]}"; do
                read -r a b k <<<"$l"
                echo "  - hosts: [$a, $b]"
                echo "    keepalive: $k"
            done
        fi
    } > "$project"
}
# restore_confirmed: after a fault, back to the project the fleet confirmed last (the faults
# only ever set gw1_port or default_port).
restore_confirmed() { gw1_port=""; default_port=""; write_project; }

# --- Running meshwright ---------------------------------------------------------------------
# deploy LOG [ARGS]: the deploy from the controller; stdout in LOG.out, stderr in LOG.err.
deploy() {
    local log=$1; shift
    timeout 240 "$testbed" ctl "$state" "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" "$@" \
        > "$work/$log.out" 2> "$work/$log.err"
}
verdict() { tail -n 1 "$work/$1.out"; }
show_log() { # LOG: the end of a deploy's output, after a failed check
    echo "    --- $1: stdout (last 30 lines), stderr (last 5)"
    tail -n 30 "$work/$1.out" 2>/dev/null | sed 's/^/    | /'
    tail -n 5 "$work/$1.err" 2>/dev/null | sed 's/^/    ! /'
}
# row LOG HOST RESULT: the host table has HOST with RESULT (rows "HOST  RESULT  STEP  reason").
row() { grep -qE "^$2 +$3( |\$)" "$work/$1.out"; }
row_of() { grep -E "^$2 +(updated|unchanged|rolled back|failed|not switched|cancelled)( |\$)" "$work/$1.out" | head -n 1; }
keys_list() { "$binary" keys list "$project" --keys "$keys" 2>&1; }
# listed_key HOST: HOST's public key in `keys list` (its line, not a pending one).
listed_key() { keys_list | grep -v pending | grep -E "^$1[: ]" | grep -oE '[A-Za-z0-9+/]{43}=' | head -n 1; }

# --- Looking at the hosts -------------------------------------------------------------------
on() { "$testbed" exec "$state" "$@"; }
conf_to() { on "$1" cat /etc/wireguard/wg0.conf > "$2" 2>/dev/null || echo "(no /etc/wireguard/wg0.conf)" >> "$2"; }
snapshot() { # DIR HOST...: every HOST's wg0.conf into DIR
    local d=$1 h; shift
    rm -rf "$d"; mkdir -p "$d"
    for h in "$@"; do conf_to "$h" "$d/$h"; done
}
changed_since() { # DIR HOST...: prints the HOSTs whose wg0.conf differs from DIR's copy
    local d=$1 h; shift
    for h in "$@"; do
        conf_to "$h" "$d/$h.now"
        cmp -s "$d/$h" "$d/$h.now" || printf '%s ' "$h"
    done
}
identical() { # LABEL DIR HOST...: a check that every HOST is byte-identical to DIR
    local label=$1 d=$2 diffs; shift 2
    diffs=$(changed_since "$d" "$@")
    check "$label: every host's wg0.conf byte-identical to before${diffs:+ (changed: $diffs)}" [ -z "$diffs" ]
    if [ -n "$diffs" ]; then
        local h; h=${diffs%% *}
        diff "$d/$h" "$d/$h.now" | grep -v -E 'PrivateKey|PresharedKey' | head -n 8 | sed "s/^/    $h: /"
    fi
}
pubkey() { on "$1" wg show wg0 public-key 2>/dev/null; }
psk_of() { # HOST PEER: the preshared key HOST runs with PEER
    local pk; pk=$(pubkey "$2")
    [ -n "$pk" ] && on "$1" wg show wg0 preshared-keys 2>/dev/null | awk -v k="$pk" '$1 == k { print $2 }'
}
keepalive_of() { # HOST PEER: HOST's live persistent keepalive towards PEER
    local pk; pk=$(pubkey "$2")
    [ -n "$pk" ] && on "$1" wg show wg0 persistent-keepalive 2>/dev/null | awk -v k="$pk" '$1 == k { print $2 }'
}
peer_section() { # HOST PEER: the [Peer] section for PEER (named by its "# PEER" line) in HOST's wg0.conf
    on "$1" cat /etc/wireguard/wg0.conf 2>/dev/null | awk -v n="$2" '
        /^\[/ { inpeer = ($0 == "[Peer]"); named = ""; next }
        inpeer && named == "" && /^# / { named = substr($0, 3); next }
        inpeer && named == n { print }'
}
has_line() { peer_section "$1" "$2" | grep -qxF -- "$3"; } # has_line HOST PEER LINE
no_backups() { # HOST...: no *.meshwright-backup left in any conf dir
    local h left=""
    for h in "$@"; do
        [ -z "$(on "$h" find /etc/wireguard -maxdepth 1 -name '*.meshwright-backup' 2>/dev/null)" ] || left+="$h "
    done
    [ -z "$left" ] || { echo "    backups left on: $left"; return 1; }
}
ping_once() { on "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; }
# failing_pairs FILE: every ordered pair of the project's SSH hosts, from inside the first to the
# second's mesh address (and its IPv6 one when v6=1), one retry each, sources in parallel; the
# pairs that do not ping go to FILE, one per line.
failing_pairs() {
    local fails=$1 src dst a pids=()
    : > "$fails"
    for src in $(ssh_hosts); do
        (
            for dst in $(ssh_hosts); do
                [ "$src" = "$dst" ] && continue
                for a in $(mesh_ip "$dst") $([ "$v6" = 1 ] && mesh_ip6 "$dst"); do
                    ping_once "$src" "$a" || ping_once "$src" "$a" || echo "$src->$dst($a)" >> "$fails"
                done
            done
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
}
# ping_pairs LABEL: one check that every pair pings.
ping_pairs() {
    local label=$1 fails="$work/pingfails" src dst n=0
    failing_pairs "$fails"
    for src in $(ssh_hosts); do for dst in $(ssh_hosts); do [ "$src" != "$dst" ] && n=$((n + 1)); done; done
    [ "$v6" = 1 ] && n=$((n * 2))
    check "$label: all $n pings between every ordered pair of SSH hosts$([ "$v6" = 1 ] && echo ' (IPv4 and IPv6)')$([ -s "$fails" ] && echo "; failed: $(tr '\n' ' ' < "$fails")")" \
        [ ! -s "$fails" ]
}
# nft_block HOST PORT / nft_unblock HOST: drop incoming UDP to PORT inside HOST.
nft_block() {
    on "$1" sh -c "nft add table inet mwdrop && nft add chain inet mwdrop input '{ type filter hook input priority -10; }' &&
        nft add rule inet mwdrop input udp dport $2 drop"
}
nft_unblock() { on "$1" nft delete table inet mwdrop 2>/dev/null; }

# expect_confirmed LOG STATUS SCOPE UPDATED: the checks of a confirmed deploy. SCOPE: the hosts
# deployed ("all" for the whole fleet), UPDATED: those whose config changed (the rest of SCOPE
# must say unchanged). A whole-fleet deploy verifies every link between SSH hosts.
expect_confirmed() {
    local log=$1 rc=$2 scope=$3 updated=$4 v h want wrong="" a b i j pairs=0 missing="" mark=$failed list=()
    [ "$scope" = all ] && scope=$(ssh_hosts)
    v=$(verdict "$log")
    check "$log: exit 0 (status $rc)" [ "$rc" -eq 0 ]
    check "$log: the last line is 'confirmed: N hosts, M links verified' ($v)" \
        matches "$v" '^confirmed: [0-9]+ hosts?, [0-9]+ links? verified( \(|;|$)'
    for h in $scope; do
        want=unchanged
        in_list "$h" $updated && want=updated
        row "$log" "$h" "$want" || wrong+="$h: '$(row_of "$log" "$h")' (want $want); "
    done
    check "$log: host table: updated ${updated:-none}; the others unchanged${wrong:+ -- $wrong}" [ -z "$wrong" ]
    check "$log: phases prepare, switch, verify, confirm, in this order" \
        sh -c "sed -nE 's/^phase: (prepare|switch|verify|confirm)( \(.*\))?\$/\1/p' '$work/$log.out' | uniq | tr '\n' ' ' |
            grep -qx 'prepare switch verify confirm '"
    check "$log: no link failed verification" \
        sh -c "! grep -qE '^link .*: (no route|no handshake|no reply)( |\$)' '$work/$log.out'"
    if [ "$scope" = "$(ssh_hosts)" ]; then
        read -ra list <<<"$(ssh_hosts)"
        for ((i = 0; i < ${#list[@]}; i++)); do
            for ((j = i + 1; j < ${#list[@]}; j++)); do
                a=${list[i]}; b=${list[j]}; pairs=$((pairs + 1))
                grep -qE "^link ($a <-> $b|$b <-> $a): ok( |\$)" "$work/$log.out" || missing+="$a-$b "
            done
        done
        check "$log: every one of the $pairs links between SSH hosts verified ok${missing:+ (missing: $missing)}" [ -z "$missing" ]
        check "$log: the verdict counts $pairs links verified" matches "$v" ", $pairs links? verified( |;|\$)"
    fi
    check "$log: no host keeps a *.meshwright-backup" no_backups $(ssh_hosts)
    [ $failed -gt "$mark" ] && show_log "$log"
}
reimport() { grep -qE "^re-import: $2( |\$)" "$work/$1.out"; } # reimport LOG HOST
# json_check FILE VERDICT [HOST=RESULT...]: FILE is one JSON object with that verdict, a
# summary (the verdict line), host/link/reimport/waiting lists, and those host results.
json_check() {
    python3 -c '
import json, sys
path, verdict = sys.argv[1], sys.argv[2]
want = dict(arg.split("=", 1) for arg in sys.argv[3:])
try:
    with open(path) as f:
        doc = json.load(f)
except ValueError as e:
    sys.exit("    stdout is not one JSON object: %s" % e)
if not isinstance(doc, dict):
    sys.exit("    stdout is JSON but not an object")
problems = []
if doc.get("verdict") != verdict:
    problems.append("verdict %r, want %r" % (doc.get("verdict"), verdict))
if not str(doc.get("summary", "")).startswith(verdict + ":"):
    problems.append("summary %r does not start with %r" % (doc.get("summary"), verdict + ":"))
for key in ("hosts", "links", "reimport", "waiting"):
    if not isinstance(doc.get(key), list):
        problems.append("no list %r" % key)
hosts = {}
for h in doc.get("hosts") or []:
    if not isinstance(h, dict) or any(k not in h for k in ("host", "result", "step", "reason")):
        problems.append("host entry without host/result/step/reason: %r" % (h,))
    else:
        hosts[h["host"]] = h
for l in doc.get("links") or []:
    if not isinstance(l, dict) or any(k not in l for k in ("a", "b", "from", "result", "detail")):
        problems.append("link entry without a/b/from/result/detail: %r" % (l,))
for host, result in want.items():
    got = hosts.get(host, {}).get("result")
    if got != result:
        problems.append("%s: result %r, want %r" % (host, got, result))
if problems:
    sys.exit("    " + "; ".join(problems))
' "$@"
}
scenario() { echo "--- $*"; scenario_started=$(date +%s); }
took() { info "took $(( $(date +%s) - scenario_started )) s"; }

# --- 1. First deploy --------------------------------------------------------------------------
scenario "1. first deploy: lan1-4, gw1, gw2 and the phone"
write_project
deploy s1-first
expect_confirmed s1-first $? all "$(ssh_hosts)"
reimport s1-first phone && info "the first deploy names the phone for re-import"
ping_pairs "s1-first"
took

# --- 2. Unchanged -----------------------------------------------------------------------------
scenario "2. a second deploy of the same project changes nothing"
snapshot "$work/snap2" $(ssh_hosts)
deploy s2-unchanged
rc=$?
mark=$failed
check "s2-unchanged: exit 0 (status $rc)" [ $rc -eq 0 ]
v=$(verdict s2-unchanged)
check "s2-unchanged: the last line is 'unchanged: N hosts, nothing to switch' ($v)" \
    matches "$v" '^unchanged: [0-9]+ hosts?, nothing to switch$'
wrong=""
for h in $(ssh_hosts); do row s2-unchanged "$h" unchanged || wrong+="$h "; done
check "s2-unchanged: every host unchanged${wrong:+ (not: $wrong)}" [ -z "$wrong" ]
check "s2-unchanged: nothing switched (no 'phase: switch')" sh -c "! grep -q '^phase: switch' '$work/s2-unchanged.out'"
check "s2-unchanged: the phone is not named for re-import" sh -c "! grep -q '^re-import: ' '$work/s2-unchanged.out'"
[ $failed -gt $mark ] && show_log s2-unchanged
identical "s2-unchanged" "$work/snap2" $(ssh_hosts)
deploy s2-json --json
rc=$?
check "s2-json: exit 0 (status $rc)" [ $rc -eq 0 ]
expect=()
for h in $(ssh_hosts); do expect+=("$h=unchanged"); done
check "s2-json: one JSON object, verdict unchanged, every host unchanged" json_check "$work/s2-json.out" unchanged "${expect[@]}"
check "s2-json: progress on stderr, not stdout" sh -c "! grep -q '^phase: ' '$work/s2-json.out'"
deploy s2-bad --hosts nosuchhost
rc=$?
check "s2-bad: --hosts naming no host of the project exits 2 (status $rc)" [ $rc -eq 2 ]
identical "s2-bad" "$work/snap2" $(ssh_hosts)
took

# --- 3. Add a host ----------------------------------------------------------------------------
scenario "3. add lan5"
lan_hosts="lan1 lan2 lan3 lan4 lan5"
write_project
deploy s3-add-lan5
expect_confirmed s3-add-lan5 $? all "$(ssh_hosts)"
ping_pairs "s3-add-lan5"
took

# --- 4. Move an address -----------------------------------------------------------------------
scenario "4. lan3's mesh address 10.77.0.13 -> 10.77.0.33"
lan3_ip=10.77.0.33
write_project
deploy s4-move-lan3
expect_confirmed s4-move-lan3 $? all "$(ssh_hosts)"
ping_pairs "s4-move-lan3"
reached=""
pids=()
for h in $(ssh_hosts); do
    ( ping_once "$h" 10.77.0.13 && echo "$h" >> "$work/reached-old" ) &
    pids+=($!)
done
wait "${pids[@]}"
[ -f "$work/reached-old" ] && reached=$(tr '\n' ' ' < "$work/reached-old")
check "s4-move-lan3: nobody reaches the old address 10.77.0.13${reached:+ (reached from: $reached)}" [ -z "$reached" ]
took

# --- 5. IPv6 ----------------------------------------------------------------------------------
scenario "5. IPv6 for every host (fd77::/64)"
v6=1
write_project
deploy s5-ipv6
expect_confirmed s5-ipv6 $? all "$(ssh_hosts)"
check "s5-ipv6: the phone's config changed: 're-import: phone'" reimport s5-ipv6 phone
ping_pairs "s5-ipv6"
took

# --- 6. A link's keepalive --------------------------------------------------------------------
scenario "6. keepalive 17 on the link lan1-gw1"
links=("lan1 gw1 17")
write_project
deploy s6-keepalive
expect_confirmed s6-keepalive $? all "lan1 gw1"
check "s6-keepalive: lan1's wg0.conf has PersistentKeepalive = 17 in gw1's section" has_line lan1 gw1 'PersistentKeepalive = 17'
ka=$(keepalive_of lan1 gw1)
check "s6-keepalive: lan1 runs keepalive 17 towards gw1 (wg show: ${ka:-nothing})" [ "$ka" = 17 ]
ping_pairs "s6-keepalive"
took

# --- 7. Rotate a host's keys ------------------------------------------------------------------
scenario "7. rotate lan2's keys"
old_lan2=$(pubkey lan2)
listed=$(listed_key lan2)
check "s7-rotate-lan2: keys list names the key lan2 runs before the rotation" sh -c "[ -n '$old_lan2' ] && [ '$listed' = '$old_lan2' ]"
"$binary" keys rotate "$project" lan2 --keys "$keys" > "$work/s7-rotate.log" 2>&1
check "s7-rotate-lan2: keys rotate exits 0" [ $? -eq 0 ] || cat "$work/s7-rotate.log"
keys_list > "$work/s7-list-pending.txt"
check "s7-rotate-lan2: keys list shows a pending rotation" grep -q pending "$work/s7-list-pending.txt"
check "s7-rotate-lan2: the store keeps the old key until a deploy is confirmed" grep -qF "$old_lan2" "$work/s7-list-pending.txt"
deploy s7-rotate-lan2
expect_confirmed s7-rotate-lan2 $? all "$(ssh_hosts)"
check "s7-rotate-lan2: the phone (no peer of lan2) is not named for re-import" sh -c "! grep -q '^re-import: phone' '$work/s7-rotate-lan2.out'"
new_lan2=$(listed_key lan2)
live_lan2=$(pubkey lan2)
check "s7-rotate-lan2: lan2 runs the new key from keys list (${live_lan2:0:8}... = ${new_lan2:0:8}...)" \
    sh -c "[ -n '$new_lan2' ] && [ '$live_lan2' = '$new_lan2' ] && [ '$new_lan2' != '$old_lan2' ]"
check "s7-rotate-lan2: no pending rotation left in keys list" sh -c "! '$binary' keys list '$project' --keys '$keys' 2>&1 | grep -q pending"
wrong=""
for h in $(ssh_hosts); do
    [ "$h" = lan2 ] && continue
    peers=$(on "$h" wg show wg0 peers 2>/dev/null)
    { grep -qxF -- "$new_lan2" <<<"$peers" && ! grep -qxF -- "$old_lan2" <<<"$peers"; } || wrong+="$h "
done
check "s7-rotate-lan2: every peer of lan2 has its new key, none the old one${wrong:+ (not: $wrong)}" [ -z "$wrong" ]
ping_pairs "s7-rotate-lan2"
took

# --- 8. Rotate a preshared key ----------------------------------------------------------------
scenario "8. rotate the preshared key of lan1-lan4"
psk_before=$(psk_of lan1 lan4)
psk12_before=$(psk_of lan1 lan2)
"$binary" keys rotate "$project" lan1 --psk lan4 --keys "$keys" > "$work/s8-rotate.log" 2>&1
check "s8-psk: keys rotate --psk exits 0" [ $? -eq 0 ] || cat "$work/s8-rotate.log"
check "s8-psk: keys list shows a pending rotation" sh -c "'$binary' keys list '$project' --keys '$keys' 2>&1 | grep -q pending"
deploy s8-psk
expect_confirmed s8-psk $? all "lan1 lan4"
psk_after=$(psk_of lan1 lan4)
check "s8-psk: lan1 runs a new preshared key with lan4" sh -c "[ -n '$psk_after' ] && [ '$psk_after' != '(none)' ] && [ '$psk_after' != '$psk_before' ]"
check "s8-psk: lan4 runs the same one with lan1" [ "$(psk_of lan4 lan1)" = "$psk_after" ]
check "s8-psk: lan1's preshared key with lan2 is unchanged" [ "$(psk_of lan1 lan2)" = "$psk12_before" ]
check "s8-psk: no pending rotation left in keys list" sh -c "! '$binary' keys list '$project' --keys '$keys' 2>&1 | grep -q pending"
ping_pairs "s8-psk"
took

# --- 9. Rotate a gateway's keys: the phone must re-import -------------------------------------
scenario "9. rotate gw1's keys (the phone is its peer)"
old_gw1=$(pubkey gw1)
"$binary" keys rotate "$project" gw1 --keys "$keys" > "$work/s9-rotate.log" 2>&1
check "s9-rotate-gw1: keys rotate exits 0" [ $? -eq 0 ] || cat "$work/s9-rotate.log"
deploy s9-rotate-gw1
expect_confirmed s9-rotate-gw1 $? all "$(ssh_hosts)"
check "s9-rotate-gw1: stdout names the phone: 're-import: phone'" reimport s9-rotate-gw1 phone
new_gw1=$(listed_key gw1)
check "s9-rotate-gw1: gw1 runs the new key from keys list" \
    sh -c "[ -n '$new_gw1' ] && [ '$(pubkey gw1)' = '$new_gw1' ] && [ '$new_gw1' != '$old_gw1' ]"
check "s9-rotate-gw1: no pending rotation left in keys list" sh -c "! '$binary' keys list '$project' --keys '$keys' 2>&1 | grep -q pending"
ping_pairs "s9-rotate-gw1"
took

# --- 10. Remove a host, then decommission it --------------------------------------------------
scenario "10. remove lan5 from the project, then decommission it"
cp "$project" "$work/with-lan5.yaml"
lan5_key=$(pubkey lan5)
snapshot "$work/snap10-lan5" lan5
lan_hosts="lan1 lan2 lan3 lan4"
write_project
deploy s10-remove-lan5
expect_confirmed s10-remove-lan5 $? all "$(ssh_hosts)"
check "s10-remove-lan5: no link of lan5 is verified" sh -c "! grep -qE '^link .*\\<lan5\\>' '$work/s10-remove-lan5.out'"
wrong=""
for h in $(ssh_hosts); do
    { on "$h" wg show wg0 peers 2>/dev/null | grep -qxF -- "$lan5_key" || on "$h" grep -qF -- "$lan5_key" /etc/wireguard/wg0.conf; } &&
        wrong+="$h "
done
check "s10-remove-lan5: no host has lan5's public key as a peer (live or in wg0.conf)${wrong:+ (still: $wrong)}" \
    sh -c "[ -n '$lan5_key' ] && [ -z '$wrong' ]"
identical "s10-remove-lan5: lan5 (outside the project) is untouched" "$work/snap10-lan5" lan5
ping_pairs "s10-remove-lan5"
snapshot "$work/snap10" $(ssh_hosts)
timeout 120 "$testbed" ctl "$state" "$binary" decommission "$project" lan5 --ssh-from "$work/with-lan5.yaml" \
    --known-hosts "$state/known_hosts" --keys "$keys" > "$work/s10-decommission.out" 2> "$work/s10-decommission.err"
rc=$?
check "s10-decommission: exit 0 (status $rc)" [ $rc -eq 0 ] || show_log s10-decommission
check "s10-decommission: lan5 has no wg0 interface" sh -c "! '$testbed' exec '$state' lan5 ip link show wg0 >/dev/null 2>&1"
check "s10-decommission: lan5 has no /etc/wireguard/wg0.conf" sh -c "! '$testbed' exec '$state' lan5 test -e /etc/wireguard/wg0.conf"
check "s10-decommission: lan5 keeps its /etc/hosts (only Meshwright's block may go)" \
    sh -c "'$testbed' exec '$state' lan5 grep -q localhost /etc/hosts && ! '$testbed' exec '$state' lan5 grep -q '^# BEGIN meshwright' /etc/hosts"
identical "s10-decommission: the other hosts" "$work/snap10" $(ssh_hosts)
took

# --- 11. A subset deploy ----------------------------------------------------------------------
scenario "11. keepalive 23 on lan1-lan2, deployed with --hosts lan1,lan2"
others="lan3 lan4 gw1 gw2"
snapshot "$work/snap11" $others
links=("lan1 gw1 17" "lan1 lan2 23")
write_project
deploy s11-subset --hosts lan1,lan2
expect_confirmed s11-subset $? "lan1 lan2" "lan1 lan2"
identical "s11-subset: the hosts left out ($others)" "$work/snap11" $others
check "s11-subset: lan1's wg0.conf has PersistentKeepalive = 23 in lan2's section" has_line lan1 lan2 'PersistentKeepalive = 23'
ping_pairs "s11-subset"
took

# --- Faults: each leaves every host byte-identical and every previous ping working -----------
# --- 12. A host that cannot be prepared -------------------------------------------------------
scenario "12. lan4's sshd stopped, a change for every host"
snapshot "$work/snap12" $(ssh_hosts)
"$testbed" stop-sshd "$state" lan4 >/dev/null
default_port=51830
write_project
deploy f12-lan4-down
rc=$?
mark=$failed
v=$(verdict f12-lan4-down)
check "f12-lan4-down: exit 1 (status $rc)" [ $rc -eq 1 ]
check "f12-lan4-down: the last line is 'nothing switched: lan4 ...' ($v)" matches "$v" '^nothing switched: lan4( |$)'
check "f12-lan4-down: lan4 failed" row f12-lan4-down lan4 failed
check "f12-lan4-down: no host switched (no 'phase: switch', no host updated or rolled back)" \
    sh -c "! grep -qE '^phase: switch|^[a-z0-9]+ +(updated|rolled back)( |\$)' '$work/f12-lan4-down.out'"
[ $failed -gt $mark ] && show_log f12-lan4-down
identical "f12-lan4-down" "$work/snap12" $(ssh_hosts)
deploy f12-json --json
rc=$?
check "f12-json: exit 1 (status $rc)" [ $rc -eq 1 ]
check "f12-json: one JSON object, verdict 'nothing switched', lan4 failed" json_check "$work/f12-json.out" "nothing switched" lan4=failed
identical "f12-json" "$work/snap12" $(ssh_hosts)
"$testbed" start-sshd "$state" lan4 >/dev/null || bad "f12: lan4's sshd does not start again"
restore_confirmed
ping_pairs "f12-lan4-down: the previous mesh"
took

# --- 13. A link that fails verification -------------------------------------------------------
scenario "13. gw1 moves to a listen port that gw1 itself drops"
old_port=$(on gw1 wg show wg0 listen-port 2>/dev/null)
snapshot "$work/snap13" $(ssh_hosts)
nft_block gw1 51900 || bad "f13: cannot block UDP 51900 inside gw1"
gw1_port=51900
write_project
deploy f13-gw1-port
rc=$?
mark=$failed
v=$(verdict f13-gw1-port)
check "f13-gw1-port: exit 1 (status $rc)" [ $rc -eq 1 ]
check "f13-gw1-port: the last line is 'rolled back: ...; link ... gw1 ... had no ...' ($v)" \
    matches "$v" '^rolled back: [0-9]+ hosts?; link ([a-z0-9]+ <-> gw1|gw1 <-> [a-z0-9]+) had no (reply|route|handshake)( \(|,|;|$)'
check "f13-gw1-port: a link of gw1 is reported failed" \
    grep -qE '^link ([a-z0-9]+ <-> gw1|gw1 <-> [a-z0-9]+): no (reply|route|handshake)( |$)' "$work/f13-gw1-port.out"
check "f13-gw1-port: phases roll back, then verify previous links" \
    sh -c "sed -nE 's/^phase: (roll back|verify previous links)( \(.*\))?\$/\1/p' '$work/f13-gw1-port.out' | uniq | tr '\n' ';' |
        grep -qx 'roll back;verify previous links;'"
wrong=""
for h in $(ssh_hosts); do row f13-gw1-port "$h" "rolled back" || wrong+="$h: '$(row_of f13-gw1-port "$h")'; "; done
check "f13-gw1-port: every host rolled back${wrong:+ -- $wrong}" [ -z "$wrong" ]
[ $failed -gt $mark ] && show_log f13-gw1-port
identical "f13-gw1-port" "$work/snap13" $(ssh_hosts)
port=$(on gw1 wg show wg0 listen-port 2>/dev/null)
check "f13-gw1-port: gw1 listens on its previous port again ($port, was $old_port)" sh -c "[ -n '$port' ] && [ '$port' = '$old_port' ]"
nft_unblock gw1
restore_confirmed
ping_pairs "f13-gw1-port: the previous mesh"
took

# --- 14. The deploying program killed during verification ------------------------------------
# The change is the one of 13 (another port, also dropped on gw1), so verification cannot end
# before the kill; every host must then roll back by its own timer.
scenario "14. the deploy killed (SIGKILL) during 'phase: verify', --confirm-timeout 20"
snapshot "$work/snap14" $(ssh_hosts)
nft_block gw1 51901 || bad "f14: cannot block UDP 51901 inside gw1"
gw1_port=51901
write_project
# testbed.sh ctl execs nsenter, which execs meshwright: $! ends up as meshwright itself.
"$testbed" ctl "$state" "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
    --confirm-timeout 20 > "$work/f14-killed.out" 2> "$work/f14-killed.err" &
deployer=$!
for _ in $(seq 1 900); do # 90 s at most
    grep -qE '^phase: verify( \(.*\))?$' "$work/f14-killed.out" 2>/dev/null && break
    kill -0 "$deployer" 2>/dev/null || break
    sleep 0.1
done
target=$deployer
if [ "$(readlink "/proc/$deployer/exe" 2>/dev/null)" != "$(readlink -f "$binary")" ]; then
    for p in $(pgrep -P "$deployer" 2>/dev/null); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$binary")" ] && target=$p
    done
fi
kill -KILL "$target" 2>/dev/null
[ "$target" != "$deployer" ] && kill -KILL "$deployer" 2>/dev/null
killed_at=$(date +%s)
wait "$deployer" 2>/dev/null
deployer=""
check "f14-killed: the deploy reached 'phase: verify' and was killed there (no confirm, no roll back yet)" \
    sh -c "grep -qE '^phase: verify( \(.*\))?\$' '$work/f14-killed.out' && ! grep -qE '^phase: (confirm|roll back)' '$work/f14-killed.out'" ||
    show_log f14-killed
switched=$(changed_since "$work/snap14" gw1)
check "f14-killed: gw1 ran the new config when the deploy died" [ -n "$switched" ]
# The hosts' timers run 20 s from the switch: expect them within ~25 s of the kill, wait 45 at most.
restored=""
for _ in $(seq 1 45); do
    [ -z "$(changed_since "$work/snap14" $(ssh_hosts))" ] && [ "$(on gw1 wg show wg0 listen-port 2>/dev/null)" = "$old_port" ] &&
        { restored=1; break; }
    sleep 1
done
info "f14-killed: $([ -n "$restored" ] && echo "every host back" || echo "not every host back") after $(( $(date +%s) - killed_at )) s from the kill"
identical "f14-killed: after the host-side timers" "$work/snap14" $(ssh_hosts)
port=$(on gw1 wg show wg0 listen-port 2>/dev/null)
check "f14-killed: gw1 listens on its previous port again ($port, was $old_port)" sh -c "[ -n '$port' ] && [ '$port' = '$old_port' ]"
nft_unblock gw1
restore_confirmed
# The hosts' timers fire a moment apart: a LAN host that came back before its gateway
# retries its handshake every 5 s (WireGuard's rekey timeout). Bounded wait for that.
for _ in 1 2 3 4 5 6; do
    failing_pairs "$work/pingfails14"
    [ -s "$work/pingfails14" ] || break
    sleep 2
done
ping_pairs "f14-killed: the previous mesh"
took

echo "info: total $(( $(date +%s) - started )) s"
echo "fleet scenario: $passed passed, $failed failed"
[ $failed -eq 0 ]
