#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER for the Windows build (workspace crates only).
# Debian's rustc-web is 1.85, whose let chains (stable since 1.88) are
# still behind a feature gate: the feature is switched on here rather
# than the code written for an older compiler than the Linux build uses.
exec "$@" '-Zcrate-attr=feature(let_chains)'
