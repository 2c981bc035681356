# The C ABI (concert-ffi): libconcert.{so,a}, include/concert.h, concert.pc,
# and its tests from C, C++ and Free Pascal (Delphi mode).
#
#   make test-ffi                    build, then run tests/c/run.sh
#   make install PREFIX=/opt/concert lib/, include/, lib/pkgconfig/concert.pc
#
# FFI_PROFILE picks the cargo profile tested (debug by default: no release
# build in `make test`); installs use release unless FFI_INSTALL_PROFILE says.

FFI_PROFILE ?= debug
FFI_INSTALL_PROFILE ?= release
PREFIX ?= /usr/local
FFI_LIBDIR = target/$(FFI_PROFILE)
FFI_TEST_PREFIX = target/ffi-test-prefix
# The version, from the header (which a test keeps equal to Cargo.toml).
FFI_VERSION = $(shell sed -n 's/^\#define CONCERT_VERSION "\(.*\)"/\1/p' include/concert.h)
FFI_CARGO_PROFILE = $(if $(filter release,$(1)),--release,$(if $(filter debug,$(1)),,--profile $(1)))

# concert.pc from the template: $(1) prefix, $(2) libdir, $(3) includedir, $(4) output.
define ffi_pc
	mkdir -p $(dir $(4))
	sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@INCLUDEDIR@|$(3)|' \
	    -e 's|@VERSION@|$(FFI_VERSION)|' concert-ffi/concert.pc.in > $(4)
endef

TEST_TARGETS += test-ffi

.PHONY: test-ffi ffi-tools ffi-build ffi-pc install install-ffi

## Compilers and tools the C ABI tests need, installed only when missing.
ffi-tools:
	@command -v cc >/dev/null && command -v c++ >/dev/null || \
	    (apt-get update && apt-get install -y gcc g++)
	@command -v pkg-config >/dev/null || (apt-get update && apt-get install -y pkg-config)
	@command -v fpc >/dev/null || (apt-get update && apt-get install -y fp-compiler)
	@command -v python3 >/dev/null || (apt-get update && apt-get install -y python3)

## libconcert for FFI_PROFILE, and the header test (regenerates and compares).
ffi-build:
	$(CARGO) build -p concert-ffi --locked $(call FFI_CARGO_PROFILE,$(FFI_PROFILE))
	$(CARGO) test -p concert-ffi --locked --test header

## concert.pc for the build tree: target/<profile>/pkgconfig/concert.pc.
ffi-pc: ffi-build
	$(call ffi_pc,$(CURDIR),$(CURDIR)/$(FFI_LIBDIR),$(CURDIR)/include,$(FFI_LIBDIR)/pkgconfig/concert.pc)

## Installs the library, header and concert.pc under PREFIX.
install: install-ffi

install-ffi:
	$(CARGO) build -p concert-ffi --locked $(call FFI_CARGO_PROFILE,$(FFI_INSTALL_PROFILE))
	mkdir -p $(PREFIX)/lib $(PREFIX)/include
	cp target/$(FFI_INSTALL_PROFILE)/libconcert.so target/$(FFI_INSTALL_PROFILE)/libconcert.a $(PREFIX)/lib/
	cp include/concert.h $(PREFIX)/include/
	$(call ffi_pc,$(abspath $(PREFIX)),$${prefix}/lib,$${prefix}/include,$(PREFIX)/lib/pkgconfig/concert.pc)

## Every C ABI test: C (plain, ASan+UBSan; static, shared), pkg-config
## (build tree, install prefix), C++17, Free Pascal.
test-ffi: ffi-tools ffi-pc
	$(MAKE) --no-print-directory install-ffi PREFIX=$(CURDIR)/$(FFI_TEST_PREFIX) FFI_INSTALL_PROFILE=$(FFI_PROFILE)
	tests/c/run.sh $(FFI_LIBDIR) $(FFI_TEST_PREFIX)
