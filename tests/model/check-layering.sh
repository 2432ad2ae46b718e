#!/usr/bin/env bash
# The model's parts point one way: a file of a part includes headers of its own part and of
# the parts listed before it in model/CMakeLists.txt (model_parts, lowest first), never of a
# part listed after it. Prints every include that points the wrong way; exits 1 when any does.
#
#   tests/model/check-layering.sh [MODEL_DIR]
set -euo pipefail

model=${1:-$(cd "$(dirname "$0")/../../model" && pwd)}
# The parts in order: the words of `set(model_parts ...)`, comments dropped.
mapfile -t parts < <(sed -n '/^set(model_parts/,/^)/p' "$model/CMakeLists.txt" | sed -e 's/#.*//' -e 's/set(model_parts//' -e 's/)//' | tr -s ' \t' '\n' | sed '/^$/d')
[ ${#parts[@]} -ge 2 ] || { echo "no model_parts list in $model/CMakeLists.txt"; exit 2; }

declare -A rank   # part -> its place in the list
declare -A owner  # header file name -> the part that holds it
for i in "${!parts[@]}"; do
    part=${parts[$i]}
    [ -d "$model/$part" ] || { echo "model_parts names $part, which is not a folder of $model"; exit 2; }
    rank[$part]=$i
    for header in "$model/$part"/*.h; do
        owner[$(basename "$header")]=$part
    done
done

wrong=0
checked=0
for part in "${parts[@]}"; do
    for file in "$model/$part"/*.h "$model/$part"/*.cpp; do
        [ -f "$file" ] || continue
        checked=$((checked + 1))
        while IFS=: read -r line header; do
            target=${owner[$header]:-}
            [ -n "$target" ] || continue # Qt, the standard library, libsodium, yaml-cpp
            if [ "${rank[$target]}" -gt "${rank[$part]}" ]; then
                echo "model/$part/$(basename "$file"):$line includes $header of $target, a part that comes after $part"
                wrong=1
            fi
        done < <(grep -n -o -P '^\s*#\s*include\s+"\K[^"]+' "$file" || true)
    done
done
for folder in "$model"/*/; do
    name=$(basename "$folder")
    [ -n "${rank[$name]:-}" ] || { echo "model/$name is in no part of model_parts"; wrong=1; }
done
[ $wrong -eq 0 ] && echo "model: ${#parts[@]} parts, $checked files, every include points down: ${parts[*]}"
exit $wrong
