# The `concert` command line (concert-cli/) and its interop tests against
# third-party Concert clients (tests/interop/, pytest in a venv under target/).
#
#   make demo       build the CLI and run `concert demo` (no hardware needed)
#   make test-cli   CLI tests + interop tests (part of `make test`)
#
# Payments journal by default in the per-user data folder: tests point it
# (HOME, XDG_DATA_HOME) at a scratch folder, never the real home.

CLI_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
CLI_BIN := $(CLI_TARGET_DIR)/debug/concert
INTEROP_VENV := $(CLI_TARGET_DIR)/interop-venv
INTEROP_PY := $(INTEROP_VENV)/bin/python

TEST_TARGETS += test-cli

.PHONY: demo test-cli cli-build interop-venv

cli-build:
	$(CARGO) build -p concert-cli --locked

## Runs a payment, refund, declined payment, cancellation and identify
## against built-in simulators (V3 over TCP, V2 E+ over a pty).
demo: cli-build
	$(CLI_BIN) demo

interop-venv: $(INTEROP_VENV)/.installed

# Re-created when the requirements change; python3-venv is installed only
# when the interpreter cannot make a venv (Debian splits ensurepip out).
$(INTEROP_VENV)/.installed: tests/interop/requirements.txt
	command -v python3 >/dev/null || (apt-get update && apt-get install -y python3)
	python3 -c 'import ensurepip, venv' 2>/dev/null || (apt-get update && apt-get install -y python3-venv)
	rm -rf $(INTEROP_VENV)
	python3 -m venv $(INTEROP_VENV)
	$(INTEROP_PY) -m pip install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
	touch $@

test-cli: cli-build interop-venv
	$(CARGO) test -p concert-cli --locked
	rm -rf $(CLI_TARGET_DIR)/interop-home
	HOME=$(CLI_TARGET_DIR)/interop-home XDG_DATA_HOME=$(CLI_TARGET_DIR)/interop-home/data \
	CONCERT_BIN=$(CLI_BIN) $(INTEROP_PY) -m pytest -q -p no:cacheprovider tests/interop
