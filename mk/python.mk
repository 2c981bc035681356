# The Python package (python/): a venv under target/, the extension built
# with maturin (debug build, installed in place), then stubtest and pytest.
# `bench-python` times python/bench/compare.py against pyTeliumManager
# (with a release build of the extension, put in place of the debug one).

PY_VENV := target/py-venv
PY_BIN := $(abspath $(PY_VENV))/bin
PY_READY := $(PY_VENV)/.ready
PY_BENCH_READY := $(PY_VENV)/.bench-ready

.PHONY: test-python bench-python python-env python-develop

TEST_TARGETS += test-python
BENCH_TARGETS += bench-python

$(PY_READY): mk/python.mk python/pyproject.toml
	# Debian's own python3 makes venvs only with python3-venv installed.
	python3 -m venv $(PY_VENV) || (rm -rf $(PY_VENV) && apt-get update && \
	  apt-get install -y python3-venv && python3 -m venv $(PY_VENV))
	$(PY_BIN)/python -m pip install --quiet --upgrade pip
	$(PY_BIN)/python -m pip install --quiet "maturin>=1.9.4,<2" "pytest>=7" \
	  "pytest-timeout>=2" "mypy>=1.8" typing_extensions
	touch $@

python-env: $(PY_READY)

# maturin develop: the debug build, put in place in python/concert/ (an
# editable install), so tests run against the sources as they are.
python-develop: $(PY_READY)
	cd python && VIRTUAL_ENV=$(abspath $(PY_VENV)) PATH="$(PY_BIN):$$PATH" \
	  CARGO="$(CARGO)" $(PY_BIN)/maturin develop --quiet

test-python: python-develop
	cd python && $(PY_BIN)/python -m mypy.stubtest concert_tpe \
	  --allowlist stubtest-allowlist.txt
	cd python && $(PY_BIN)/python -m mypy --strict concert_tpe tests
	cd python && $(PY_BIN)/python -m pytest -q

$(PY_BENCH_READY): $(PY_READY)
	$(PY_BIN)/python -m pip install --quiet pyteliummanager
	touch $@

bench-python: $(PY_BENCH_READY)
	cd python && VIRTUAL_ENV=$(abspath $(PY_VENV)) PATH="$(PY_BIN):$$PATH" \
	  CARGO="$(CARGO)" $(PY_BIN)/maturin develop --release --quiet
	$(PY_BIN)/python python/bench/compare.py
