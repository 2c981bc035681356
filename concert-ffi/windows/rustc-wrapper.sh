#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER for the Windows build (workspace crates only).
# Debian's rustc-web is 1.85, whose let chains (stable since 1.88) and
# file locks (1.89) are still behind feature gates: they are switched on
# here rather than the code written for an older compiler than the Linux
# build uses; `concert_rustc_1_85` marks the one API that changed shape
# when stabilised (File::try_lock).
exec "$@" '-Zcrate-attr=feature(let_chains)' '-Zcrate-attr=feature(file_lock)' --cfg concert_rustc_1_85
