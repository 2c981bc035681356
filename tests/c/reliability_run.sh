#!/bin/sh
# Runs the C ABI misuse tests (reliability_misuse.c,
# reliability_callbacks.c): plain, under ASan+UBSan (shared and static
# library) and under valgrind (shared library, -O0 -g, no sanitizer:
# the two cannot be combined). misuse.c and async.c, which run under the
# sanitizers in tests/c/run.sh, run under valgrind here too. Any sanitizer
# or valgrind report fails the run. Each run is bounded by `timeout`.
#
# Usage: tests/c/reliability_run.sh LIBDIR
#   LIBDIR  the cargo output directory holding libconcert.{a,so}
set -u

LIBDIR=$(cd "$1" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$LIBDIR/reliability-c"
mkdir -p "$OUT"

CFLAGS="-std=c11 -Wall -Wextra -Werror -pedantic -O0 -g -I$ROOT/include -I$ROOT/tests/c"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0
failed=0

# Runs a built program; counts its PASS/FAIL lines, and counts one more
# failure on a non-zero exit or any sanitizer or valgrind report.
run() {
    label=$1
    shift
    log="$OUT/$(echo "$label" | tr ' /' '__').log"
    LD_LIBRARY_PATH="$LIBDIR" timeout 300 "$@" >"$log" 2>&1
    rc=$?
    sed "s/^/[$label] /" "$log" | grep -E '^\[[^]]*\] (PASS|FAIL|    )' || true
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    passed=$((passed + p))
    failed=$((failed + f))
    if [ $rc -ne 0 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error|^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination|.*definitely lost)' "$log"; then
        echo "FAIL [$label] exit status $rc or a report (see $log)"
        tail -n 40 "$log"
        failed=$((failed + 1))
    else
        echo "PASS [$label] no report"
        passed=$((passed + 1))
    fi
}

# Counts a step as one case.
step() {
    label=$1
    shift
    if "$@" >"$OUT/step.log" 2>&1; then
        passed=$((passed + 1))
        return 0
    fi
    echo "FAIL $label"
    cat "$OUT/step.log"
    failed=$((failed + 1))
    return 1
}

# "NULL everywhere" means every function: each one the header declares is
# called in reliability_misuse.c (the NULL sweeps).
missing=$(grep -oE 'concert_[a-z0-9_]+\(' "$ROOT/include/concert.h" | tr -d '(' | sort -u |
    while read -r fn; do grep -q "$fn(" "$ROOT/tests/c/reliability_misuse.c" || echo "$fn"; done)
if [ -z "$missing" ]; then
    echo "PASS every function of concert.h is called by reliability_misuse.c"
    passed=$((passed + 1))
else
    echo "FAIL functions never called by reliability_misuse.c: $missing"
    failed=$((failed + 1))
fi

for prog in reliability_misuse reliability_callbacks; do
    src="$ROOT/tests/c/$prog.c"
    step "build $prog" cc $CFLAGS "$src" -L"$LIBDIR" -lconcert -lpthread -o "$OUT/$prog" &&
        run "$prog" "$OUT/$prog"
    step "build $prog asan shared" cc $CFLAGS $SAN "$src" -L"$LIBDIR" -lconcert -lpthread \
        -o "$OUT/$prog-asan" &&
        run "$prog asan shared" "$OUT/$prog-asan"
    step "build $prog asan static" cc $CFLAGS $SAN "$src" "$LIBDIR/libconcert.a" $STATIC_LIBS \
        -o "$OUT/$prog-asan-static" &&
        run "$prog asan static" "$OUT/$prog-asan-static"
done

for prog in reliability_misuse reliability_callbacks misuse async; do
    src="$ROOT/tests/c/$prog.c"
    step "build $prog for valgrind" cc $CFLAGS "$src" -L"$LIBDIR" -lconcert -lpthread \
        -o "$OUT/$prog-vg" &&
        run "$prog valgrind" $VALGRIND "$OUT/$prog-vg"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
