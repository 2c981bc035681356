#!/bin/sh
# Installs what the Windows build and tests need, each only when missing:
# Debian's Rust with the standard library's source (rustup cannot add
# Windows targets here), mingw-w64, wine64, 32-bit wine, lld (lld-link
# checks concert.lib the way MSVC's linker uses it) and Free Pascal with
# its source (for the Windows RTL, see fpc.sh).
#
# 32-bit wine: wine32:i386 when apt can install it. When it cannot (the
# i386 packages must carry exactly the versions of the amd64 ones
# installed, which a mirror does not always have), the same two packages
# are downloaded and unpacked under target/windows/wine (dpkg's database
# untouched) and run through the 64-bit loader (see wine.sh); libc6:i386
# is all they need from the system for console programs.
# apt-get never removes a package here (--no-remove).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APT="apt-get install -y -q --no-install-recommends --no-remove"
export DEBIAN_FRONTEND=noninteractive
updated=
update() {
    # An index that fails to download (a mirror mid-sync) is not fatal:
    # the install below says whether what is needed could be had.
    [ -n "$updated" ] || apt-get update -q >/dev/null 2>&1 || true
    updated=1
}

need=
[ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] || need="$need rustc-web cargo-web"
[ -d /usr/lib/rustlib/src/rust/library/std ] || need="$need rust-web-src"
command -v x86_64-w64-mingw32-gcc >/dev/null && command -v i686-w64-mingw32-gcc >/dev/null ||
    need="$need mingw-w64"
[ -x /usr/lib/wine/wine64 ] || need="$need wine64"
command -v lld-link >/dev/null || need="$need lld"
command -v fpc >/dev/null || need="$need fp-compiler"
[ -d "/usr/share/fpcsrc/$(fpc -iV 2>/dev/null || echo 3.2.2)/rtl/win64" ] || need="$need fpc-source"
if [ -n "$need" ]; then
    update
    $APT $need
fi

wine32_root="$ROOT/target/windows/wine/wine32-root"
if [ ! -x /usr/lib/wine/wine ] && [ ! -x "$wine32_root/usr/lib/wine/wine" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        dpkg --add-architecture i386
        updated=
    fi
    update
    if ! $APT wine32:i386 >"$ROOT/target/windows-wine32-apt.log" 2>&1; then
        echo "wine32:i386 does not install here (see target/windows-wine32-apt.log):"
        echo "unpacking it under target/windows/wine instead"
        [ -e /lib/ld-linux.so.2 ] || $APT libc6:i386
        debs="$ROOT/target/windows/wine/debs"
        rm -rf "$debs" "$wine32_root.tmp"
        mkdir -p "$debs" "$wine32_root.tmp"
        # apt's sandbox user cannot write under target/: plain root download.
        (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root wine32:i386 libwine:i386)
        for deb in "$debs"/*.deb; do
            dpkg-deb -x "$deb" "$wine32_root.tmp"
        done
        rm -rf "$wine32_root" "$debs"
        mv "$wine32_root.tmp" "$wine32_root"
    fi
fi
