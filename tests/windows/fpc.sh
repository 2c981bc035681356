#!/bin/sh
# Compiles a Free Pascal program for Windows: x64 with Debian's ppcx64,
# x86 with a ppcross386 built here. Debian ships neither the Windows RTL
# nor an i386 compiler, so both are built once from fpc-source under
# target/windows/fpc (about a minute); FPC then links Windows programs
# with its internal linker.
#
# Usage: tests/windows/fpc.sh ARCH OUTDIR PROGRAM.pas [FPC OPTIONS...]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
arch=$1 out=$2 program=$3
shift 3
version=$(fpc -iV)
src=/usr/share/fpcsrc/$version
base="$ROOT/target/windows/fpc"
case $arch in
x64) ppc=ppcx64 os=win64 cpu=x86_64 ;;
x86) ppc="$base/ppcross386" os=win32 cpu=i386 ;;
*) echo "unknown architecture $arch" >&2; exit 2 ;;
esac
units="$base/units/$cpu-$os"
log="$base/build-$cpu-$os.log"
mkdir -p "$base"

if [ "$arch" = x86 ] && [ ! -x "$ppc" ]; then
    echo "building ppcross386 from $src/compiler"
    work="$base/ppcross386-build"
    rm -rf "$work" && mkdir -p "$work"
    # The compiler's messages, generated from the installed message file.
    fpclib=$(dirname "$(ls /usr/lib/*/fpc/"$version"/msg/errore.msg | head -n 1)")/..
    fpc -FE"$work" "$src/compiler/utils/msg2inc.pp" >"$log" 2>&1
    (cd "$work" && ./msg2inc "$fpclib/msg/errore.msg" msg msg) >>"$log" 2>&1
    (cd "$src/compiler" && ppcx64 -n -Fu"$fpclib/units/x86_64-linux/*" \
        -di386 -dNOOPT -Fui386 -Fux86 -Fusystems -Fii386 -Fix86 -Fi. -Fi"$work" \
        -FE"$work" -FU"$work" -Sg -O2 -Xs -XX -o"$work/ppcross386" pp.pas) >>"$log" 2>&1 || {
        tail -n 20 "$log"
        exit 1
    }
    mv "$work/ppcross386" "$ppc"
    rm -rf "$work"
fi

if [ ! -f "$units/.ready" ]; then
    echo "building the $os RTL from $src/rtl"
    rm -rf "$units" && mkdir -p "$units"
    rtl="$src/rtl"
    opts="-T$os -P$cpu -n -O2 -Sg -FE$units -FU$units -Fu$units
        -Fi$rtl/inc -Fi$rtl/$cpu -Fi$rtl/win -Fi$rtl/win/wininc -Fi$rtl/objpas
        -Fi$rtl/objpas/sysutils -Fi$rtl/objpas/classes -Fi$rtl/charmaps
        -Fu$rtl/inc -Fu$rtl/$cpu -Fu$rtl/win -Fu$rtl/objpas -Fu$rtl/objpas/sysutils
        -Fu$rtl/objpas/classes -Fu$rtl/charmaps"
    (
        cd "$rtl/$os"
        $ppc $opts -Us system.pp
        $ppc $opts "$rtl/objpas/objpas.pp"
        $ppc $opts "$rtl/inc/uuchar.pp"
        $ppc $opts buildrtl.pp
    ) >>"$log" 2>&1 || {
        tail -n 20 "$log"
        exit 1
    }
    touch "$units/.ready"
fi

mkdir -p "$out"
exec $ppc -n -T$os -P$cpu -Fu"$units" -FE"$out" -FU"$out" "$@" "$program"
