# Windows: concert.dll for x64 and x86, cross-built here with Debian's Rust
# (the standard library built from its source) and mingw-w64, tested
# under wine. Nothing is cached outside target/.
#
#   make windows        target/windows/{x64,x86}/: concert.dll, its import
#                       libraries (libconcert.dll.a for mingw, concert.lib
#                       for MSVC), concert.def and concert.h
#   make test-windows   the C tests (x64, x86) and the Rust tests (x64)
#                       under wine; part of `make test`

TEST_TARGETS += test-windows

.PHONY: windows windows-tools test-windows

## Debian's Rust, mingw-w64 and wine (64- and 32-bit), when missing.
windows-tools:
	timeout 1200 tests/windows/tools.sh

windows: windows-tools
	timeout 2400 concert-ffi/windows/build.sh x64 x86

test-windows: windows
	timeout 2400 tests/windows/run.sh
