#!/usr/bin/env bash
# Generates the testbed project's configs with meshwright and runs the router scenario on them.
set -euo pipefail
binary=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" generate "$source/tests/e2e/router-k8s-testbed.yaml" --out "$work/configs" --keys "$work/testbed.keys" \
    > "$work/generate.log" 2>&1 || { cat "$work/generate.log"; exit 1; }
ls "$work"/configs/router
exec "$source/tests/e2e/router-scenario.sh" "$work/configs"
