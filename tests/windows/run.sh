#!/bin/sh
# The Windows tests, under wine, of what concert-ffi/windows/build.sh made
# in target/windows/<arch>/:
#   - each concert.dll imports Windows system DLLs only (no mingw runtime
#     DLL to ship), exports exactly the header's functions, and its MSVC
#     import library names them undecorated (cdecl on x86);
#   - the C test programs of tests/c, built with mingw for x64 and x86
#     (-std=c11 -Wall -Wextra -Werror -pedantic, once against each import
#     library), run against the built-in simulator over TCP (the journal
#     test included: SQLite compiled by mingw);
#   - the Delphi unit's test, built by Free Pascal as a Windows program;
#   - the Rust tests of concert-core and concert-ffi, built for x64
#     Windows, each test executable run under wine.
# Each program is bounded by `timeout`. Ends with "N passed, M failed".
#
# Usage: tests/windows/run.sh
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/windows/wine.sh"
OUT="$ROOT/target/windows/tests"
rm -rf "$OUT"
mkdir -p "$OUT"

passed=0
failed=0

pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}

fail() {
    echo "FAIL $1"
    failed=$((failed + 1))
}

# A check run as one case: its output is shown only when it fails.
step() {
    label=$1
    shift
    if "$@" >"$OUT/step.log" 2>&1; then
        pass "$label"
        return 0
    fi
    fail "$label"
    cat "$OUT/step.log"
    return 1
}

# Runs a test program (ARCH x64 or x86) under wine from its directory;
# counts its PASS/FAIL lines, and one more failure on a non-zero exit.
run_exe() {
    arch=$1
    label=$2
    exe=$3
    log="$OUT/$(echo "$label" | tr ' /' '__').log"
    (cd "$(dirname "$exe")" && timeout 120 "$(wine_loader "$arch")" "./$(basename "$exe")") >"$log" 2>&1
    rc=$?
    sed "s/^/[$label] /" "$log" | grep -E '^\[[^]]*\] (PASS|FAIL|SKIP|    )' || true
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    passed=$((passed + p))
    failed=$((failed + f))
    if [ $rc -ne 0 ]; then
        echo "FAIL [$label] exit status $rc (see $log)"
        tail -n 20 "$log"
        failed=$((failed + 1))
    fi
}

# The DLLs a program or DLL imports: each a part of Windows 10 and later,
# or the one named by the third argument.
check_imports() {
    "$1-objdump" -p "$2" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u >"$OUT/imports"
    echo "imports: $(tr '\n' ' ' <"$OUT/imports")"
    bad=$(grep -vxE "${3:-kernel32\.dll}|"'kernel32\.dll|ntdll\.dll|msvcrt\.dll|ucrtbase\.dll|api-ms-win-(core|crt)-[a-z0-9-]+\.dll|advapi32\.dll|userenv\.dll|ws2_32\.dll|bcrypt\.dll|bcryptprimitives\.dll|cfgmgr32\.dll|setupapi\.dll|user32\.dll|ole32\.dll|oleaut32\.dll|shell32\.dll|secur32\.dll|crypt32\.dll' "$OUT/imports")
    [ -z "$bad" ] || {
        echo "not a Windows system DLL: $bad"
        return 1
    }
    [ -s "$OUT/imports" ]
}

# concert.def (read from the DLL's export table) against the header.
check_exports() {
    grep -oE '\bconcert_[a-z0-9_]+\(' "$ROOT/include/concert.h" | tr -d '(' | sort -u >"$OUT/header-functions"
    sed -n 's/^    \(concert_[a-z0-9_]*\)$/\1/p' "$1" | sort -u >"$OUT/def-functions"
    diff "$OUT/header-functions" "$OUT/def-functions" &&
        echo "$(wc -l <"$OUT/def-functions") exports" &&
        [ "$(grep -c '^    ' "$1")" -eq "$(wc -l <"$OUT/def-functions")" ]
}

