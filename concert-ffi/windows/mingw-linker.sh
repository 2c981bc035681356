#!/bin/sh
# Linker for *-pc-windows-gnu under -Zbuild-std: rustc names rsbegin.o and
# rsend.o (the unwinding frame registration) expecting them in a prebuilt
# sysroot, which build-std does not make. They are compiled once per
# target from the standard library's own source and put in place of the
# bare names. The target is read from the library paths rustc passes.
set -eu
triple=x86_64-pc-windows-gnu
gcc=x86_64-w64-mingw32-gcc
for a in "$@"; do
    case "$a" in
    *i686-pc-windows-gnu* | *windows_i686_gnu*)
        triple=i686-pc-windows-gnu
        gcc=i686-w64-mingw32-gcc
        ;;
    esac
done
src=/usr/lib/rustlib/src/rust/library/rtstartup
objs="${CARGO_TARGET_DIR:?}/rtstartup/$triple"
if [ ! -f "$objs/rsend.o" ]; then
    mkdir -p "$objs"
    for o in rsbegin rsend; do
        RUSTC_BOOTSTRAP=1 /usr/bin/rustc --target "$triple" --emit=obj \
            -C panic=abort -C opt-level=3 -o "$objs/$o.o.$$" "$src/$o.rs"
        mv "$objs/$o.o.$$" "$objs/$o.o"
    done
fi
for a in "$@"; do
    shift
    case "$a" in
    rsbegin.o | rsend.o) set -- "$@" "$objs/$a" ;;
    *) set -- "$@" "$a" ;;
    esac
done
exec "$gcc" "$@"
