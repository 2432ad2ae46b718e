#!/usr/bin/env bash
# A reusable testbed of SSH-reachable hosts for deploy tests: a home network behind a
# NAT router, an "internet" network, and a controller (the admin's laptop) at home.
# Every host is a network namespace plus a private mount namespace (its own /run and
# /etc/wireguard) running its own sshd. See tests/e2e/README.md.
#
#   testbed.sh up STATE_DIR NAME:NET:IP...   build it (NET is home, office or internet)
#   testbed.sh ctl STATE_DIR CMD...          run CMD in the controller's network namespace
#   testbed.sh exec STATE_DIR NAME CMD...    run CMD inside host NAME (net + mount ns)
#   testbed.sh ssh STATE_DIR NAME CMD...     run CMD on NAME over ssh from the controller
#   testbed.sh stop-sshd STATE_DIR NAME      stop NAME's sshd and its sessions (open
#                                            connections drop, new ones are refused)
#   testbed.sh start-sshd STATE_DIR NAME     start it again
#   testbed.sh rekey STATE_DIR NAME          new host key + sshd restart, known_hosts kept
#   testbed.sh mask-bashrc STATE_DIR         hide this machine's root ~/.bashrc inside every
#                                            host (sshd runs commands through root's bash,
#                                            and a real host has its own); `down` undoes it
#   testbed.sh down STATE_DIR                remove everything (idempotent)
#   testbed.sh down-orphans                  remove testbeds whose STATE_DIR is gone
#
# Addresses: home 192.168.77.0/24 (router .1, controller .2), internet 198.18.77.0/24
# (router .1). The router masquerades home -> internet and lets nothing in that home did
# not start. Only addresses inside the namespaces made here are ever contacted.
# A bed with office hosts has a second site: office 192.168.78.0/24 behind a router of
# its own (.1; 198.18.77.254 on the internet) that does the same. Its hosts cannot be
# reached from home, so such a bed also has a management network, 10.77.255.0/24
# (controller .2, the hosts .10 on in order), that carries SSH and nothing else: every
# host's sshd listens there, and hosts.txt's sixth column is that address.
#
# Exit: CMD's status for ctl/exec/ssh; otherwise 0 ok, 1 error, 2 usage error,
#       77 `up` skipped (prerequisites missing; 1 instead when MESHWRIGHT_E2E=required).

set -euo pipefail
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

readonly HINT="run as root with iproute2, openssh-server, openssh-client, nftables, wireguard-tools, wireguard-go, util-linux, iputils-ping"
readonly HOME_PFX=192.168.77 INET_PFX=198.18.77 OFFICE_PFX=192.168.78 MGMT_PFX=10.77.255
readonly NAT_HOME_IP=192.168.77.1 NAT_INET_IP=198.18.77.1 CTL_IP=192.168.77.2
readonly NAT_OFFICE_IP=192.168.78.1 NAT2_INET_IP=198.18.77.254 CTL_MGMT_IP=10.77.255.2
readonly WG_ENV=(WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1)
RUNDIR=$(readlink -f /var/run 2>/dev/null || echo /run)
readonly RUNDIR
readonly NETNS_DIR=$RUNDIR/netns
readonly SSH_WAIT=${MESHWRIGHT_TESTBED_SSH_WAIT:-20}   # seconds for every sshd to answer
# The hosts stand in for other machines but share this one's CPUs: their sshd (and all it
# runs: the deploy's commands, wireguard-go) runs at this niceness, so that the program
# under test gets a CPU when it asks, as it would with hosts of their own.
readonly HOST_NICE=${MESHWRIGHT_TESTBED_NICE:-10}

SD=""          # STATE_DIR, absolute
ID=""          # 6 hex digits; every namespace is mwtb-$ID-*
PFX=""
NAMES=()
declare -A NET=() IP=() SIP=() # SIP: where sshd listens (IP, or the management address)