# The MSVC import library: every function under its C name (a leading
# underscore on x86, where cdecl decorates so), importing the undecorated
# export, as link.exe resolves a call compiled from concert.h.
check_msvc_lib() {
    mingw=$1 lib=$2 prefix=$3
    "$mingw-objdump" -t "$lib" | sed -n 's/.* \(__imp_[A-Za-z0-9_]*\)$/\1/p' | sort -u >"$OUT/lib-imports"
    sed "s/^/__imp_$prefix/" "$OUT/header-functions" >"$OUT/lib-expected"
    diff "$OUT/lib-expected" "$OUT/lib-imports" || return 1
    strings "$lib" | grep -x 'concert_[a-z0-9_]*' | sort -u >"$OUT/lib-names"
    diff "$OUT/header-functions" "$OUT/lib-names"
}

msvc_link() {
    arch=$1 mingw=$2 dir=$3 bin=$4
    case $arch in
    x64) entry=start safeseh= ;;
    x86) entry=start@0 safeseh=/safeseh:no ;;
    esac
    "$mingw-gcc" $CFLAGS -O1 -ffreestanding -fno-asynchronous-unwind-tables -fno-stack-protector \
        -c "$ROOT/tests/windows/msvc_link.c" -o "$bin/msvc_link.o" &&
        lld-link /nologo /entry:$entry /subsystem:console /nodefaultlib $safeseh \
            /out:"$bin/msvc_link.exe" "$bin/msvc_link.o" "$dir/concert.lib" "/usr/$mingw/lib/libkernel32.a"
}

msvc_run() {
    (cd "$2" && timeout 60 "$(wine_loader "$1")" ./msvc_link.exe)
    rc=$?
    version=$(sed -n 's/^#define CONCERT_VERSION "\(.*\)"/\1/p' "$ROOT/include/concert.h")
    echo "exit status $rc, strlen(\"$version\") = ${#version}"
    [ "$rc" -eq "${#version}" ]
}

if ! wine_setup; then
    fail "wine prefix"
    echo "$passed passed, $failed failed"
    exit 1
fi

summary=
CFLAGS="-std=c11 -Wall -Wextra -Werror -pedantic -I$ROOT/include -I$ROOT/tests/c"
# winpthreads linked in, so the programs need no mingw DLL either.
PTHREAD="-Wl,-Bstatic -lpthread -Wl,-Bdynamic"
for arch in x64 x86; do
    case $arch in
    x64) mingw=x86_64-w64-mingw32 prefix= ;;
    x86) mingw=i686-w64-mingw32 prefix=_ ;;
    esac
    dir="$ROOT/target/windows/$arch"
    bin="$OUT/$arch"
    p0=$passed f0=$failed
    mkdir -p "$bin"
    echo "== $arch"
    if [ ! -f "$dir/concert.dll" ]; then
        fail "$arch: no $dir/concert.dll (run make windows)"
        continue
    fi
    step "$arch concert.dll imports system DLLs only" check_imports "$mingw" "$dir/concert.dll" &&
        sed 's/^/    /' "$OUT/step.log"
    step "$arch concert.def exports the header's functions" check_exports "$dir/concert.def"
    step "$arch concert.lib imports them undecorated" check_msvc_lib "$mingw" "$dir/concert.lib" "$prefix"
    cp "$dir/concert.dll" "$bin/"
    if [ "$arch" = x86 ] && ! wine_has_32; then
        fail "x86: no 32-bit wine (tests/windows/tools.sh installs it)"
        continue
    fi
    for prog in payments async misuse cancel logs journal reliability_callbacks reliability_misuse; do
        step "$arch build $prog" "$mingw-gcc" $CFLAGS "$ROOT/tests/c/$prog.c" \
            -L"$dir" -lconcert $PTHREAD -o "$bin/$prog.exe" &&
            run_exe "$arch" "$arch $prog" "$bin/$prog.exe"
    done
    # The README's quick start, linked through the MSVC import library.
    step "$arch build quickstart with concert.lib" "$mingw-gcc" $CFLAGS "$ROOT/tests/c/quickstart.c" \
        "$dir/concert.lib" -o "$bin/quickstart.exe" &&
        run_exe "$arch" "$arch quickstart" "$bin/quickstart.exe"
    # concert.lib through lld-link, MSVC's link.exe work-alike, with no C
    # runtime: the program exits with strlen(concert_version()). On x86,
    # /safeseh:no as for any object mingw compiled (the import library's
    # members carry no SafeSEH mark either).
    step "$arch concert.lib links with lld-link (MSVC style)" msvc_link "$arch" "$mingw" "$dir" "$bin" &&
        step "$arch lld-linked program calls concert.dll" msvc_run "$arch" "$bin"
    step "$arch programs import no mingw DLL" check_imports "$mingw" "$bin/async.exe" 'concert\.dll'
    # The Delphi unit's test, as a Windows program (Free Pascal, Delphi
    # Unicode mode) on this bitness's DLL.
    step "$arch build delphi test (fpc -Mdelphiunicode)" "$ROOT/tests/windows/fpc.sh" "$arch" "$bin/delphi" \
        "$ROOT/bindings/delphi/tests/ConcertTest.pas" -Mdelphiunicode -Sew -vw -Fu"$ROOT/bindings/delphi" &&
        cp "$dir/concert.dll" "$bin/delphi/" &&
        run_exe "$arch" "$arch delphi" "$bin/delphi/ConcertTest.exe"
    step "$arch build delphi example" "$ROOT/tests/windows/fpc.sh" "$arch" "$bin/delphi" \
        "$ROOT/bindings/delphi/example/ConcertPay.dpr" -Mdelphiunicode -Sew -vw -Fu"$ROOT/bindings/delphi" &&
        step "$arch delphi example pays" sh -c "cd '$bin/delphi' && timeout 60 '$(wine_loader "$arch")' ./ConcertPay.exe | grep -q '^approved, 1250 cents'"
    summary="$summary$arch (DLL checks, C, Delphi): $((passed - p0)) passed, $((failed - f0)) failed
