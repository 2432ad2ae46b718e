#!/usr/bin/env bash
# Checks that the man page names every command and option the program's help names.
set -euo pipefail
binary=$1
page=$2
help() { env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$binary" "$@"; }
missing=0
options=$( { help --help; for c in generate validate qr export import deploy decommission status "keys import" "keys rotate" "keys list" "keys encrypt" "keys passwd"; do help $c --help; done; } \
    | grep -oE -- '--[a-z][a-z-]+' | sort -u)
text=$(sed 's/\\-/-/g' "$page") # roff writes - as \-
for option in $options; do
    grep -qF -- "$option" <<<"$text" || { echo "the man page lacks $option"; missing=1; }
done
for command in generate validate qr export "meshwright import" deploy decommission status "keys import" "keys rotate" "keys list" "keys encrypt" "keys passwd" "keys decrypt"; do
    grep -qF "$command" "$page" || { echo "the man page lacks the command '$command'"; missing=1; }
done
[ $missing -eq 0 ] && echo "man page covers: $(echo $options)"
exit $missing
