# The project's two entry points: `make test` (everything, from a fresh
# clone) and, once the CLI lands, `make demo`.

CARGO ?= cargo

.PHONY: test test-rust lint fmt bench doc

## Every test of the project, plus the lints that keep it clean.
test: lint test-rust

test-rust:
	$(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## Criterion benchmarks of the codecs (not part of `make test`).
bench:
	$(CARGO) bench -p concert-core --bench codecs

doc:
	$(CARGO) doc --workspace --no-deps
