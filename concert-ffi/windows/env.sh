# Sourced by the Windows build and test scripts: the environment that
# cross-builds for x86_64-pc-windows-gnu and i686-pc-windows-gnu with
# Debian's Rust (rustc-web, cargo-web, rust-web-src) and mingw-w64.
#
# rustup cannot add Windows targets here, so the standard library is built
# from Debian's source of it (-Zbuild-std, which needs RUSTC_BOOTSTRAP).
# Debian's cargo runs in its own target directory and cargo home under
# target/, so the Linux build (rustup's toolchain) is never disturbed and
# nothing is cached outside the repository's target/.
#
# Needs ROOT (the repository) set before sourcing.

WIN_TARGET_DIR="$ROOT/target/win-build"
export CARGO_TARGET_DIR="$WIN_TARGET_DIR"
export CARGO_HOME="$ROOT/target/win-cargo-home"
export PATH="/usr/bin:/bin:/usr/sbin:/sbin"
export RUSTC_BOOTSTRAP=1
# -Zbuild-std=std,panic_unwind is passed on the command line (WIN_ZFLAGS).
unset RUSTUP_TOOLCHAIN RUSTC RUSTDOC RUSTFLAGS CARGO_BUILD_TARGET

# rustc links rsbegin.o/rsend.o, which build-std does not make: the
# wrapper compiles them once and hands them to mingw's gcc.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="$ROOT/concert-ffi/windows/mingw-linker.sh"
export CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER="$ROOT/concert-ffi/windows/mingw-linker.sh"

# C code in dependencies (cc-rs: bundled SQLite and the like) must be
# compiled by mingw, never by the host's cc.
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++
export CC_i686_pc_windows_gnu=i686-w64-mingw32-gcc
export AR_i686_pc_windows_gnu=i686-w64-mingw32-ar
export CXX_i686_pc_windows_gnu=i686-w64-mingw32-g++

# Rust's name for each architecture, and mingw's prefix.
win_triple() {
    case "$1" in
    x64) echo x86_64-pc-windows-gnu ;;
    x86) echo i686-pc-windows-gnu ;;
    *) echo "unknown architecture $1 (x64 or x86)" >&2; return 1 ;;
    esac
}
win_mingw() {
    case "$1" in
    x64) echo x86_64-w64-mingw32 ;;
    x86) echo i686-w64-mingw32 ;;
    *) echo "unknown architecture $1 (x64 or x86)" >&2; return 1 ;;
    esac
}

# The standard library for the target, built from source with unwinding
# (panics are caught at the C boundary, never abort the till).
WIN_ZFLAGS="-Zbuild-std=std,panic_unwind"
export RUSTC_WORKSPACE_WRAPPER="$ROOT/concert-ffi/windows/rustc-wrapper.sh"
