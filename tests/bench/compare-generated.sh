#!/usr/bin/env bash
# Generates (and exports, in every format the old build has) every project the repository
# has, and the benchmark's meshes, with two builds of meshwright on the same keys, and
# compares what they write byte for byte: a change made to generate faster, or to the code's
# structure, must not change one byte. Prints a sha256 per file list and the files that
# differ; exits 1 when any does.
#
#   tests/bench/compare-generated.sh OLD/meshwright NEW/meshwright [NEW/tests/bench/bench_generate]
#
# The benchmark's meshes (100 and 1000 hosts, both shapes) come from bench_generate
# --print-project; without it only the repository's projects are compared.
set -euo pipefail

old=${1:?usage: compare-generated.sh OLD_MESHWRIGHT NEW_MESHWRIGHT [BENCH_GENERATE]}
new=${2:?usage: compare-generated.sh OLD_MESHWRIGHT NEW_MESHWRIGHT [BENCH_GENERATE]}
bench=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/projects"
# (and the meshes in fixtures/ of a shared folder beside the checkout, where there is one)
for file in "$top"/resources/examples/*.yaml "$top"/tests/data/*.yaml "$top"/tests/e2e/*.yaml \
            "$top"/tests/fuzz/corpus/projectfile/*.yaml "$top"/../shared/fixtures/*.yaml; do
    [ -f "$file" ] || continue
    cp "$file" "$work/projects/$(basename "$(dirname "$file")")-$(basename "$file")"
done
if [ -n "$bench" ]; then
    for shape in homelab gateways; do
        for hosts in 100 1000; do
            "$bench" --print-project "$hosts" --shape "$shape" > "$work/projects/bench-$shape-$hosts.yaml"
        done
    done
fi

status=0
projects=0
files=0
for project in "$work"/projects/*.yaml; do
    name=$(basename "$project" .yaml)
    for side in old new; do
        mkdir -p "$work/$side"
        cp "$project" "$work/$side/$name.yaml"
    done
    # The old build makes the keys; the new one reads the very same store.
    if ! "$old" generate "$work/old/$name.yaml" --out "$work/old/$name" > /dev/null 2> "$work/old/$name.err"; then
        echo "skipped $name: the old build does not generate it ($(head -n 1 "$work/old/$name.err"))"
        continue
    fi
    cp "$work/old/$name.keys" "$work/new/$name.keys"
    if ! "$new" generate "$work/new/$name.yaml" --out "$work/new/$name" > /dev/null 2> "$work/new/$name.err"; then
        echo "FAILED $name: the new build does not generate it ($(head -n 1 "$work/new/$name.err"))"
        status=1
        continue
    fi
    if ! cmp -s "$work/old/$name.keys" "$work/new/$name.keys"; then
        echo "FAILED $name: the new build rewrote the key store"
        status=1
    fi
    for side in old new; do
        (cd "$work/$side/$name" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$work/$side/$name.sums"
    done
    count=$(wc -l < "$work/old/$name.sums")
    if cmp -s "$work/old/$name.sums" "$work/new/$name.sums"; then
        echo "same    $name: $count files, list $(sha256sum < "$work/old/$name.sums" | cut -c1-16)"
    else
        echo "FAILED  $name: the files differ:"
        diff "$work/old/$name.sums" "$work/new/$name.sums" | head -n 20 || true # diff says 1: they differ
        status=1
    fi
    projects=$((projects + 1))
    files=$((files + count))
    # And every export the old build can write, on the same keys.
    for format in edgeos vyos k8s; do
        if ! "$old" export "$work/old/$name.yaml" --format "$format" --out "$work/old/$name-$format" > /dev/null 2>&1; then
            continue # nothing of that kind in the project
        fi
        cp "$work/old/$name.keys" "$work/new/$name.keys"
        if ! "$new" export "$work/new/$name.yaml" --format "$format" --out "$work/new/$name-$format" > /dev/null 2> "$work/new/$name.err"; then
            echo "FAILED  $name: the new build does not export $format ($(head -n 1 "$work/new/$name.err"))"
            status=1
            continue
        fi
        for side in old new; do
            (cd "$work/$side/$name-$format" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$work/$side/$name-$format.sums"
        done
        count=$(wc -l < "$work/old/$name-$format.sums")
        if cmp -s "$work/old/$name-$format.sums" "$work/new/$name-$format.sums"; then
            echo "same    $name --format $format: $count files, list $(sha256sum < "$work/old/$name-$format.sums" | cut -c1-16)"
        else
            echo "FAILED  $name --format $format: the files differ:"
            diff "$work/old/$name-$format.sums" "$work/new/$name-$format.sums" | head -n 20 || true # diff says 1: they differ
            status=1
        fi
        files=$((files + count))
    done
done
echo "$projects projects, $files files: $([ "$status" -eq 0 ] && echo "byte for byte the same" || echo "DIFFERENCES")"
exit "$status"
