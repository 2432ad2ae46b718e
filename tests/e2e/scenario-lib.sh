# What the testbed scenarios share; sourced (not run) by a scenario script:
#
#   . "$(dirname "$0")/scenario-lib.sh"
#   scenario_start NAME HOST:NET:IP...
#
# scenario_start makes the work folder ($work: $state, $project, $keys), brings the testbed
# up with those hosts (exiting 77 when it skips, and with its status when it breaks), hides
# this machine's root .bashrc inside the hosts, and tears everything down on exit (the
# folder is kept with MESHWRIGHT_E2E_KEEP=1). ok/bad/check count into $passed/$failed;
# scenario_end prints the NAME scenario's last line and exits 0 only when nothing failed.
# shellcheck shell=bash
set -uo pipefail
export LC_ALL=C

testbed="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testbed.sh"
passed=0
failed=0
started=$(date +%s)

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; } # check WHAT CMD...; fails with CMD, so `check ... || diagnose` runs the diagnosis
info() { echo "info: $*"; }

scenario_cleanup() {
    "$testbed" down "$state" >/dev/null 2>&1
    if [ "${MESHWRIGHT_E2E_KEEP:-}" = 1 ]; then echo "info: logs kept in $work"; else rm -rf "$work"; fi
}

scenario_start() { # scenario_start NAME SPEC...
    scenario_name=$1
    shift
    work=$(mktemp -d "/tmp/mw-$scenario_name.XXXXXX")
    state="$work/state"
    project="$work/mesh.yaml"
    keys="$work/mesh.keys"
    trap scenario_cleanup EXIT
    trap 'exit 130' INT TERM
    local status
    "$testbed" up "$state" "$@" > "$work/up.log" 2>&1
    status=$?
    if [ $status -ne 0 ]; then
        cat "$work/up.log"
        exit $status # 77: skipped (no root or tools), else a testbed failure
    fi
    "$testbed" mask-bashrc "$state" || exit 1
    info "testbed up in $(( $(date +%s) - started )) s"
}

scenario_end() {
    echo "info: total $(( $(date +%s) - started )) s"
    echo "$scenario_name scenario: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
