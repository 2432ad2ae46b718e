# The failover testbed, shared by failover-scenario.sh and tests/bench/bench-failover.sh;
# sourced after scenario-lib.sh:
#
#   failover_bed_start NAME HOLD_DOWN   the testbed, the "internet", cron on the laptop, and
#                                       $project: the three hosts below (no links)
#
# gw1 (198.18.77.21) and gw2 (198.18.77.22) are internet gateways with default routes; far
# answers at 203.0.113.99, which only the gateways route to; laptop (192.168.77.31, behind
# the home NAT) is a full-tunnel client of both, deployed over SSH, running cron and no
# systemd. Hosts: on HOST CMD...
# shellcheck shell=bash
on() { "$testbed" exec "$state" "$@"; }

failover_bed_start() { # failover_bed_start NAME HOLD_DOWN
    command -v cron >/dev/null 2>&1 || {
        echo "SKIP: cron is not installed (apt-get install cron)"
        [ "${MESHWRIGHT_E2E:-}" = required ] && exit 1
        exit 77
    }
    scenario_start "$1" gw1:internet:198.18.77.21 gw2:internet:198.18.77.22 far:internet:198.18.77.99 \
        laptop:home:192.168.77.31
    on far ip addr add 203.0.113.99/32 dev lo &&
        for gw in gw1 gw2; do
            on $gw ip route add default via 198.18.77.1 &&
                on $gw ip route add 203.0.113.0/24 via 198.18.77.99 || exit 1
        done || { echo "FAIL: setting up the internet side"; exit 1; }
    on laptop cron || { echo "FAIL: starting cron on the laptop"; exit 1; }
    cat > "$project" <<YAML
network: {ipv4: '10.77.0.0/24'}
defaults: {dns: [], failover_hold_down: $2}
hosts:
  gw1:
    os: Linux
    ssh: {host: '198.18.77.21', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.21'}
    wg0: {ip: '10.77.0.21'}
  gw2:
    os: Linux
    ssh: {host: '198.18.77.22', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    internet: {ip: '198.18.77.22'}
    wg0: {ip: '10.77.0.22'}
  laptop:
    os: Linux
    ssh: {host: '192.168.77.31', user: root, identity: '$state/id_ed25519', conf_dir: /etc/wireguard}
    wg0: {ip: '10.77.0.31'}
YAML
}
