# Performance side by side: `make bench` runs bench-perf after the
# criterion codecs (bench-core) and writes bench/REPORT.md.
#
#   1. release artifacts: libconcert.so, the wheel (the `wheel` profile the
#      shipped wheels use), the .node (stripped),
#      kept in target/perf-artifacts for their sizes;
#   2. a venv with that wheel and pyTeliumManager: python/bench/compare.py;
#   3. the Rust benches (concert-core/benches): answer detection, round
#      trip, V2 over a pty (pyTeliumManager beside), N terminals;
#   4. bench/report.py gathers every figure into bench/REPORT.md.
#
# PERF_SCALE_SECS (default 30): how long each N of the scale bench runs.
# A component that is not there (or fails to build) is reported as such.

PERF_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
PERF_OUT := $(PERF_TARGET)/bench-results
PERF_ARTIFACTS := $(PERF_TARGET)/perf-artifacts
PERF_VENV := $(PERF_TARGET)/perf-venv
PERF_PY := $(PERF_VENV)/bin/python
PERF_SCALE_SECS ?= 30

BENCH_TARGETS += bench-perf

.PHONY: bench-perf perf-artifacts perf-venv perf-python perf-rust perf-journal perf-report bench-journal

# Steps run one after the other (sub-makes), so nothing compiles while
# something is being timed, even under make -j.
bench-perf:
	rm -rf $(PERF_OUT) && mkdir -p $(PERF_OUT)
	$(MAKE) --no-print-directory perf-artifacts
	$(MAKE) --no-print-directory perf-python
	$(MAKE) --no-print-directory perf-rust
	$(MAKE) --no-print-directory perf-journal
	$(MAKE) --no-print-directory perf-report

perf-artifacts:
	command -v strip >/dev/null || (apt-get update && apt-get install -y binutils)
	rm -rf $(PERF_ARTIFACTS) && mkdir -p $(PERF_ARTIFACTS)
	$(CARGO) build --release --locked -p concert-ffi \
	  && strip -o $(PERF_ARTIFACTS)/libconcert.so $(PERF_TARGET)/release/libconcert.so \
	  || echo "perf: libconcert.so not built"
	-$(MAKE) --no-print-directory python-env
	cd python && PATH="$(PY_BIN):$$PATH" CARGO="$(CARGO)" \
	  $(PY_BIN)/maturin build --profile wheel --strip --quiet --out $(PERF_ARTIFACTS) \
	  || echo "perf: wheel not built"
	-$(MAKE) --no-print-directory node/node_modules/.package-lock.json
	cd node && CARGO="$(CARGO)" npx --no-install napi build --platform --release \
	  --output-dir $(PERF_ARTIFACTS)/node \
	  && strip -o $(PERF_ARTIFACTS)/concert.linux-x64-gnu.node $(PERF_ARTIFACTS)/node/*.node \
	  || echo "perf: .node not built"

# Its own venv, so the release wheel is what is timed (the test venv holds
# a debug build); pyTeliumManager at the version tests/interop uses.
$(PERF_VENV)/.ready: mk/perf.mk
	python3 -c 'import ensurepip, venv' 2>/dev/null || (apt-get update && apt-get install -y python3-venv)
	rm -rf $(PERF_VENV)
	python3 -m venv $(PERF_VENV)
	$(PERF_PY) -m pip install --quiet --disable-pip-version-check \
	  pyTeliumManager==2.4.2 pyserial==3.5
	touch $@

perf-venv: $(PERF_VENV)/.ready
	@for w in $(PERF_ARTIFACTS)/*.whl; do \
	  [ -e "$$w" ] && $(PERF_PY) -m pip install --quiet --disable-pip-version-check \
	    --force-reinstall --no-deps "$$w"; \
	done; true

perf-python: perf-venv
	mkdir -p $(PERF_OUT)
	$(PERF_PY) python/bench/compare.py > $(PERF_OUT)/python-compare.txt \
	  && cat $(PERF_OUT)/python-compare.txt \
	  || (rm -f $(PERF_OUT)/python-compare.txt; echo "perf: python/bench/compare.py did not run")

# ulimit: N=1000 needs about 2000 descriptors in the simulators' process.
perf-rust: perf-venv
	ulimit -Sn $$(ulimit -Hn) 2>/dev/null; \
	CONCERT_BENCH_OUT=$(PERF_OUT) CONCERT_BENCH_PYTHON=$(PERF_PY) \
	CONCERT_BENCH_SCALE_SECS=$(PERF_SCALE_SECS) \
	$(CARGO) bench --locked -p concert-core \
	  --bench detection --bench roundtrip --bench serial --bench scale

# The transaction journal's cost: per payment with vs without, and 100
# terminals sharing one journal (concert-journal/benches/journal.rs).
perf-journal:
	mkdir -p $(PERF_OUT)
	CONCERT_BENCH_OUT=$(PERF_OUT) $(CARGO) bench --locked -p concert-journal --bench journal

## The journal bench alone, its section printed (no other figure is rerun).
bench-journal: perf-journal
	python3 bench/report.py --section journal $(PERF_OUT)

perf-report:
	python3 bench/report.py $(PERF_OUT) $(PERF_TARGET)/criterion $(PERF_ARTIFACTS) bench/REPORT.md
