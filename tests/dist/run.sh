#!/bin/bash
# Installs each package of dist/ the way a user would, in a fresh directory,
# and pays with it against the simulator:
#   - contents: licences in every package, wheels <= 1 MB, no binary in the
#     npm main package, stripped binaries, SHA256SUMS;
#   - Python: a new venv, `pip install` of the wheel (binary only, no index:
#     nothing can be compiled), a payment and a decline;
#   - Node: a new npm project installing concert-tpe and its Linux package
#     from the tarballs, a payment (CommonJS and ESM) that exits by itself;
#     another with concert-tpe alone, whose error must name the platform;
#   - C: the Linux archive unpacked, the README's quick start built with
#     `pkg-config --cflags --libs` (shared) and with the README's static line,
#     and the C++ wrapper's test built against it, each paying;
#   - the command: the archive unpacked, `concert --version` and `concert demo`;
#   - Windows (when dist/ holds the Windows packages and wine is there):
#     tests/dist/windows.sh.
#
# Usage: tests/dist/run.sh DIST WORK   (WORK is emptied first)
set -u

DIST=$(cd "$1" && pwd)
mkdir -p "$2"
WORK=$(cd "$2" && pwd)
rm -rf "${WORK:?}"/*
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml")
LOG="$WORK/logs"
mkdir -p "$LOG"

passed=0
failed=0

# One case: a label and a command; its output goes to a log, shown on failure.
check() {
    label=$1
    shift
    log="$LOG/$(echo "$label" | tr -c 'A-Za-z0-9_.-' '_').log"
    if "$@" >"$log" 2>&1; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label (exit $?)"
        tail -n 40 "$log"
        failed=$((failed + 1))
    fi
}

one() { # the single file of dist/ matching a pattern
    set -- "$DIST"/$1
    [ $# -eq 1 ] && [ -e "$1" ] || { echo "expected one dist/ file, found: $*" >&2; return 1; }
    echo "$1"
}

WHEEL=$(one "concert_tpe-$VERSION-cp39-abi3-manylinux*_x86_64.whl")
SDIST=$(one "concert_tpe-$VERSION.tar.gz")
NPM_MAIN=$(one "concert-tpe-$VERSION.tgz")
NPM_LINUX=$(one "concert-tpe-linux-x64-gnu-$VERSION.tgz")
C_LINUX=$(one "libconcert-$VERSION-linux-x86_64.tar.gz")
CLI_LINUX=$(one "concert-cli-$VERSION-linux-x86_64.tar.gz")
[ -n "$WHEEL" ] && [ -n "$SDIST" ] && [ -n "$NPM_MAIN" ] && [ -n "$NPM_LINUX" ] &&
    [ -n "$C_LINUX" ] && [ -n "$CLI_LINUX" ] || { echo "0 passed, 1 failed"; exit 1; }

# ---- contents ---------------------------------------------------------------

has_licences() { # listing on stdin
    listing=$(cat)
    echo "$listing" | grep -q 'LICENSE-MIT$' && echo "$listing" | grep -q 'LICENSE-APACHE$'
}

contents_sums() {
    cd "$DIST" && sha256sum -c SHA256SUMS && [ "$(wc -l < SHA256SUMS)" -eq "$(ls | grep -vc '^SHA256SUMS$')" ]
}
check "SHA256SUMS covers every file of dist/" contents_sums

# 1 MB in decimal, the stricter reading of the budget.
WHEEL_BUDGET=1000000
contents_wheel() {
    for w in "$DIST"/*.whl; do
        size=$(stat -c %s "$w")
        echo "$(basename "$w"): $size bytes"
        [ "$size" -le "$WHEEL_BUDGET" ] ||
            { echo "$(basename "$w") is $size bytes, over the $WHEEL_BUDGET-byte budget"; return 1; }
        unzip -Z1 "$w" | grep 'dist-info/' | has_licences || { echo "no licences in $w"; return 1; }
    done
}
check "wheels: at most 1 MB each, licences in dist-info" contents_wheel

contents_sdist() {
    tar tzf "$SDIST" | has_licences && tar tzf "$SDIST" | grep -q '/Cargo.lock$' &&
        tar tzf "$SDIST" | grep -q '/concert-core/src/lib.rs$'
}
check "sdist: licences, Cargo.lock, the core's sources" contents_sdist

contents_npm_main() {
    listing=$(tar tzf "$NPM_MAIN")
    echo "$listing"
    echo "$listing" | has_licences &&
        echo "$listing" | grep -qx 'package/README.md' &&
        echo "$listing" | grep -qx 'package/lib/index.d.ts' &&
        echo "$listing" | grep -qx 'package/index.js' &&
        ! echo "$listing" | grep -q '\.node$' &&
        [ "$(tar xzf "$NPM_MAIN" -O package/package.json | node -e '
            const p = JSON.parse(require("fs").readFileSync(0, "utf8"))
            process.stdout.write(JSON.stringify(p.optionalDependencies))')" = \
          "{\"concert-tpe-linux-x64-gnu\":\"$VERSION\",\"concert-tpe-win32-x64-msvc\":\"$VERSION\"}" ]
}
check "npm concert-tpe: JS, types, README, licences, no binary, platform packages optional" contents_npm_main

contents_npm_linux() {
    listing=$(tar tzf "$NPM_LINUX")
    echo "$listing"
    echo "$listing" | has_licences || return 1
    mkdir -p "$WORK/npm-linux" && tar xzf "$NPM_LINUX" -C "$WORK/npm-linux"
    file "$WORK/npm-linux/package/concert.linux-x64-gnu.node" | tee /dev/stderr | grep -q 'x86-64.*, stripped'
}
check "npm concert-tpe-linux-x64-gnu: a stripped release addon, licences" contents_npm_linux

# ---- Python -------------------------------------------------------------------

python_pay() {
    python3 -m venv "$WORK/venv" || return 1
    # No index, binary only: pip can install the wheel and nothing else, so
    # no Rust toolchain (there is none on this PATH either) can be involved.
    env PATH=/usr/bin:/bin "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check \
        --no-index --only-binary=:all: "$WHEEL" || return 1
    (cd "$WORK" && env PATH=/usr/bin:/bin timeout 120 "$WORK/venv/bin/python" "$ROOT/tests/dist/pay.py" "$VERSION")
}
check "Python: pip install the manylinux wheel in a new venv, pay, decline" python_pay

# ---- Node ---------------------------------------------------------------------

# A new npm project (DIR) that installs concert-tpe from its tarball; npm
# reaches the platform package (TGZ) through concert-tpe's optional
# dependencies, as from the registry: an override points that name at the
# tarball. More arguments go to npm install (--os/--cpu for another platform).
npm_project() {
    dir=$1 tgz=$2
    shift 2
    mkdir -p "$dir" && cd "$dir" || return 1
    name=$(basename "$tgz" | sed "s/-$VERSION\.tgz\$//")
    printf '{ "name": "till", "version": "1.0.0", "private": true,\n  "overrides": { "%s": "file:%s" } }\n' \
        "$name" "$tgz" >package.json
    timeout 300 npm install --no-audit --no-fund "$@" "$NPM_MAIN" &&
        [ -f "node_modules/$name/package.json" ] || { echo "npm did not install $name"; return 1; }
}

node_pay() {
    npm_project "$WORK/npm-app" "$NPM_LINUX" &&
        cp "$ROOT/tests/dist/pay.js" "$ROOT/tests/dist/pay.mjs" . &&
        timeout 60 node pay.js "$VERSION" && timeout 60 node pay.mjs
}
check "Node: npm install concert-tpe (concert-tpe-linux-x64-gnu as its optional dependency) in a new project, pay (CJS, ESM), exit" node_pay

node_missing() {
    mkdir -p "$WORK/npm-bare" && cd "$WORK/npm-bare" || return 1
    npm init -y >/dev/null &&
        timeout 300 npm install --no-audit --no-fund "$NPM_MAIN" &&
        cp "$ROOT/tests/dist/missing.js" . && timeout 60 node missing.js
}
check "Node: concert-tpe without its platform package names the platform" node_missing

# ---- C ------------------------------------------------------------------------

C_DIR="$WORK/c/libconcert-$VERSION-linux-x86_64"
c_layout() {
    mkdir -p "$WORK/c" && tar xzf "$C_LINUX" -C "$WORK/c" || return 1
    find "$WORK/c" | sort
    lib="$C_DIR/lib"
    [ -f "$lib/libconcert.so.$VERSION" ] && [ -f "$lib/libconcert.a" ] &&
        [ "$(readlink "$lib/libconcert.so.0")" = "libconcert.so.$VERSION" ] &&
        [ "$(readlink "$lib/libconcert.so")" = "libconcert.so.$VERSION" ] &&
        readelf -d "$lib/libconcert.so.$VERSION" | grep -q 'SONAME.*\[libconcert.so.0\]' &&
        [ -f "$C_DIR/include/concert.h" ] && [ -f "$C_DIR/include/concert.hpp" ] &&
        [ -f "$C_DIR/lib/pkgconfig/concert.pc" ] &&
        find "$WORK/c" | has_licences
}
check "C archive: libconcert.so.$VERSION (SONAME libconcert.so.0) and links, .a, headers, .pc, licences" c_layout

c_shared() {
    cd "$WORK/c" || return 1
    export PKG_CONFIG_PATH="$C_DIR/lib/pkgconfig"
    cc -std=c11 -Wall -Wextra -Werror -pedantic "$ROOT/tests/c/quickstart.c" \
        $(pkg-config --cflags --libs concert) -o pay || return 1
    readelf -d pay | grep -q 'NEEDED.*\[libconcert.so.0\]' || { echo "pay does not ask for libconcert.so.0"; return 1; }
    LD_LIBRARY_PATH="$C_DIR/lib" timeout 60 ./pay
}
check "C: quickstart.c with pkg-config --cflags --libs (shared), pays" c_shared

c_static() {
    cd "$WORK/c" || return 1
    export PKG_CONFIG_PATH="$C_DIR/lib/pkgconfig"
    # The README's static line, as written there.
    cc -std=c11 "$ROOT/tests/c/quickstart.c" $(pkg-config --cflags concert) "$(pkg-config --variable=libdir concert)/libconcert.a" $(pkg-config --static --libs-only-l concert | sed s/-lconcert//) -o pay-static || return 1
    ! readelf -d pay-static | grep -q libconcert || { echo "pay-static needs libconcert.so"; return 1; }
    timeout 60 ./pay-static
}
check "C: quickstart.c linked statically (README line), pays" c_static

c_cpp() {
    cd "$WORK/c" || return 1
    export PKG_CONFIG_PATH="$C_DIR/lib/pkgconfig"
    c++ -std=c++17 -Wall -Wextra -Werror -pedantic "$ROOT/bindings/cpp/tests/concert_test.cpp" \
        $(pkg-config --cflags --libs concert) -lpthread -o cpp-test || return 1
    LD_LIBRARY_PATH="$C_DIR/lib" timeout 60 ./cpp-test
}
check "C++: the concert.hpp tests against the archive" c_cpp

# ---- the command ----------------------------------------------------------------

cli() {
    mkdir -p "$WORK/cli" && tar xzf "$CLI_LINUX" -C "$WORK/cli" || return 1
    bin="$WORK/cli/concert-cli-$VERSION-linux-x86_64/concert"
    find "$WORK/cli" | has_licences || return 1
    file "$bin" | grep -q ', stripped' || { file "$bin"; return 1; }
    "$bin" --version | grep -qx "concert $VERSION" || { "$bin" --version; return 1; }
    timeout 120 "$bin" demo
}
check "concert: --version, demo (V3 TCP and V2 pty simulators)" cli

# ---- Windows --------------------------------------------------------------------

if ls "$DIST"/*win* >/dev/null 2>&1; then
    . "$ROOT/tests/dist/windows.sh"
fi

echo "dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
