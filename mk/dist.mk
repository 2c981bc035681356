# Release packages (`make dist`) and their install tests (`make test-dist`).
#
#   make dist        dist/: abi3 wheels (Linux manylinux2014, Windows x64)
#                    and the sdist; npm concert-tpe and one package per
#                    platform holding the addon; the C archives (Linux
#                    .tar.gz, Windows .zip with x64 and x86 DLLs); the
#                    `concert` command for Linux and Windows; SHA256SUMS
#   make test-dist   each package installed in a fresh place as a user
#                    would, then paying against the simulator (part of
#                    `make test`; runs `make dist` first, whose cargo
#                    builds are incremental)
#
# Linux builds link with zig against glibc $(DIST_GLIBC) (cargo-zigbuild,
# maturin --zig), so what ships runs on every distribution from RHEL/CentOS
# 7, Debian 8 and Ubuntu 14.04 on. The tools come from PyPI, pinned, into a
# venv under target/. Release builds are stripped (the release profile).

DIST ?= dist
DIST_VERSION := $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
DIST_STAGE := target/dist-stage
DIST_VENV := target/dist-venv
DIST_BIN := $(abspath $(DIST_VENV))/bin
DIST_PATH := PATH="$(DIST_BIN):$$PATH"
DIST_GLIBC := 2.17
DIST_LINUX_TRIPLE := x86_64-unknown-linux-gnu
DIST_LINUX_OUT := target/$(DIST_LINUX_TRIPLE)/release
DIST_C_LINUX := libconcert-$(DIST_VERSION)-linux-x86_64
DIST_CLI_LINUX := concert-cli-$(DIST_VERSION)-linux-x86_64
DIST_TOOLS := maturin==1.16.0 ziglang==0.17.1 cargo-zigbuild==0.24.1 auditwheel==6.8.2

# Windows: concert.dll (x64, x86) from `make windows` (mk/windows.mk), and
# here the x64 wheel, Node addon and concert.exe, with the same toolchain
# (Debian's Rust with build-std, mingw-w64: concert-ffi/windows/env.sh).
DIST_WIN_TRIPLE := x86_64-pc-windows-gnu
DIST_WIN_OUT := target/win-build/$(DIST_WIN_TRIPLE)/release
DIST_WIN_ENV := ROOT=$(CURDIR); . $(CURDIR)/concert-ffi/windows/env.sh;
DIST_LIBNODE := target/dist-libnode
DIST_C_WIN := libconcert-$(DIST_VERSION)-windows
DIST_CLI_WIN := concert-cli-$(DIST_VERSION)-windows-x64

TEST_TARGETS += test-dist

# The Windows half needs mk/windows.mk (`make windows`: Debian's Rust with
# build-std, mingw-w64, concert.dll for x64 and x86, the wine prefix).
DIST_WINDOWS := $(wildcard mk/windows.mk)

.PHONY: dist dist-tools dist-linux-build dist-wheel-linux dist-sdist
.PHONY: dist-npm-main dist-npm-linux dist-c-linux dist-cli-linux dist-sums test-dist
.PHONY: dist-windows-build dist-wheel-windows dist-npm-windows dist-c-windows dist-cli-windows

$(DIST_VENV)/.ready: mk/dist.mk
	python3 -c 'import ensurepip, venv' 2>/dev/null || (apt-get update && apt-get install -y python3-venv)
	rm -rf $(DIST_VENV)
	python3 -m venv $(DIST_VENV)
	$(DIST_BIN)/python -m pip install --quiet --disable-pip-version-check $(DIST_TOOLS)
	touch $@

dist-tools: $(DIST_VENV)/.ready
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y nodejs npm)
	@(for t in cc c++ pkg-config readelf file zip unzip; do command -v $$t >/dev/null || exit 1; done) || \
		(apt-get update && apt-get install -y gcc g++ pkg-config binutils file zip unzip)

## Everything, from a clean dist/ (nothing stale ships).
dist: dist-tools
	rm -rf $(DIST) $(DIST_STAGE)
	mkdir -p $(DIST) $(DIST_STAGE)
	$(MAKE) --no-print-directory dist-linux-build
	$(MAKE) --no-print-directory dist-wheel-linux dist-sdist dist-npm-main dist-npm-linux \
	  dist-c-linux dist-cli-linux
	$(if $(DIST_WINDOWS),$(MAKE) --no-print-directory dist-windows-build)
	$(if $(DIST_WINDOWS),$(MAKE) --no-print-directory dist-wheel-windows dist-npm-windows \
	  dist-c-windows dist-cli-windows)
	$(MAKE) --no-print-directory dist-sums
	@ls -l $(DIST)

# One cargo run for the C library, the command and the Node addon.
dist-linux-build: dist-tools
	$(DIST_PATH) cargo-zigbuild zigbuild --release --locked \
	  --target $(DIST_LINUX_TRIPLE).$(DIST_GLIBC) -p concert-ffi -p concert-cli -p concert-node

