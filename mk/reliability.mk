# Reliability and security: fuzzing, the fault matrix, the soak.
#
#   make fuzz-smoke   every fuzz target for a few seconds (part of `make test`)
#   make fuzz         every fuzz target for FUZZ_RUNS executions (long)
#   make soak         SOAK_TRANSACTIONS transactions with seeded random faults,
#                     through the Rust API and through the C ABI
#   make test-reliability-c   the C ABI misuse tests (plain, ASan+UBSan,
#                     valgrind) and a short C ABI soak under ASan+UBSan
#
# cargo-fuzz needs nightly features; the stable toolchain gets them through
# RUSTC_BOOTSTRAP=1 (for the fuzz crate only, which is not a workspace member).
# Corpora live under target/fuzz-corpus/<target>, seeded from fuzz/seeds/.

FUZZ_TARGETS := v3_decode v2_decode roundtrip link tcp_reader
FUZZ_SMOKE_SECONDS ?= 6
FUZZ_RUNS ?= 10000000
FUZZ_CORPUS := target/fuzz-corpus
FUZZ_ENV := RUSTC_BOOTSTRAP=1
# Bounded memory: a run over 512 MB RSS or one allocation over 32 MB fails.
FUZZ_LIMITS := -rss_limit_mb=512 -malloc_limit_mb=32 -max_len=4096
SOAK_TRANSACTIONS ?= 10000

TEST_TARGETS += fuzz-smoke test-reliability

.PHONY: fuzz fuzz-smoke fuzz-tools fuzz-build soak test-reliability
.PHONY: reliability-c-tools test-reliability-c soak-c

fuzz-tools:
	@command -v cc >/dev/null && command -v c++ >/dev/null || \
	    (apt-get update && apt-get install -y gcc g++)
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked

fuzz-build: fuzz-tools
	cd fuzz && $(FUZZ_ENV) $(CARGO) fuzz build -O

# Each target: the regression inputs first (every crash found stays a test),
# then a short run from the seeds and the corpus kept so far.
fuzz-smoke: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_CORPUS)/$$t; \
	    if [ -d fuzz/regressions/$$t ]; then \
	        (cd fuzz && $(FUZZ_ENV) $(CARGO) fuzz run -O $$t regressions/$$t/* -- $(FUZZ_LIMITS)) >/dev/null 2>&1 || \
	        { echo "fuzz-smoke: $$t regression input fails"; exit 1; }; \
	    fi; \
	    seeds=$$( [ -d fuzz/seeds/$$t ] && echo ../fuzz/seeds/$$t || true ); \
	    (cd fuzz && $(FUZZ_ENV) $(CARGO) fuzz run -O $$t ../$(FUZZ_CORPUS)/$$t $$seeds -- \
	        $(FUZZ_LIMITS) -max_total_time=$(FUZZ_SMOKE_SECONDS) -print_final_stats=1) \
	        > target/fuzz-smoke-$$t.log 2>&1 || { tail -40 target/fuzz-smoke-$$t.log; exit 1; }; \
	    printf 'fuzz-smoke %-11s %s\n' $$t "$$(grep -o 'Done [0-9]* runs.*' target/fuzz-smoke-$$t.log)"; \
	done

## Long run: FUZZ_RUNS executions per target; statistics in target/fuzz-<target>.log.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_CORPUS)/$$t; \
	    seeds=$$( [ -d fuzz/seeds/$$t ] && echo ../fuzz/seeds/$$t || true ); \
	    (cd fuzz && $(FUZZ_ENV) $(CARGO) fuzz run -O $$t ../$(FUZZ_CORPUS)/$$t $$seeds -- \
	        $(FUZZ_LIMITS) -runs=$(FUZZ_RUNS) -print_final_stats=1) \
	        > target/fuzz-$$t.log 2>&1 || { tail -40 target/fuzz-$$t.log; exit 1; }; \
	    printf 'fuzz %-11s %s; corpus %s files\n' $$t \
	        "$$(grep -o 'Done [0-9]* runs.*' target/fuzz-$$t.log)" "$$(ls $(FUZZ_CORPUS)/$$t | wc -l)"; \
	done

## The fault matrix (checks tests/FAULTS.md), the card-number hygiene tests,
## and the C ABI misuse tests with a short C ABI soak.
test-reliability: test-reliability-c
	$(CARGO) test -p concert-core --locked --test faults --test hygiene --test validation
	$(CARGO) build -p concert-cli --locked
	CONCERT_BIN=$(CURDIR)/target/debug/concert $(CARGO) test -p concert-core --locked --test hygiene -- --ignored

## SOAK_TRANSACTIONS transactions with random faults (SOAK_SEED to replay),
## through the Rust API, then through the C ABI.
soak:
	$(CARGO) test -p concert-core --locked --test soak -- --ignored --nocapture
	$(MAKE) --no-print-directory soak-c

## The C ABI tests run on the debug libconcert (no release build here).
RELIABILITY_C_LIBDIR := target/debug
RELIABILITY_C_SMOKE := 200

reliability-c-tools:
	@command -v cc >/dev/null || (apt-get update && apt-get install -y gcc)
	@command -v valgrind >/dev/null || (apt-get update && apt-get install -y valgrind)

## NULL everywhere, out-of-range enums, invalid UTF-8, tiny buffers, frees and
## re-entry from callbacks: plain, ASan+UBSan and valgrind; then short soaks:
## RELIABILITY_C_SMOKE payments under ASan+UBSan, half as many under valgrind.
test-reliability-c: reliability-c-tools
	$(CARGO) build -p concert-ffi --locked
	ln -sf libconcert.so $(RELIABILITY_C_LIBDIR)/$(FFI_SONAME)
	tests/c/reliability_run.sh $(RELIABILITY_C_LIBDIR)
	tests/soak/run.sh $(RELIABILITY_C_LIBDIR) $(RELIABILITY_C_SMOKE) sanitize
	tests/soak/run.sh $(RELIABILITY_C_LIBDIR) $$(($(RELIABILITY_C_SMOKE) / 2)) valgrind

## The C ABI soak alone: SOAK_TRANSACTIONS payments (SOAK_SEED to replay).
soak-c: reliability-c-tools
	$(CARGO) build -p concert-ffi --locked
	ln -sf libconcert.so $(RELIABILITY_C_LIBDIR)/$(FFI_SONAME)
	tests/soak/run.sh $(RELIABILITY_C_LIBDIR) $(SOAK_TRANSACTIONS)
