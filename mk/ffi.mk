# The C ABI (concert-ffi): libconcert.{so,a}, include/concert.h, concert.pc,
# and its tests from C, C++ and Free Pascal (Delphi mode).
#
#   make test-ffi                    build, then run tests/c/run.sh
#   make install PREFIX=/opt/concert lib/, include/, lib/pkgconfig/concert.pc,
#                                    share/doc/concert/ (the set of the C archive)
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
# ELF names: the real file, the SONAME the library carries (concert-ffi/build.rs)
# and programs ask for, and the development link `-lconcert` finds.
FFI_REALNAME = libconcert.so.$(FFI_VERSION)
FFI_SONAME = libconcert.so.$(firstword $(subst ., ,$(FFI_VERSION)))
FFI_CARGO_PROFILE = $(if $(filter release,$(1)),--release,$(if $(filter debug,$(1)),,--profile $(1)))

# concert.pc from the template: $(1) prefix, $(2) libdir, $(3) includedir, $(4) output.
define ffi_pc
	mkdir -p $(dir $(4))
	sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@INCLUDEDIR@|$(3)|' \
	    -e 's|@VERSION@|$(FFI_VERSION)|' concert-ffi/concert.pc.in > $(4)
endef

# The C set under $(1), from target/$(2): lib/ (the library under its real
# name with its SONAME and development links, the static archive),
# include/ (concert.h, concert.hpp), a relocatable lib/pkgconfig/concert.pc
# (paths from ${pcfiledir}, so the tree can be moved or unpacked anywhere),
# share/doc/concert/ (the licences). The Linux archive of `make dist` is
# this tree; `make install` writes it under PREFIX.
define ffi_install_tree
	mkdir -p $(1)/lib $(1)/include $(1)/share/doc/concert
	rm -f $(1)/lib/libconcert.so $(1)/lib/$(FFI_SONAME)
	cp target/$(2)/libconcert.so $(1)/lib/$(FFI_REALNAME)
	ln -s $(FFI_REALNAME) $(1)/lib/$(FFI_SONAME)
	ln -s $(FFI_REALNAME) $(1)/lib/libconcert.so
	cp target/$(2)/libconcert.a $(1)/lib/
	cp include/concert.h bindings/cpp/concert.hpp $(1)/include/
	cp LICENSE-MIT LICENSE-APACHE $(1)/share/doc/concert/
	$(call ffi_pc,$${pcfiledir}/../..,$${prefix}/lib,$${prefix}/include,$(1)/lib/pkgconfig/concert.pc)
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
	ln -sf libconcert.so $(FFI_LIBDIR)/$(FFI_SONAME)
	$(CARGO) test -p concert-ffi --locked --test header

## concert.pc for the build tree: target/<profile>/pkgconfig/concert.pc.
ffi-pc: ffi-build
	$(call ffi_pc,$(CURDIR),$(CURDIR)/$(FFI_LIBDIR),$(CURDIR)/include,$(FFI_LIBDIR)/pkgconfig/concert.pc)

## Installs the libraries, headers, concert.pc and licences under PREFIX.
install: install-ffi

install-ffi:
	$(CARGO) build -p concert-ffi --locked $(call FFI_CARGO_PROFILE,$(FFI_INSTALL_PROFILE))
	$(call ffi_install_tree,$(PREFIX),$(FFI_INSTALL_PROFILE))

## Every C ABI test: C (plain, ASan+UBSan; static, shared), pkg-config
## (build tree, install prefix), C++17, Free Pascal.
test-ffi: ffi-tools ffi-pc
	$(MAKE) --no-print-directory install-ffi PREFIX=$(CURDIR)/$(FFI_TEST_PREFIX) FFI_INSTALL_PROFILE=$(FFI_PROFILE)
	tests/c/run.sh $(FFI_LIBDIR) $(FFI_TEST_PREFIX)
