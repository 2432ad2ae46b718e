#!/usr/bin/env bash
# Adopting a running estate: three hosts on the SSH testbed brought up by hand with
# wg-quick (keys from `wg genkey`, configs written the way people write them: their own
# comments and order, a PostUp line, a preshared key on one link only). Their configs are
# read off the hosts and imported; the project, with SSH settings added, is deployed back:
# every host is "unchanged" (no file written, nothing reloaded, byte for byte the same), and
# every link pings. Then the adopted mesh takes an ordinary change (a keepalive), deployed
# and verified. A config with a second address is refused with its file and line, and
# nothing is written; a host whose SSH key changed is refused.
#
#   import-scenario.sh MESHWRIGHT        (as root; exit 77 when the testbed skips)
#
# The last line is "import scenario: N passed, M failed".
binary=${1:?usage: import-scenario.sh MESHWRIGHT}
. "$(cd "$(dirname "$0")" && pwd)/scenario-lib.sh"
scenario_start import a1:home:192.168.77.41 a2:home:192.168.77.42 g1:internet:198.18.77.41
on() { "$testbed" exec "$state" "$@"; } # on HOST CMD...
hosts=(a1 a2 g1)
declare -A priv pub mesh
for h in "${hosts[@]}"; do
    priv[$h]=$(wg genkey) && pub[$h]=$(printf '%s\n' "${priv[$h]}" | wg pubkey) || { echo "FAIL: wg genkey"; exit 1; }
done
psk=$(wg genpsk)
mesh=([a1]=10.88.0.1 [a2]=10.88.0.2 [g1]=10.88.0.3)

# The estate as its owner wrote it.
estate="$work/estate"
mkdir -p "$estate/by-hand"
cat > "$estate/by-hand/a1.conf" <<EOF
# a1, the NAS: written by hand
[Interface]
Address = ${mesh[a1]}/32
PrivateKey = ${priv[a1]}
ListenPort = 51820
PostUp = true

[Peer]
# the cloud box
PublicKey = ${pub[g1]}
PresharedKey = $psk
Endpoint = 198.18.77.41:51820
AllowedIPs = ${mesh[g1]}/32
PersistentKeepalive = 25

[Peer]
PublicKey = ${pub[a2]}
AllowedIPs = ${mesh[a2]}/32
Endpoint = 192.168.77.42:51820
EOF
cat > "$estate/by-hand/a2.conf" <<EOF
[Interface]
PrivateKey = ${priv[a2]}
Address = ${mesh[a2]}
ListenPort = 51820

[Peer]
PublicKey = ${pub[a1]}
Endpoint = 192.168.77.41:51820
AllowedIPs = ${mesh[a1]}/32

[Peer]
PublicKey = ${pub[g1]}
Endpoint = 198.18.77.41:51820
AllowedIPs = ${mesh[g1]}/32
PersistentKeepalive = 25
EOF
cat > "$estate/by-hand/g1.conf" <<EOF
[Interface]
PrivateKey = ${priv[g1]}
Address = ${mesh[g1]}/32
ListenPort = 51820

[Peer]
PublicKey = ${pub[a2]}
AllowedIPs = ${mesh[a2]}/32

[Peer]
PublicKey = ${pub[a1]}
PresharedKey = $psk
AllowedIPs = ${mesh[a1]}/32
EOF
for h in "${hosts[@]}"; do
    on "$h" install -m 600 "$estate/by-hand/$h.conf" /etc/wireguard/wg0.conf &&
        on "$h" wg-quick up wg0 > "$work/up-$h.log" 2>&1 || { cat "$work/up-$h.log"; echo "FAIL: wg-quick up wg0 on $h"; exit 1; }
