#!/usr/bin/env bash
# Runs a test (its arguments) in a D-Bus session of its own, with a gnome-keyring daemon
# (a Secret Service) whose login keyring is unlocked with a test password, in a home of its
# own: the test never sees the user's keyring, and everything goes at the end.
# Exit 77 (skipped) when the daemon cannot start; with MESHWRIGHT_E2E=required (CI) a skip
# is a failure.
set -u
skip() {
    echo "SKIP: $1"
    [ "${MESHWRIGHT_E2E:-}" = required ] && { echo "FAIL: MESHWRIGHT_E2E=required, and the keyring test cannot run"; exit 1; }
    exit 77
}
for tool in dbus-run-session gnome-keyring-daemon; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install dbus-daemon dbus-bin gnome-keyring)"
done
home=$(mktemp -d /tmp/mw-keyring.XXXXXX)
trap 'rm -rf "$home"' EXIT
mkdir -p -m 700 "$home/home" "$home/run"
HOME=$home/home XDG_RUNTIME_DIR=$home/run dbus-run-session -- bash -c '
    printf "keyring test password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 77
    exec "$@"' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
status=$?
[ $status -eq 77 ] && skip "gnome-keyring-daemon does not start here"
exit $status