"
done

# The Rust tests, x64: built by Debian's cargo (see concert-ffi/windows/env.sh),
# each test executable run under wine from the build directory.
echo "== Rust tests (x86_64-pc-windows-gnu)"
p0=$passed f0=$failed
(
    . "$ROOT/concert-ffi/windows/env.sh"
    cd "$ROOT" && cargo test $WIN_ZFLAGS --locked --ignore-rust-version --release --no-run \
        --target x86_64-pc-windows-gnu -p concert-core -p concert-ffi \
        --message-format=json-render-diagnostics >"$OUT/rust-build.json"
) >"$OUT/rust-build.log" 2>&1
if [ $? -ne 0 ]; then
    fail "build the Rust tests for Windows"
    tail -n 40 "$OUT/rust-build.log"
else
    grep -o '"executable":"[^"]*"' "$OUT/rust-build.json" | sed 's/^"executable":"//; s/"$//' >"$OUT/rust-tests"
    while read -r exe; do
        name=$(basename "$exe" .exe)
        log="$OUT/rust-$name.log"
        (cd "$(dirname "$exe")" && timeout 600 "$WINE64" "$exe") >"$log" 2>&1
        rc=$?
        result=$(grep '^test result:' "$log" | tail -n 1)
        p=$(echo "$result" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
        f=$(echo "$result" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
        i=$(echo "$result" | sed -n 's/.* \([0-9]*\) ignored.*/\1/p')
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0}))
        echo "[rust $name] ${p:-0} passed, ${f:-0} failed, ${i:-0} ignored"
        grep -E '^test .* (FAILED|ignored, .*)$' "$log" | sed "s/^/[rust $name] /"
        if [ $rc -ne 0 ] || [ -z "$result" ]; then
            echo "FAIL [rust $name] exit status $rc (see $log)"
            grep -A15 -E '^(failures:|---- )' "$log" | head -n 60
            [ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
        fi
    done <"$OUT/rust-tests"
fi

summary="${summary}x64 Rust tests: $((passed - p0)) passed, $((failed - f0)) failed
"
wine_stop
printf '%s' "$summary"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