# The wheels must each stay within 1 MB (tests/dist/run.sh fails past
# it). They are built the way the Windows build is (Debian's Rust, whose
# standard library source lets it be rebuilt: concert-ffi/windows/env.sh)
# so that the standard library is optimised with the wheel profile and
# without its backtrace symboliser, which a stripped binary cannot use
# anyway; SQLite is compiled without unwind tables, as no panic ever
# unwinds through it (rusqlite catches its callbacks' panics). Measured on
# the Linux wheel: 1 346 826 bytes with the release profile and rustup's
# standard library, 979 182 this way.
DIST_WHEEL_ENV := CARGO_UNSTABLE_BUILD_STD="std panic_unwind" \
  CARGO_UNSTABLE_BUILD_STD_FEATURES="panic-unwind"
DIST_WHEEL_CFLAGS := -fno-asynchronous-unwind-tables -fno-unwind-tables
DIST_WHEEL_ARGS := --profile wheel --locked --ignore-rust-version --quiet --compression-level 9

# maturin checks the wheel against manylinux2014 itself; auditwheel says
# again which tags it fits, and the build fails unless 2.17 is among them.
# Its own target directory: maturin's zig set-up differs from
# cargo-zigbuild's, and sharing one would rebuild everything each time.
dist-wheel-linux: dist-tools windows-tools
	rm -rf $(DIST_STAGE)/wheel-linux
	cd python && $(DIST_WIN_ENV) PATH="$(DIST_BIN):$$PATH" $(DIST_WHEEL_ENV) \
	  CFLAGS_x86_64_unknown_linux_gnu="$(DIST_WHEEL_CFLAGS)" \
	  $(DIST_BIN)/maturin build $(DIST_WHEEL_ARGS) --zig \
	  --compatibility manylinux2014 --target $(DIST_LINUX_TRIPLE) \
	  --target-dir $(abspath target/dist-wheel) --out $(abspath $(DIST_STAGE))/wheel-linux
	$(DIST_BIN)/auditwheel show $(DIST_STAGE)/wheel-linux/*.whl | tee $(DIST_STAGE)/auditwheel.txt
	tr -s ' \n' ' ' < $(DIST_STAGE)/auditwheel.txt | grep -q '"manylinux_2_17_x86_64"'
	cp $(DIST_STAGE)/wheel-linux/*.whl $(DIST)/

dist-sdist: dist-tools
	cd python && $(DIST_BIN)/maturin sdist --out $(abspath $(DIST))

# concert-tpe itself: the JS layer, the loader, types, README, licences and
# the platform packages as optional dependencies; no binary.
dist-npm-main: dist-tools
	rm -rf $(DIST_STAGE)/npm-main && mkdir -p $(DIST_STAGE)/npm-main
	cp -r node/lib node/index.js node/index.d.ts node/README.md LICENSE-MIT LICENSE-APACHE \
	  $(DIST_STAGE)/npm-main/
	node node/scripts/dist-manifest.js > $(DIST_STAGE)/npm-main/package.json
	cd $(DIST_STAGE)/npm-main && npm pack --silent --pack-destination $(abspath $(DIST)) >/dev/null

# A platform package: node/npm/<key>/ with the addon named as napi's loader
# asks for it. $(1) key, $(2) the built addon.
define dist_npm_platform
	rm -rf $(DIST_STAGE)/npm-$(1) && mkdir -p $(DIST_STAGE)/npm-$(1)
	cp node/npm/$(1)/package.json node/npm/$(1)/README.md LICENSE-MIT LICENSE-APACHE \
	  $(DIST_STAGE)/npm-$(1)/
	cp $(2) $(DIST_STAGE)/npm-$(1)/concert.$(1).node
	cd $(DIST_STAGE)/npm-$(1) && npm pack --silent --pack-destination $(abspath $(DIST)) >/dev/null
endef

dist-npm-linux:
	$(call dist_npm_platform,linux-x64-gnu,$(DIST_LINUX_OUT)/libconcert_node.so)

# The `make install` tree, packed under a versioned directory.
dist-c-linux:
	rm -rf $(DIST_STAGE)/$(DIST_C_LINUX)
	$(call ffi_install_tree,$(DIST_STAGE)/$(DIST_C_LINUX),$(DIST_LINUX_TRIPLE)/release)
	tar -C $(DIST_STAGE) --owner=0 --group=0 --numeric-owner --sort=name \
	  -czf $(DIST)/$(DIST_C_LINUX).tar.gz $(DIST_C_LINUX)

dist-cli-linux:
	rm -rf $(DIST_STAGE)/$(DIST_CLI_LINUX) && mkdir -p $(DIST_STAGE)/$(DIST_CLI_LINUX)
	cp $(DIST_LINUX_OUT)/concert README.md LICENSE-MIT LICENSE-APACHE $(DIST_STAGE)/$(DIST_CLI_LINUX)/
	tar -C $(DIST_STAGE) --owner=0 --group=0 --numeric-owner --sort=name \
	  -czf $(DIST)/$(DIST_CLI_LINUX).tar.gz $(DIST_CLI_LINUX)

# concert.exe, and the Node addon. The addon links against a libnode.dll
# for windows-gnu (napi-build insists), but resolves Node's functions when
# it loads: a DLL with one empty function satisfies the linker and is
# imported by nothing. napi-rs asks for Rust 1.88 and Debian's is 1.85:
# what it needs of 1.88 (let chains) is switched on by the wrapper.
dist-windows-build: windows
	mkdir -p $(DIST_LIBNODE)
	echo 'void concert_libnode_stub(void) {}' > $(DIST_LIBNODE)/stub.c
	x86_64-w64-mingw32-gcc -shared -o $(DIST_LIBNODE)/libnode.dll $(DIST_LIBNODE)/stub.c
	$(DIST_WIN_ENV) cargo build $$WIN_ZFLAGS --locked --release --ignore-rust-version --target $(DIST_WIN_TRIPLE) -p concert-cli
	$(DIST_WIN_ENV) LIBNODE_PATH=$(abspath $(DIST_LIBNODE)) \
	  RUSTC_WRAPPER=$(CURDIR)/node/scripts/rustc-let-chains.sh \
	  cargo build $$WIN_ZFLAGS --locked --release --ignore-rust-version \
	  --target $(DIST_WIN_TRIPLE) -p concert-node

# PyO3 links python3.dll by raw-dylib: no Python for Windows needed here.
# maturin runs cargo itself: build-std comes through the environment (a
# space-separated list for Debian's cargo 1.85).
dist-wheel-windows: dist-tools
	rm -rf $(DIST_STAGE)/wheel-windows
	cd python && $(DIST_WIN_ENV) $(DIST_WHEEL_ENV) \
	  CFLAGS_x86_64_pc_windows_gnu="$(DIST_WHEEL_CFLAGS)" \
	  $(DIST_BIN)/maturin build $(DIST_WHEEL_ARGS) --target $(DIST_WIN_TRIPLE) \
	  --out $(abspath $(DIST_STAGE))/wheel-windows
	cp $(DIST_STAGE)/wheel-windows/*-win_amd64.whl $(DIST)/

# napi's loader asks for the -msvc package on the official node.exe.
dist-npm-windows:
	$(call dist_npm_platform,win32-x64-msvc,$(DIST_WIN_OUT)/concert_node.dll)

dist-c-windows:
	rm -rf $(DIST_STAGE)/$(DIST_C_WIN) && mkdir -p $(DIST_STAGE)/$(DIST_C_WIN)/include \
	  $(DIST_STAGE)/$(DIST_C_WIN)/delphi $(DIST_STAGE)/$(DIST_C_WIN)/x64 $(DIST_STAGE)/$(DIST_C_WIN)/x86
	for arch in x64 x86; do \
	  cp target/windows/$$arch/concert.dll target/windows/$$arch/concert.lib \
	    target/windows/$$arch/libconcert.dll.a target/windows/$$arch/concert.def \
	    $(DIST_STAGE)/$(DIST_C_WIN)/$$arch/ || exit 1; \
	done
	cp include/concert.h bindings/cpp/concert.hpp $(DIST_STAGE)/$(DIST_C_WIN)/include/
	cp bindings/delphi/Concert.pas $(DIST_STAGE)/$(DIST_C_WIN)/delphi/
	cp LICENSE-MIT LICENSE-APACHE $(DIST_STAGE)/$(DIST_C_WIN)/
	cd $(DIST_STAGE) && rm -f $(abspath $(DIST))/$(DIST_C_WIN).zip && \
	  zip -q -X -r $(abspath $(DIST))/$(DIST_C_WIN).zip $(DIST_C_WIN)

dist-cli-windows:
	rm -rf $(DIST_STAGE)/$(DIST_CLI_WIN) && mkdir -p $(DIST_STAGE)/$(DIST_CLI_WIN)
	cp $(DIST_WIN_OUT)/concert.exe README.md LICENSE-MIT LICENSE-APACHE $(DIST_STAGE)/$(DIST_CLI_WIN)/
	cd $(DIST_STAGE) && rm -f $(abspath $(DIST))/$(DIST_CLI_WIN).zip && \
	  zip -q -X -r $(abspath $(DIST))/$(DIST_CLI_WIN).zip $(DIST_CLI_WIN)

dist-sums:
	cd $(DIST) && rm -f SHA256SUMS && sha256sum * > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS

## Each package of dist/ installed in a fresh place and paying (tests/dist/).
test-dist: dist
	tests/dist/run.sh $(DIST) target/dist-test
