#!/bin/sh
# RUSTC_WRAPPER for the Windows build of the Node addon. napi-rs needs Rust
# 1.88 for let chains; Debian's rustc-web, the one Rust here that can build
# the standard library for Windows, is 1.85, where let chains are a
# feature gate (RUSTC_BOOTSTRAP is set for build-std anyway). The gate is
# opened for crates.io sources only; the workspace's own crates get it from
# concert-ffi/windows/rustc-wrapper.sh, and std needs nothing.
for a in "$@"; do
    case "$a" in
    */registry/src/*.rs) exec "$@" '-Zcrate-attr=feature(let_chains)' ;;
    esac
done
exec "$@"