done
ping_once() { on "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; }
pings() { # pings: every host reaches every other through the tunnel (bounded: 10 tries a pair)
    local a b i ok_all=0
    for a in "${hosts[@]}"; do
        for b in "${hosts[@]}"; do
            [ "$a" = "$b" ] && continue
            for i in $(seq 10); do ping_once "$a" "${mesh[$b]}" && continue 2; done
            echo "info: $a cannot ping $b"
            ok_all=1
        done
    done
    return $ok_all
}
check "the hand-made mesh runs: every pair pings" pings

# Read the configs off the hosts, as an admin would copy them.
mkdir -p "$estate/copied"
for h in "${hosts[@]}"; do on "$h" cat /etc/wireguard/wg0.conf > "$estate/copied/$h.conf"; done
sums() { for h in "${hosts[@]}"; do on "$h" sha256sum /etc/wireguard/wg0.conf; done; }
before=$(sums)

# Refused: a config with a second IPv4 address, which a host cannot have; nothing written.
mkdir -p "$estate/stray"
cp "$estate/copied/"*.conf "$estate/stray/"
sed -i 's|^\[Interface\]$|[Interface]\nAddress = 10.88.0.99/32|' "$estate/stray/a2.conf"
"$binary" import --out "$work/stray.yaml" "$estate/stray" > "$work/stray.out" 2>&1
rc=$?
check "import refuses a second address (exit 2)" [ $rc -eq 2 ]
check "... naming the file and line" grep -qE "stray/a2.conf:[0-9]+: a second IPv4 address" "$work/stray.out"
check "... and writes nothing" test ! -e "$work/stray.yaml" -a ! -e "$work/stray.keys"

# From the copied files: the same graph, without SSH settings (the files do not say them).
"$binary" import --out "$work/files.yaml" "$estate/copied" > "$work/files.out" 2>&1
check "meshwright import of the copied files (exit 0)" [ $? -eq 0 ]
check "... keeps the PostUp line" grep -q "note: a1: 1 Pre/PostUp/Down line(s) kept as written" "$work/files.out"

# Over SSH, from the running hosts: their SSH settings are recorded for the deploy.
declare -A address=([a1]=192.168.77.41 [a2]=192.168.77.42 [g1]=198.18.77.41)
ssh_args=()
for h in "${hosts[@]}"; do ssh_args+=(--ssh "$h=root@${address[$h]}"); done
"$testbed" ctl "$state" "$binary" import --out "$project" "${ssh_args[@]}" --identity "$state/id_ed25519" \
    --known-hosts "$state/known_hosts" > "$work/import.out" 2>&1
check "meshwright import --ssh (exit 0)" [ $? -eq 0 ]
check "... the key store is private (0600)" [ "$(stat -c %a "$keys")" = 600 ]
check "... records each host's SSH settings" [ "$(grep -c "ssh:" "$project")" -eq 3 ]
check "... and never prints a key" sh -c "! grep -qF -e '${priv[a1]}' -e '$psk' '$work/import.out'"
same_but_ssh() { diff <(grep -v -e '^    ssh:' -e '^      ' "$project") <(grep -v -e '^      ' "$work/files.yaml") >/dev/null; }
check "... the same project as from the files, but for SSH" same_but_ssh
"$binary" validate "$project" > "$work/validate.out" 2>&1
check "the imported project validates" [ $? -eq 0 ]

deploy() { # deploy NAME [OPTION...]
    local name=$1
    shift
    "$testbed" ctl "$state" timeout 180 "$binary" deploy "$project" --known-hosts "$state/known_hosts" --keys "$keys" \
        --accept-new-host-keys "$@" > "$work/$name.out" 2>&1
}
deploy adopt
check "deploying the imported project back (exit 0)" [ $? -eq 0 ]
for h in "${hosts[@]}"; do
    check "$h: unchanged" grep -qE "^$h +unchanged " "$work/adopt.out"
done
check "... nothing switched" grep -q "^unchanged: 3 hosts, nothing to switch" "$work/adopt.out"
check "... every host's wg0.conf byte for byte as it was" [ "$(sums)" = "$before" ]
check "... and every pair still pings" pings
"$testbed" ctl "$state" timeout 60 "$binary" status "$project" --known-hosts "$state/known_hosts" --keys "$keys" > "$work/status.out" 2>&1
check "meshwright status: every link alive (exit 0)" [ $? -eq 0 ]

# The key store encrypted: a deploy without its passphrase changes nothing; with it, as before.
plain_store=$(sha256sum < "$keys")
printf 'e2e passphrase\n' > "$work/passphrase"
"$binary" keys encrypt "$project" --keys "$keys" --new-passphrase-file "$work/passphrase" > "$work/encrypt.out" 2>&1
check "keys encrypt (exit 0)" [ $? -eq 0 ]
check "... no key left in the store in plain text" sh -c "! grep -qaF -e '${priv[a1]}' -e '$psk' '$keys'"

# An ordinary change to the adopted mesh: deployed, verified by traffic, confirmed.
# (links: is the file's last section when there is one)
grep -q '^links:' "$project" || echo 'links:' >> "$project"
printf '  - hosts: [a1, g1]\n    keepalive: 15\n' >> "$project"
deploy locked
check "a deploy with no passphrase for the store is refused (exit 2)" [ $? -eq 2 ]
check "... saying how to give it" grep -q -- "--passphrase-file" "$work/locked.out"
check "... and every host's wg0.conf is as it was" [ "$(sums)" = "$before" ]
deploy change --passphrase-file "$work/passphrase"
check "a keepalive change deploys on the encrypted store (exit 0)" [ $? -eq 0 ]
check "... confirmed" grep -qE "^confirmed: " "$work/change.out"
check "... a1 runs it" sh -c "'$testbed' exec '$state' a1 wg show wg0 persistent-keepalive | grep -q '	15$'"
check "... and every pair pings" pings
check "... and no key in anything deploy printed" sh -c "! grep -qaF -e '${priv[a1]}' -e '${priv[a2]}' -e '${priv[g1]}' -e '$psk' '$work/change.out' '$work/locked.out'"
"$binary" keys decrypt "$project" --keys "$keys" --passphrase-file "$work/passphrase" > "$work/decrypt.out" 2>&1
check "keys decrypt gives the store back byte for byte" [ "$(sha256sum < "$keys")" = "$plain_store" ]

# Deploy's host-key policy: a host whose key changed is refused, even with new keys accepted.
"$testbed" rekey "$state" g1 >/dev/null 2>&1 || { echo "FAIL: rekey g1"; exit 1; }
"$testbed" ctl "$state" "$binary" import --out "$work/rekeyed.yaml" --ssh "g1=root@${address[g1]}" --identity "$state/id_ed25519" \
    --known-hosts "$state/known_hosts" --accept-new-host-keys > "$work/rekeyed.out" 2>&1
check "import --ssh refuses a changed host key (exit 2)" [ $? -eq 2 ]
check "... saying so" grep -qi "changed" "$work/rekeyed.out"
check "... and writes nothing" [ ! -e "$work/rekeyed.yaml" ]

scenario_end
