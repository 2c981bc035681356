# `concert serve`, the browser-till bridge (concert-bridge/): its Rust tests
# run in test-rust; here the checks that need a live bridge.
#
#   make test-bridge   schemathesis against openapi.json (venv under target/),
#                      then the test till page in headless Chromium
#                      (Debian's chromium, driven by playwright-core)
#   make bench-bridge  bridge vs direct Terminal, and 100 WebSocket watchers
#                      of 10 paying terminals; figures for bench/REPORT.md
#
# CI time: apt-get install chromium ~100 s on a fresh machine (once), npm
# install of playwright-core ~2 s, the browser tests ~10 s, schemathesis ~1 min.

BRIDGE_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
BRIDGE_BIN := $(BRIDGE_TARGET)/debug/concert
BRIDGE_VENV := $(BRIDGE_TARGET)/bridge-venv
BRIDGE_SHOTS := $(BRIDGE_TARGET)/browser-screenshots
CHROMIUM ?= /usr/bin/chromium

TEST_TARGETS += test-bridge
BENCH_TARGETS += bench-bridge

.PHONY: test-bridge test-bridge-api test-bridge-browser bridge-chromium bench-bridge

$(BRIDGE_VENV)/.ready: mk/serve.mk
	python3 -c 'import ensurepip, venv' 2>/dev/null || (apt-get update && apt-get install -y python3-venv)
	rm -rf $(BRIDGE_VENV)
	python3 -m venv $(BRIDGE_VENV)
	$(BRIDGE_VENV)/bin/pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
	touch $@

test-bridge-api: cli-build $(BRIDGE_VENV)/.ready
	tests/bridge/schemathesis.sh $(BRIDGE_BIN) $(BRIDGE_VENV)/bin/schemathesis

bridge-chromium:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y nodejs npm)
	cd tests/browser && $(NPM) ci --no-audit --no-fund

test-bridge-browser: cli-build bridge-chromium tests/browser/node_modules/.package-lock.json
	cd tests/browser && CONCERT_BIN=$(BRIDGE_BIN) CHROMIUM=$(CHROMIUM) \
		SCREENSHOTS=$(BRIDGE_SHOTS) node --test --test-concurrency=1 till.test.mjs
	@echo "screenshots: $(BRIDGE_SHOTS)"

test-bridge: test-bridge-api test-bridge-browser

# After a full bench-perf run (its results are there), the report is
# written again with this section; alone, the figures are only printed and
# kept in $(PERF_OUT)/bridge.json.
bench-bridge:
	mkdir -p $(PERF_OUT)
	CONCERT_BENCH_OUT=$(PERF_OUT) $(CARGO) bench --locked -p concert-bridge --bench bridge
	@if [ -f $(PERF_OUT)/roundtrip.json ]; then $(MAKE) --no-print-directory perf-report; fi
