# Soaks of the Python and Node packages against a simulator in another
# process, in every form a till uses (blocking, callback/event, async);
# each reports RSS, threads and handles (Node: the heap after a full GC
# too) at start and end and fails when they grow with the count.
#
#   make soak-python / make soak-node   BINDINGS_SOAK payments (30 000)
#   make test-soak-bindings             the short versions, in `make test`

BINDINGS_SOAK ?= 30000
BINDINGS_SOAK_SHORT ?= 1500

TEST_TARGETS += test-soak-bindings

.PHONY: soak-python soak-node test-soak-bindings

soak: soak-python soak-node

soak-python: python-develop
	cd python && timeout 900 $(PY_BIN)/python soak/soak.py $(BINDINGS_SOAK)

soak-node: node-build
	cd node && timeout 900 node --expose-gc soak/soak.js $(BINDINGS_SOAK)

test-soak-bindings: python-develop node-build
	cd python && timeout 300 $(PY_BIN)/python soak/soak.py $(BINDINGS_SOAK_SHORT)
	cd node && timeout 300 node --expose-gc soak/soak.js $(BINDINGS_SOAK_SHORT)
