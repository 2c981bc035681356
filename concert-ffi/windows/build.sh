#!/bin/sh
# Builds concert.dll for Windows (x64, x86 or both) into target/windows/<arch>/:
#   concert.dll       the library (release), Rust and C runtimes linked in
#   libconcert.dll.a  import library for mingw (gcc, clang)
#   concert.def       every export, undecorated
#   concert.lib       import library for MSVC (link.exe), made from the .def
#   concert.h         the header
# Usage: concert-ffi/windows/build.sh [x64] [x86]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/concert-ffi/windows/env.sh"

[ $# -gt 0 ] || set -- x64 x86
# One cargo run for every target: the two standard libraries and
# dependency trees build side by side on the available cores.
targets=
for arch in "$@"; do
    targets="$targets --target $(win_triple "$arch")"
done
echo "== concert.dll for $*"
(cd "$ROOT" && cargo build $WIN_ZFLAGS --locked --release -p concert-ffi $targets)
for arch in "$@"; do
    triple=$(win_triple "$arch")
    mingw=$(win_mingw "$arch")
    out="$ROOT/target/windows/$arch"
    built="$WIN_TARGET_DIR/$triple/release"
    mkdir -p "$out"
    cp "$built/concert.dll" "$out/concert.dll"
    cp "$built/libconcert.dll.a" "$out/libconcert.dll.a"
    cp "$ROOT/include/concert.h" "$out/concert.h"
    # The exports as the DLL has them: its export table, not a list kept
    # by hand. Rust's extern "C" is cdecl on x86, whose names mingw's
    # linker exports without the leading underscore.
    {
        echo "LIBRARY concert.dll"
        echo "EXPORTS"
        "$mingw-objdump" -p "$out/concert.dll" |
            sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/p' |
            sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\] \(concert_[A-Za-z0-9_]*\)$/    \1/p'
    } > "$out/concert.def"
    "$mingw-dlltool" --dllname concert.dll --input-def "$out/concert.def" \
        --output-lib "$out/concert.lib"
    "$mingw-strip" --strip-unneeded "$out/concert.dll"
    echo "   $(grep -c '^    concert_' "$out/concert.def") exports, $(wc -c < "$out/concert.dll") bytes: $out"
done
