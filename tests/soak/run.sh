#!/bin/sh
# Builds and runs the C ABI soak (tests/soak/soak.c) against libconcert.so.
#
# Usage: tests/soak/run.sh LIBDIR [TRANSACTIONS] [sanitize|valgrind]
#   LIBDIR        the cargo output directory holding libconcert.so
#   TRANSACTIONS  how many payments (default: $SOAK_TRANSACTIONS, else 10000)
#   sanitize      build with ASan+UBSan (leak detection on), or
#   valgrind      build with -O0 and run under valgrind: for the short
#                 runs of `make test-reliability`
# SOAK_SEED=N replays a run. The run is bounded by `timeout`.
set -u

LIBDIR=$(cd "$1" && pwd)
COUNT=${2:-${SOAK_TRANSACTIONS:-10000}}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$LIBDIR/soak-c"
mkdir -p "$OUT"

CFLAGS="-std=c11 -Wall -Wextra -Werror -pedantic -O2 -g -I$ROOT/include"
BIN="$OUT/soak"
if [ "${3:-}" = sanitize ]; then
    CFLAGS="$CFLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    BIN="$OUT/soak-asan"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # ASan keeps freed memory in quarantine: RSS grows by design.
    export SOAK_RSS_SLACK_KB=65536
fi
RUNNER=
if [ "${3:-}" = valgrind ]; then
    CFLAGS="$CFLAGS -O0"
    BIN="$OUT/soak-vg"
    RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
    # RSS is valgrind's own memory there: leaks are its report instead.
    export SOAK_RSS_SLACK_KB=none
fi
cc $CFLAGS "$ROOT/tests/soak/soak.c" -L"$LIBDIR" -lconcert -lpthread -o "$BIN" || exit 1

# About 10 s per 1 000 payments here (the serial lines set the pace), plus
# the wait for idle worker threads to end; bounded generously.
LIMIT=$((180 + COUNT / 10))
SOAK_TRANSACTIONS=$COUNT LD_LIBRARY_PATH="$LIBDIR" timeout "$LIMIT" $RUNNER "$BIN" >"$BIN.log" 2>&1
rc=$?
cat "$BIN.log"
if [ $rc -eq 124 ]; then
    echo "soak-c: FAIL: still running after $LIMIT s"
fi
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error|^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|.*definitely lost)' "$BIN.log"; then
    echo "soak-c: FAIL: sanitizer or valgrind report"
    exit 1
fi
exit $rc
