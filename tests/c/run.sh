#!/bin/sh
# Builds and runs the C ABI tests: the C programs (plain and with
# ASan+UBSan, against the static and the shared library), the pkg-config
# links (build tree and install prefix), the C++17 wrapper test and the
# Free Pascal (Delphi Unicode mode) test with its declarations check. Each program is bounded by `timeout 60`.
#
# Usage: tests/c/run.sh LIBDIR PREFIX
#   LIBDIR  the cargo output directory holding libconcert.{a,so} and
#           pkgconfig/concert.pc (e.g. target/debug)
#   PREFIX  an install prefix made by `make install-ffi PREFIX=...`
set -u

LIBDIR=$(cd "$1" && pwd)
PREFIX=$(cd "$2" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$LIBDIR/ffi-tests"
mkdir -p "$OUT"

CFLAGS="-std=c11 -Wall -Wextra -Werror -pedantic -I$ROOT/include"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# What the static library needs from the system (rustc --print native-static-libs).
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0
failed=0

# Runs a built program; counts its PASS/FAIL lines, and fails the whole
# program (one more failure) on a non-zero exit or a sanitizer report.
run() {
    label=$1
    shift
    log="$OUT/$(echo "$label" | tr ' /' '__').log"
    LD_LIBRARY_PATH="$LIBDIR" timeout 60 "$@" >"$log" 2>&1
    rc=$?
    sed "s/^/[$label] /" "$log" | grep -E '^\[[^]]*\] (PASS|FAIL|    )' || true
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    passed=$((passed + p))
    failed=$((failed + f))
    if [ $rc -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$log"; then
        echo "[$label] FAIL exit status $rc (see $log)"
        tail -n 30 "$log"
        failed=$((failed + 1))
    fi
}

# Counts a build step as one case.
step() {
    label=$1
    shift
    if "$@" >"$OUT/step.log" 2>&1; then
        echo "PASS $label"
        passed=$((passed + 1))
        return 0
    fi
    echo "FAIL $label"
    cat "$OUT/step.log"
    failed=$((failed + 1))
    return 1
}

for prog in payments async misuse cancel logs journal; do
    src="$ROOT/tests/c/$prog.c"
    step "build $prog shared" cc $CFLAGS "$src" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/$prog-shared" &&
        run "$prog shared" "$OUT/$prog-shared"
    step "build $prog static" cc $CFLAGS "$src" "$LIBDIR/libconcert.a" $STATIC_LIBS -o "$OUT/$prog-static" &&
        run "$prog static" "$OUT/$prog-static"
    step "build $prog shared asan" cc $CFLAGS $SAN "$src" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/$prog-shared-asan" &&
        run "$prog shared asan" "$OUT/$prog-shared-asan"
    step "build $prog static asan" cc $CFLAGS $SAN "$src" "$LIBDIR/libconcert.a" $STATIC_LIBS -o "$OUT/$prog-static-asan" &&
        run "$prog static asan" "$OUT/$prog-static-asan"
done

# The shared conformance cases, read by C itself (plain and ASan+UBSan).
conformance="$ROOT/tests/c/conformance.c"
step "build conformance" cc $CFLAGS "$conformance" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/conformance" &&
    run "conformance" "$OUT/conformance" "$ROOT/tests/conformance"
step "build conformance asan" cc $CFLAGS $SAN "$conformance" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/conformance-asan" &&
    run "conformance asan" "$OUT/conformance-asan" "$ROOT/tests/conformance"

# pkg-config, from the build tree and from an install prefix: the README's
# quick start is the program linked.
quickstart="$ROOT/tests/c/quickstart.c"
step "pkg-config build tree" sh -c "cc $CFLAGS -o '$OUT/quickstart-tree' '$quickstart' \$(PKG_CONFIG_PATH='$LIBDIR/pkgconfig' pkg-config --cflags --libs concert)" &&
    run "quickstart build tree" "$OUT/quickstart-tree"
step "pkg-config install prefix" sh -c "cc -std=c11 -Wall -Wextra -Werror -pedantic -o '$OUT/quickstart-prefix' '$quickstart' \$(PKG_CONFIG_PATH='$PREFIX/lib/pkgconfig' pkg-config --cflags --libs concert)" &&
    run "quickstart install prefix" env LD_LIBRARY_PATH="$PREFIX/lib" "$OUT/quickstart-prefix"
step "pkg-config static" sh -c "cc $CFLAGS -o '$OUT/quickstart-static' '$quickstart' '$PREFIX/lib/libconcert.a' \$(PKG_CONFIG_PATH='$PREFIX/lib/pkgconfig' pkg-config --static --cflags --libs-only-l concert | sed 's/-lconcert//')" &&
    run "quickstart static" "$OUT/quickstart-static"

# C++17 with the RAII wrapper.
step "build c++ wrapper test" c++ -std=c++17 -Wall -Wextra -Werror -pedantic -I"$ROOT/include" -I"$ROOT/bindings/cpp" \
    "$ROOT/bindings/cpp/tests/concert_test.cpp" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/cpp-test" &&
    run "c++" "$OUT/cpp-test"

# Free Pascal in Delphi Unicode mode (Delphi 2009+ strings), after the
# unit's declarations are checked against the header.
step "delphi declarations match concert.h" python3 "$ROOT/bindings/delphi/tests/declarations.py"
mkdir -p "$OUT/fpc"
step "build delphi test (fpc -Mdelphiunicode)" fpc -Mdelphiunicode -Sew -vw -Fu"$ROOT/bindings/delphi" -Fl"$LIBDIR" -FE"$OUT/fpc" -FU"$OUT/fpc" \
    "$ROOT/bindings/delphi/tests/ConcertTest.pas" &&
    run "delphi" "$OUT/fpc/ConcertTest"
step "build delphi example" fpc -Mdelphiunicode -Sew -vw -Fu"$ROOT/bindings/delphi" -Fl"$LIBDIR" -FE"$OUT/fpc" -FU"$OUT/fpc" \
    "$ROOT/bindings/delphi/example/ConcertPay.dpr" &&
    step "delphi example pays" sh -c "LD_LIBRARY_PATH='$LIBDIR' timeout 60 '$OUT/fpc/ConcertPay' | grep -q '^approved, 1250 cents'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
