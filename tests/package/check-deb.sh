#!/usr/bin/env bash
# Builds the .deb from a finished build, checks its contents and metadata, unpacks it into
# a temporary root and runs the installed program from there.
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB -B "$work/out" --config "$build/CPackConfig.cmake" > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/meshwright_*_*.deb)
echo "built $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | grep -v '/$' | sort > "$work/actual"
sort "$source/tests/package/expected-files.txt" > "$work/expected"
diff -u "$work/expected" "$work/actual" || fail "the package holds other files than expected"

[ "$(dpkg-deb -f "$deb" Package)" = meshwright ] || fail "package name"
[ "$(dpkg-deb -f "$deb" Section)" = net ] || fail "section"
[ "$(dpkg-deb -f "$deb" Recommends)" = wireguard-tools ] || fail "Recommends"
[ "$(dpkg-deb -f "$deb" Suggests)" = wireguard-go ] || fail "Suggests"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libqt6core6 libqt6widgets6 libqt6svg6 libsodium23 libyaml-cpp0.7 libqrencode4; do
    grep -q "$library" <<<"$depends" || fail "Depends lacks $library (computed: $depends)"
done

dpkg -x "$deb" "$work/root"
installed="$work/root/usr/bin/meshwright"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$installed" --version | grep -q '^meshwright ' || fail "--version"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$installed" generate \
    "$work/root/usr/share/meshwright/examples/homelab-mesh.yaml" --out "$work/configs" --keys "$work/example.keys" \
    > "$work/generate.log" 2>&1 || { cat "$work/generate.log"; fail "generate on the installed example"; }
[ -s "$work/configs/phone/wg0.conf" ] || fail "no phone/wg0.conf"
[ -s "$work/configs/puffer/hostname.wg0" ] || fail "no puffer/hostname.wg0"
zcat "$work/root/usr/share/man/man1/meshwright.1.gz" | grep -q '^\.TH MESHWRIGHT 1' || fail "man page"
echo "package ok: $(wc -l < "$work/actual") files; Depends: $depends"