usage() {
    cat >&2 <<'EOF'
usage: testbed.sh up STATE_DIR NAME:NET:IP...   (NET: home, office or internet)
       testbed.sh ctl STATE_DIR CMD...
       testbed.sh exec STATE_DIR NAME CMD...
       testbed.sh ssh STATE_DIR NAME CMD...
       testbed.sh stop-sshd|start-sshd|rekey STATE_DIR NAME
       testbed.sh mask-bashrc STATE_DIR
       testbed.sh down STATE_DIR
       testbed.sh down-orphans
EOF
    exit 2
}
err() { echo "testbed: error: $*" >&2; }
die() { err "$*"; exit 1; }
info() { echo "testbed: $*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# skip REASON: prerequisites missing -> 77, or 1 where the e2e run is required.
skip() {
    echo "e2e skipped: $1 ($HINT)"
    if [ "${MESHWRIGHT_E2E:-}" = required ]; then exit 1; fi
    exit 77
}

need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root"; }

# install_missing: sshd and nft come from apt-get when absent (root only; set
# MESHWRIGHT_TESTBED_NO_INSTALL=1 to forbid). A missing tool is then reported by
# check_prerequisites as usual.
install_missing() {
    local pkgs=() log
    command -v sshd >/dev/null 2>&1 || pkgs+=(openssh-server)
    command -v nft >/dev/null 2>&1 || pkgs+=(nftables)
    [ ${#pkgs[@]} -gt 0 ] || return 0
    [ "${MESHWRIGHT_TESTBED_NO_INSTALL:-}" != 1 ] || return 0
    command -v apt-get >/dev/null 2>&1 || return 0
    info "installing ${pkgs[*]} with apt-get"
    log=$(mktemp)
    if ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${pkgs[@]}" >"$log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >>"$log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${pkgs[@]}" >>"$log" 2>&1 ||
            { err "apt-get install ${pkgs[*]} failed:"; tail -n 5 "$log" >&2; }
    fi
    rm -f "$log"
}

check_prerequisites() {
    local reasons=() missing=() t
    if [ "$(id -u)" -ne 0 ]; then reasons+=("not root"); else install_missing; fi
    for t in ip sshd ssh ssh-keygen ssh-keyscan nft wg wg-quick wireguard-go nsenter unshare \
        ping setsid timeout realpath stat mount sleep; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] || reasons+=("missing ${missing[*]}")
    [ -c /dev/net/tun ] || reasons+=("no /dev/net/tun")
    [ -d /etc/wireguard ] || reasons+=("no /etc/wireguard (wireguard-tools makes it)")
    if [ ${#reasons[@]} -gt 0 ]; then
        local IFS=';'
        local msg="${reasons[*]}"
        skip "${msg//;/; }"
    fi
}

# set_state_dir PATH: SD = PATH made absolute. It must stay visible inside the hosts'
# mount namespaces (their /run and /etc/wireguard are private tmpfs mounts) and be
# usable verbatim in sshd_config.
set_state_dir() {
    [ -n "${1:-}" ] || usage
    SD=$(realpath -m -- "$1")
    [[ $SD =~ ^/[A-Za-z0-9_./+@,-]+$ ]] ||
        die "STATE_DIR '$SD': only letters, digits and _ . / + @ , - are allowed"
    case $SD/ in
        "$RUNDIR"/* | /var/run/* | /etc/wireguard/* | /proc/* | /sys/* | /dev/*)
            die "STATE_DIR must not be under $RUNDIR, /etc/wireguard, /proc, /sys or /dev (the hosts would not see it)" ;;
    esac
}

ns_host() { echo "$PFX-h-$1"; }
host_dir() { echo "$SD/hosts/$1"; }

# load_state: ID, PFX, NAMES, NET, IP from STATE_DIR.
load_state() {
    [ -f "$SD/id" ] || die "$SD: no testbed here (no $SD/id)"
    ID=$(cat "$SD/id")
    [[ $ID =~ ^[0-9a-f]{6}$ ]] || die "$SD/id: not a testbed id"
    PFX=mwtb-$ID
    NAMES=()
    NET=()
    IP=()
    SIP=()
    local n net ip sip
    if [ -f "$SD/hosts.txt" ]; then
        while read -r n net ip _ _ sip _; do
            [ -n "$n" ] || continue
            NAMES+=("$n"); NET[$n]=$net; IP[$n]=$ip; SIP[$n]=${sip:-$ip}
        done <"$SD/hosts.txt"
    fi
}

known_host() {
    [ -n "${IP[$1]:-}" ] || die "no host '$1' in $SD (hosts: ${NAMES[*]:-none})"
}

# ---- processes -------------------------------------------------------------------
# alive PID: running, not merely a zombie waiting to be reaped.
alive() {
    local state
    state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
starttime() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }
# in_ns PID NSNAME: PID lives in network namespace NSNAME.
in_ns() {
    local ino
    ino=$(stat -L -c %i "$NETNS_DIR/$2" 2>/dev/null) || return 1
    [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "net:[$ino]" ]
}
# record_pid FILE PID: "PID STARTTIME", so a reused pid is never mistaken for ours.
record_pid() { echo "$2 $(starttime "$2")" >"$1"; }
# recorded_pid FILE NSNAME: print the pid recorded in FILE if that very process is
# still alive and inside NSNAME.
recorded_pid() {
    local pid st
    [ -f "$1" ] || return 1
    read -r pid st <"$1" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    alive "$pid" && [ "$(starttime "$pid")" = "$st" ] && in_ns "$pid" "$2" || return 1
    echo "$pid"
}
holder_pid() { recorded_pid "$(host_dir "$1")/holder.pid" "$(ns_host "$1")"; }
sshd_pid() { recorded_pid "$(host_dir "$1")/sshd.pid" "$(ns_host "$1")"; }

# write_hosts_txt: NAME NET IP SSHD_PID HOLDER_PID ("-" where there is none).
write_hosts_txt() {
    local n s h
    for n in "${NAMES[@]}"; do
        s=$(sshd_pid "$n") || s=-
        h=$(holder_pid "$n") || h=-
        echo "$n ${NET[$n]} ${IP[$n]} $s $h ${SIP[$n]}"
    done >"$SD/hosts.txt.tmp"
    mv -f "$SD/hosts.txt.tmp" "$SD/hosts.txt"
}

# kill_ns_pids NSNAME: TERM every process in it, KILL what is left after ~3 s.
kill_ns_pids() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 30); do
        pids=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)
        [ -z "$pids" ] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    for i in $(seq 20); do
        [ -z "$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)" ] && return 0
        sleep 0.1
    done
}

# ---- ssh ---------------------------------------------------------------------------
ssh_opts() {
    SSH_OPTS=(-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes
        -o UserKnownHostsFile="$SD/known_hosts" -o GlobalKnownHostsFile=/dev/null
        -o IdentityFile="$SD/id_ed25519" -o IdentitiesOnly=yes -o IdentityAgent=none
        -o UpdateHostKeys=no -o User=root -o Port=22 -o AddressFamily=inet
        -o ConnectTimeout=5 -o ConnectionAttempts=1
        -o ServerAliveInterval=5 -o ServerAliveCountMax=3
        -o ControlMaster=no -o ControlPath=none)
}
# shquote WORD: WORD quoted for a POSIX shell.
shquote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
remote_cmd() {
    local out="" a
    for a in "$@"; do out+="${out:+ }$(shquote "$a")"; done
    printf '%s' "$out"
}
in_ctl() { nsenter --net="$NETNS_DIR/$PFX-ctl" -- "$@"; }

# ssh_ok NAME: strict ssh from the controller runs `true` on NAME.
ssh_ok() {
    ssh_opts
    in_ctl timeout 15 ssh "${SSH_OPTS[@]}" -- "root@${SIP[$1]}" true </dev/null
}

# served_key NAME: the ed25519 host key NAME's sshd presents to the controller.
served_key() {
    in_ctl timeout 10 ssh-keyscan -T 3 -t ed25519 -p 22 "${SIP[$1]}" 2>/dev/null |
        awk '$2 == "ssh-ed25519" { print $3; exit }'
}

# wait_served_key NAME: bounded (10 s) wait until NAME's sshd serves its key file.
wait_served_key() {
    local want got="" deadline=$((SECONDS + 10))
    want=$(awk '{ print $2 }' "$(host_dir "$1")/ssh_host_ed25519_key.pub")
    while :; do
        got=$(served_key "$1" || true)
        [ "$got" = "$want" ] && return 0
        [ $SECONDS -lt $deadline ] || break
        sleep 0.2
    done
    err "$1: sshd at ${SIP[$1]} does not serve its host key (got '${got:-nothing}')"
    return 1
}

# ---- hosts -------------------------------------------------------------------------
# The holder owns a host's private mount namespace: tmpfs over /run (= /var/run, so
# /run/wireguard, /run/sshd and sshd's PidFile are the host's own), a copy-on-write /etc
# (an overlay whose writes, /etc/hosts among them, stay in the host's /run: never this
# machine's), and tmpfs over /etc/wireguard. Without overlayfs, /etc stays shared and
# /run/.etc-shared says so (tests that write /etc then refuse to run). It writes its pid
# first, then execs `sleep infinity` once set up.
# shellcheck disable=SC2016  # expanded by the holder's sh
readonly HOLDER_SCRIPT='
set -e
trap "" INT QUIT HUP
echo $$ >"$1"
mount -t tmpfs -o mode=755,size=8m mwtb-run "$2"
mkdir -m 700 "$2/wireguard"
mkdir -m 755 "$2/sshd"
mkdir -m 700 "$2/.etc-up" "$2/.etc-work"
mount -t overlay -o lowerdir=/etc,upperdir="$2/.etc-up",workdir="$2/.etc-work" mwtb-etc /etc || touch "$2/.etc-shared"
mount -t tmpfs -o mode=700,size=1m mwtb-etc-wireguard /etc/wireguard
exec sleep infinity'

# close_fds: in a subshell about to exec a long-lived process, close inherited
# descriptors above 2 (a caller's pipes must not stay open forever).
close_fds() {
    local f n
    for f in /proc/"$BASHPID"/fd/*; do
        n=${f##*/}
        [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 2 ] && [ "$n" -lt 255 ] && eval "exec $n>&-" 2>/dev/null
    done
    return 0
}

start_holder() {
    local n=$1 ns hd pidf pid="" i
    ns=$(ns_host "$n"); hd=$(host_dir "$n"); pidf=$hd/holder.pid.raw
    rm -f "$pidf"
    (
        close_fds
        exec setsid ip netns exec "$ns" unshare -m --propagation private \
            sh -c "$HOLDER_SCRIPT" mwtb-holder "$pidf" "$RUNDIR"
    ) </dev/null >"$hd/holder.log" 2>&1 &
    for i in $(seq 50); do
        [ -z "$pid" ] && [ -s "$pidf" ] && pid=$(cat "$pidf")
        if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && in_ns "$pid" "$ns"; then
            record_pid "$hd/holder.pid" "$pid"
            rm -f "$pidf"
            return 0
        fi
        if [ -n "$pid" ] && ! alive "$pid"; then break; fi
        sleep 0.1
    done
    err "holder for $n did not start:"
    sed 's/^/    /' "$hd/holder.log" >&2
    return 1
}

write_sshd_config() {
    local n=$1 hd
    hd=$(host_dir "$n")
    cat >"$hd/sshd_config" <<EOF
# testbed $PFX, host $n (generated by tests/e2e/testbed.sh)
ListenAddress ${SIP[$n]}
Port 22
AddressFamily inet
HostKey $hd/ssh_host_ed25519_key
PidFile $RUNDIR/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $SD/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitTTY no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
SetEnv ${WG_ENV[*]}
LogLevel VERBOSE
EOF
}

new_host_key() {
    local n=$1 hd
    hd=$(host_dir "$n")
    rm -f "$hd/ssh_host_ed25519_key" "$hd/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$PFX $n" -f "$hd/ssh_host_ed25519_key"
}

# start_sshd NAME: sshd daemonizes inside the host; its PidFile (in the private /run,
# written once it listens) is read through the holder's /proc/PID/root.
start_sshd() {
    local n=$1 hd holder sshd out pid="" i pidfile
    hd=$(host_dir "$n")
    holder=$(holder_pid "$n") || { err "$n: its holder process is gone"; return 1; }
    if pid=$(sshd_pid "$n"); then info "$n: sshd already running (pid $pid)"; return 0; fi
    pid=""
    sshd=$(command -v sshd)
    pidfile=/proc/$holder/root$RUNDIR/sshd.pid
    rm -f "$pidfile" "$hd/sshd.pid"
    if ! out=$(nice -n "$HOST_NICE" nsenter -t "$holder" -m -n -- "$sshd" -f "$hd/sshd_config" -E "$hd/sshd.log" </dev/null 2>&1); then
        err "$n: sshd did not start: $out"
        tail -n 5 "$hd/sshd.log" >&2 2>/dev/null || true
        return 1
    fi
    for i in $(seq 50); do
        [ -s "$pidfile" ] && pid=$(cat "$pidfile" 2>/dev/null) && [[ $pid =~ ^[0-9]+$ ]] &&
            alive "$pid" && in_ns "$pid" "$(ns_host "$n")" && break
        pid=""
        sleep 0.1
    done
    if [ -z "$pid" ]; then
        err "$n: sshd wrote no pid file within 5 s; its log:"
        tail -n 5 "$hd/sshd.log" >&2 2>/dev/null || true
        return 1
    fi
    record_pid "$hd/sshd.pid" "$pid"
    write_hosts_txt
}

stop_sshd() {
    local n=$1 hd pid i
    hd=$(host_dir "$n")
    if ! pid=$(sshd_pid "$n"); then
        rm -f "$hd/sshd.pid"
        write_hosts_txt
        info "$n: sshd is not running"
        return 0
    fi
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] || die "$n: pid $pid is not sshd"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    for i in $(seq 20); do
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && die "$n: sshd pid $pid does not stop"
    rm -f "$hd/sshd.pid"
    write_hosts_txt
    # The sessions it forked outlive it (as with systemd's KillMode=process): end them too,
    # as a crashed or firewalled host would.
    for pid in $(ip netns pids "$(ns_host "$n")" 2>/dev/null); do
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] && kill -TERM "$pid" 2>/dev/null
    done
    return 0
}

# ---- up ----------------------------------------------------------------------------
UP_DONE=0
# shellcheck disable=SC2317  # invoked through trap
up_on_exit() {
    local rc=$?
    if [ "$UP_DONE" != 1 ]; then
        err "up failed; removing what was built"
        trap - ERR
        set +e
        do_down >/dev/null
        [ "$rc" -eq 0 ] && rc=1
    fi
    exit "$rc"
}

# nat_router NS NAME SITE SITE_IP INET_IP SITE_PFX: namespace NS becomes the router of the
# bridge SITE (switch ports NAME-SITE and NAME-inet): it forwards, masquerades SITE_PFX.0/24
# out to the internet, and lets in from there only what the site started.
nat_router() {
    local ns=$1 name=$2 site=$3 site_ip=$4 inet_ip=$5 site_pfx=$6 sw=$PFX-sw
    ip -n "$sw" link add "$name-$site" type veth peer name "$site" netns "$ns"
    ip -n "$sw" link set "$name-$site" master "$site" up
    ip -n "$sw" link add "$name-inet" type veth peer name internet netns "$ns"
    ip -n "$sw" link set "$name-inet" master internet up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$site_ip/24" dev "$site"
    ip -n "$ns" addr add "$inet_ip/24" dev internet
    ip -n "$ns" link set "$site" up
    ip -n "$ns" link set internet up
    nsenter --net="$NETNS_DIR/$ns" -- sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
    nsenter --net="$NETNS_DIR/$ns" -- nft -f - <<EOF
table ip mwtb_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" ip saddr $site_pfx.0/24 masquerade
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname "internet" oifname "$site" ct state established,related accept
        iifname "internet" oifname "$site" drop
    }
}
EOF
}

