# Sourced by the Windows test scripts (ROOT set): a wine prefix under
# target/, quiet, able to run 64- and 32-bit programs, holding the
# test-only bcryptprimitives.dll stand-in (see bcryptprimitives.c).
#
#   wine_setup          creates the prefix once (about 15 s)
#   wine_loader ARCH    the loader for x64 or x86 programs
#   wine_stop           ends this prefix's wineserver

WINE_DIR="$ROOT/target/windows/wine"
export WINEPREFIX="$WINE_DIR/prefix"
export WINEDEBUG=-all
# wine64 alone has no `wine` wrapper.
WINE64=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
# 32-bit wine: Debian's wine32:i386 when it installs, else the same
# packages unpacked under target/ (see tools.sh), whose DLLs wine finds
# through WINEDLLPATH (and the 64-bit loader the 32-bit one through
# WINELOADER). 32-bit programs are started by the 32-bit loader: through
# the 64-bit one, wine 8 runs them in its experimental WoW64 mode, where
# ws2_32.dll fails to initialise.
WINE32=/usr/lib/wine/wine
WINE32_ROOT="$WINE_DIR/wine32-root"
if [ ! -x /usr/lib/wine/wine ] && [ -x "$WINE32_ROOT/usr/lib/wine/wine" ]; then
    mkdir -p "$WINE_DIR/bin"
    ln -sf "$WINE64" "$WINE_DIR/bin/wine64"
    ln -sf "$WINE32_ROOT/usr/lib/wine/wine" "$WINE_DIR/bin/wine"
    ln -sf "$WINESERVER" "$WINE_DIR/bin/wineserver"
    WINE64="$WINE_DIR/bin/wine64"
    WINE32="$WINE_DIR/bin/wine"
    export WINELOADER="$WINE64"
    export WINEDLLPATH="$WINE32_ROOT/usr/lib/i386-linux-gnu/wine"
fi

# True when 32-bit Windows programs can run here.
wine_has_32() {
    [ -x /usr/lib/wine/wine ] || [ -x "$WINE32_ROOT/usr/lib/wine/wine" ]
}

wine_setup() {
    if [ ! -f "$WINE_DIR/.ready" ]; then
        rm -rf "$WINEPREFIX"
        mkdir -p "$WINE_DIR"
        timeout 300 "$WINE64" cmd /c exit >"$WINE_DIR/setup.log" 2>&1 || {
            cat "$WINE_DIR/setup.log"
            return 1
        }
        "$WINESERVER" -w
        touch "$WINE_DIR/.ready"
    fi
    # wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std
    # imports; real Windows 10+ has it. Test prefix only, never shipped.
    for arch in x64 x86; do
        case $arch in
        x64) cc=x86_64-w64-mingw32-gcc dir=system32 ;;
        x86) cc=i686-w64-mingw32-gcc dir=syswow64 ;;
        esac
        [ -d "$WINEPREFIX/drive_c/windows/$dir" ] || continue
        dll="$WINE_DIR/bcryptprimitives-$arch.dll"
        if [ ! -f "$dll" ] || [ "$ROOT/tests/windows/bcryptprimitives.c" -nt "$dll" ]; then
            $cc -O2 -shared -Wl,--enable-stdcall-fixup -o "$dll" \
                "$ROOT/tests/windows/bcryptprimitives.c" "$ROOT/tests/windows/bcryptprimitives.def" -lbcrypt ||
                return 1
        fi
        cp "$dll" "$WINEPREFIX/drive_c/windows/$dir/bcryptprimitives.dll"
    done
}

wine_loader() {
    case "$1" in
    x64) echo "$WINE64" ;;
    x86) echo "$WINE32" ;;
    esac
}

wine_stop() {
    "$WINESERVER" -k 2>/dev/null || true
}
