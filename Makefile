# The project's two entry points: `make test` (everything, from a fresh
# clone; it installs what it needs) and `make demo`.
#
# Each component adds its own targets in mk/<component>.mk: its test target
# goes into TEST_TARGETS, its benchmarks into BENCH_TARGETS.

CARGO ?= cargo
TEST_TARGETS :=
BENCH_TARGETS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: test test-rust lint fmt bench bench-core doc

## Every test of the project, plus the lints that keep it clean.
test: lint test-rust $(TEST_TARGETS)

test-rust:
	$(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## Benchmarks (not part of `make test`).
bench: bench-core $(BENCH_TARGETS)

bench-core:
	$(CARGO) bench -p concert-core --bench codecs

doc:
	$(CARGO) doc --workspace --no-deps