cmd_up() {
    set_state_dir "${1:-}"
    shift
    [ $# -ge 1 ] || usage
    local spec n net ip last t0 sw nat ctl i created=0 e
    declare -A seen_ip=()
    for spec in "$@"; do
        [[ $spec =~ ^([a-z][a-z0-9-]{0,30}):(home|office|internet):([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] ||
            die "bad SPEC '$spec' (NAME:NET:IP, NAME lowercase letters/digits/-, NET home, office or internet)"
        n=${BASH_REMATCH[1]}; net=${BASH_REMATCH[2]}; last=${BASH_REMATCH[6]}
        ip="${BASH_REMATCH[3]}.${BASH_REMATCH[4]}.${BASH_REMATCH[5]}.$last"
        if [ "$net" = home ]; then
            { [[ $ip == "$HOME_PFX".* ]] && [ "$last" -ge 3 ] && [ "$last" -le 254 ]; } ||
                die "$spec: a home host needs an address in $HOME_PFX.3-254 (.1 router, .2 controller)"
        elif [ "$net" = office ]; then
            { [[ $ip == "$OFFICE_PFX".* ]] && [ "$last" -ge 2 ] && [ "$last" -le 254 ]; } ||
                die "$spec: an office host needs an address in $OFFICE_PFX.2-254 (.1 router)"
        else
            { [[ $ip == "$INET_PFX".* ]] && [ "$last" -ge 2 ] && [ "$last" -le 254 ]; } ||
                die "$spec: an internet host needs an address in $INET_PFX.2-254 (.1 router)"
        fi
        [ -z "${NET[$n]:-}" ] || die "host name '$n' given twice"
        [ -z "${seen_ip[$ip]:-}" ] || die "address $ip given twice"
        seen_ip[$ip]=1
        NAMES+=("$n"); NET[$n]=$net; IP[$n]=$ip; SIP[$n]=$ip
    done
    # A second site: SSH over a management network, the office router on the internet.
    local mgmt=0
    for n in "${NAMES[@]}"; do [ "${NET[$n]}" != office ] || mgmt=1; done
    if [ "$mgmt" = 1 ]; then
        [ -z "${seen_ip[$NAT2_INET_IP]:-}" ] || die "$NAT2_INET_IP is the office router's on the internet"
        [ ${#NAMES[@]} -le 240 ] || die "at most 240 hosts with a management network"
        i=10
        for n in "${NAMES[@]}"; do SIP[$n]=$MGMT_PFX.$i; i=$((i + 1)); done
    fi

    check_prerequisites
    [ ! -e "$SD/id" ] || die "$SD already holds testbed mwtb-$(cat "$SD/id") (run: $0 down $SD)"
    if [ ! -d "$SD" ]; then mkdir -p "$SD"; chmod 700 "$SD"; created=1; fi
    t0=$(date +%s.%N)

    # Claim an id: creating the switch namespace is the atomic step.
    for _ in 1 2 3 4 5; do
        ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
        PFX=mwtb-$ID
        ip netns list 2>/dev/null | awk '{ print $1 }' | grep -q "^$PFX-" && continue
        if e=$(ip netns add "$PFX-sw" 2>&1); then break; fi
        ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$PFX-sw" && continue
        [ "$created" = 1 ] && rmdir "$SD" 2>/dev/null
        skip "cannot create network namespaces: $e"
    done
    [ -e "$NETNS_DIR/$PFX-sw" ] || die "could not find a free testbed id"
    echo "$ID" >"$SD/id"
    [ "$created" = 1 ] && : >"$SD/.created-by-testbed"
    trap up_on_exit EXIT
    set -E
    trap 'err "line $LINENO: $BASH_COMMAND (exit $?)"' ERR
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    mkdir -p "$SD/hosts"
    for n in "${NAMES[@]}"; do
        mkdir -p "$SD/hosts/$n"
        echo "$n ${NET[$n]} ${IP[$n]} - - ${SIP[$n]}"
    done >"$SD/hosts.txt"

    sw=$PFX-sw; nat=$PFX-nat; ctl=$PFX-ctl
    ip netns add "$nat"
    ip netns add "$ctl"
    for n in "${NAMES[@]}"; do ip netns add "$(ns_host "$n")"; done

    # switch: one bridge per network
    ip -n "$sw" link set lo up
    local nets=(home internet)
    [ "$mgmt" = 0 ] || nets+=(office mgmt)
    for net in "${nets[@]}"; do
        ip -n "$sw" link add "$net" type bridge
        ip -n "$sw" link set "$net" up
    done
    # the owner, for down-orphans: the home bridge's alias is STATE_DIR
    ip -n "$sw" link set home alias "$SD"

    # the sites' routers: home's, and the office's in a bed with a second site
    nat_router "$nat" nat home "$NAT_HOME_IP" "$NAT_INET_IP" "$HOME_PFX"
    if [ "$mgmt" = 1 ]; then
        ip netns add "$PFX-nat2"
        nat_router "$PFX-nat2" nat2 office "$NAT_OFFICE_IP" "$NAT2_INET_IP" "$OFFICE_PFX"
    fi

    # controller
    ip -n "$sw" link add ctl type veth peer name eth0 netns "$ctl"
    ip -n "$sw" link set ctl master home up
    ip -n "$ctl" link set lo up
    ip -n "$ctl" addr add "$CTL_IP/24" dev eth0
    ip -n "$ctl" link set eth0 up
    ip -n "$ctl" route add default via "$NAT_HOME_IP"
    if [ "$mgmt" = 1 ]; then
        ip -n "$sw" link add ctl-mgmt type veth peer name mgmt netns "$ctl"
        ip -n "$sw" link set ctl-mgmt master mgmt up
        ip -n "$ctl" addr add "$CTL_MGMT_IP/24" dev mgmt
        ip -n "$ctl" link set mgmt up
    fi

    # client key
    rm -f "$SD/id_ed25519" "$SD/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$PFX client" -f "$SD/id_ed25519"
    install -m 600 "$SD/id_ed25519.pub" "$SD/authorized_keys"

    # hosts
    i=0
    for n in "${NAMES[@]}"; do
        local hns
        hns=$(ns_host "$n")
        ip -n "$sw" link add "p$i" type veth peer name eth0 netns "$hns"
        ip -n "$sw" link set "p$i" master "${NET[$n]}" up
        ip -n "$hns" link set lo up
        ip -n "$hns" addr add "${IP[$n]}/24" dev eth0
        ip -n "$hns" link set eth0 up
        [ "${NET[$n]}" = home ] && ip -n "$hns" route add default via "$NAT_HOME_IP"
        [ "${NET[$n]}" = office ] && ip -n "$hns" route add default via "$NAT_OFFICE_IP"
        if [ "$mgmt" = 1 ]; then # SSH only: no route but the management subnet's own
            ip -n "$sw" link add "m$i" type veth peer name mgmt netns "$hns"
            ip -n "$sw" link set "m$i" master mgmt up
            ip -n "$hns" addr add "${SIP[$n]}/24" dev mgmt
            ip -n "$hns" link set mgmt up
        fi
        start_holder "$n"
        new_host_key "$n"
        write_sshd_config "$n"
        start_sshd "$n"
        i=$((i + 1))
    done

    # known_hosts: every host's key under its address
    (
        umask 077
        for n in "${NAMES[@]}"; do
            echo "${SIP[$n]} $(awk '{ print $1, $2 }' "$SD/hosts/$n/ssh_host_ed25519_key.pub")"
        done >"$SD/known_hosts"
    )
    chmod 600 "$SD/known_hosts"

    # every sshd must accept a strict, key-authenticated login from the controller
    local deadline=$((SECONDS + SSH_WAIT)) out
    for n in "${NAMES[@]}"; do
        until out=$(ssh_ok "$n" 2>&1); do
            if [ $SECONDS -ge $deadline ]; then
                err "$n: no ssh login at ${SIP[$n]} within ${SSH_WAIT} s: $out"
                tail -n 5 "$SD/hosts/$n/sshd.log" >&2 2>/dev/null || true
                exit 1
            fi
            sleep 0.2
        done
    done
    write_hosts_txt
    UP_DONE=1
    trap - EXIT INT TERM HUP ERR
    local list=()
    for n in "${NAMES[@]}"; do list+=("$n=${IP[$n]}"); done
    info "$PFX up in $(elapsed "$t0") s: ${list[*]}; controller $CTL_IP; state in $SD"
}

# ---- down --------------------------------------------------------------------------
# do_down: needs SD; tolerant of a half-built or half-removed testbed.
do_down() {
    local n ns holder out pid f st left=() nss=() t0 hd names=()
    t0=$(date +%s.%N)
    load_state
    names=("${NAMES[@]+"${NAMES[@]}"}")
    if [ -d "$SD/hosts" ]; then
        for hd in "$SD"/hosts/*/; do
            [ -d "$hd" ] || continue
            n=$(basename "$hd")
            [[ " ${names[*]} " == *" $n "* ]] || names+=("$n")
        done
    fi
    # 1. WireGuard down in every host, for each /etc/wireguard/*.conf whose interface exists
    for n in "${names[@]+"${names[@]}"}"; do
        holder=$(holder_pid "$n") || continue
        # shellcheck disable=SC2016
        out=$(timeout 60 nsenter -t "$holder" -m -n -- env "${WG_ENV[@]}" sh -c '
            for f in /etc/wireguard/*.conf; do
                [ -f "$f" ] || continue
                i=${f##*/}; i=${i%.conf}
                ip link show dev "$i" >/dev/null 2>&1 || continue
                timeout 20 wg-quick down "$f" >/dev/null 2>&1 || echo "wg-quick down $f failed"
            done' 2>&1) || true
        [ -z "$out" ] || info "$n: $out (its namespace is removed anyway)"
    done
    # 2. the processes recorded for each host (only if still ours), then everything in
    #    our namespaces
    for n in "${names[@]+"${names[@]}"}"; do
        ns=$(ns_host "$n")
        for f in sshd.pid holder.pid; do
            if pid=$(recorded_pid "$SD/hosts/$n/$f" "$ns"); then kill -TERM "$pid" 2>/dev/null || true; fi
        done
    done
    while read -r ns _; do
        [[ $ns == "$PFX"-* ]] && nss+=("$ns")
    done < <(ip netns list 2>/dev/null)
    for ns in "${nss[@]+"${nss[@]}"}"; do kill_ns_pids "$ns"; done
    # 3. the namespaces
    for ns in "${nss[@]+"${nss[@]}"}"; do ip netns del "$ns" 2>/dev/null || true; done
    # 4. check
    while read -r ns _; do
        [[ $ns == "$PFX"-* ]] && left+=("namespace $ns")
    done < <(ip netns list 2>/dev/null)
    for n in "${names[@]+"${names[@]}"}"; do
        for f in sshd.pid holder.pid; do
            [ -f "$SD/hosts/$n/$f" ] || continue
            read -r pid st <"$SD/hosts/$n/$f" || continue
            alive "$pid" && [ "$(starttime "$pid")" = "$st" ] && left+=("$n ${f%.pid} pid $pid")
        done
    done
    if [ ${#left[@]} -gt 0 ]; then
        err "down $PFX left: ${left[*]} (state kept in $SD; run down again)"
        return 1
    fi
    # 5. STATE_DIR: remove what up made; the id goes last so a failed down can be rerun
    rm -rf "$SD/hosts"
    rm -f "$SD/hosts.txt" "$SD/hosts.txt.tmp" "$SD/known_hosts" "$SD/authorized_keys" \
        "$SD/id_ed25519" "$SD/id_ed25519.pub"
    local created=0
    [ -e "$SD/.created-by-testbed" ] && created=1
    rm -f "$SD/.created-by-testbed" "$SD/id"
    [ "$created" = 1 ] && rmdir "$SD" 2>/dev/null
    info "$PFX down in $(elapsed "$t0") s: ${#nss[@]} namespaces and their processes removed"
}

cmd_down() {
    set_state_dir "${1:-}"
    [ $# -eq 1 ] || usage
    need_root down
    if [ ! -f "$SD/id" ]; then
        info "nothing to bring down in $SD"
        return 0
    fi
    trap '' INT HUP   # finish the teardown once started
    do_down
}

# down-orphans: remove every mwtb-ID-* group whose switch names a STATE_DIR (the home
# bridge's alias) that no longer holds that id, e.g. after a SIGKILLed test removed
# its temporary directory. Groups without an owner on record (an `up` just starting)
# are kept.
cmd_down_orphans() {
    need_root down-orphans
    local ns id owner n=0 other
    while read -r ns _; do
        [[ $ns =~ ^mwtb-([0-9a-f]{6})-sw$ ]] || continue
        id=${BASH_REMATCH[1]}
        owner=$(ip -n "$ns" -o link show dev home 2>/dev/null | sed -n 's/.* alias \(.*\)$/\1/p')
        if [ -z "$owner" ]; then
            info "kept mwtb-$id (no owner on record yet)"
            continue
        fi
        if [ "$(cat "$owner/id" 2>/dev/null)" = "$id" ]; then
            info "kept mwtb-$id (owned by $owner)"
            continue
        fi
        for other in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^mwtb-$id-" || true); do
            kill_ns_pids "$other"
            ip netns del "$other" 2>/dev/null || true
        done
        info "removed mwtb-$id (its state dir $owner is gone)"
        n=$((n + 1))
    done < <(ip netns list 2>/dev/null)
    info "removed $n orphaned testbed(s)"
}

# ---- the other subcommands ---------------------------------------------------------
# wd_for_host: the caller's directory when the host sees the same one, else /.
wd_for_host() {
    case $PWD/ in
        "$RUNDIR"/* | /var/run/* | /etc/wireguard/*) echo / ;;
        *) echo "$PWD" ;;
    esac
}

main() {
    [ $# -ge 1 ] || usage
    local cmd=$1 holder
    shift
    case $cmd in
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        down-orphans) [ $# -eq 0 ] || usage; cmd_down_orphans ;;
        ctl)
            [ $# -ge 2 ] || usage
            set_state_dir "$1"; shift
            need_root ctl; load_state
            exec nsenter --net="$NETNS_DIR/$PFX-ctl" -- "$@" ;;
        exec)
            [ $# -ge 3 ] || usage
            set_state_dir "$1"; shift
            need_root exec; load_state; known_host "$1"
            holder=$(holder_pid "$1") || die "$1: its holder process is gone"
            shift
            exec nsenter -t "$holder" -m -n --wd="$(wd_for_host)" -- env "${WG_ENV[@]}" "$@" ;;
        ssh)
            [ $# -ge 3 ] || usage
            set_state_dir "$1"; shift
            need_root ssh; load_state; known_host "$1"
            local n=$1
            shift
            ssh_opts
            exec nsenter --net="$NETNS_DIR/$PFX-ctl" -- \
                ssh "${SSH_OPTS[@]}" -- "root@${SIP[$n]}" "$(remote_cmd "$@")" ;;
        mask-bashrc)
            [ $# -eq 1 ] || usage
            set_state_dir "$1"
            need_root mask-bashrc; load_state
            local rc n holder
            rc="$(getent passwd root | cut -d: -f6)/.bashrc"
            [ -f "$rc" ] || { info "no $rc to mask"; return 0; }
            : > "$SD/empty-bashrc"
            for n in "${NAMES[@]}"; do
                holder=$(holder_pid "$n") || die "$n: its holder process is gone"
                nsenter -t "$holder" -m -- mount --bind "$SD/empty-bashrc" "$rc" || die "$n: cannot mask $rc"
            done ;;
        stop-sshd | start-sshd | rekey)
            [ $# -eq 2 ] || usage
            set_state_dir "$1"
            need_root "$cmd"; load_state; known_host "$2"
            case $cmd in
                stop-sshd) stop_sshd "$2" ;;
                start-sshd) start_sshd "$2" && wait_served_key "$2" ;;
                rekey)
                    new_host_key "$2"
                    stop_sshd "$2" >/dev/null
                    start_sshd "$2"
                    wait_served_key "$2"
                    info "$2: new host key $(ssh-keygen -l -f "$SD/hosts/$2/ssh_host_ed25519_key.pub" | awk '{ print $2 }'), known_hosts unchanged" ;;
            esac ;;
        -h | --help | help) usage ;;
        *) usage ;;
    esac
}

main "$@"
