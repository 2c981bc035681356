# The Node / Electron package (node/): install its npm tools, build the
# addon (debug), check the committed index.js/index.d.ts against a fresh
# generation, run `node --test`, type-check the TypeScript example.

NPM ?= npm
NODE_DRIFT := target/node-drift

TEST_TARGETS += test-node

.PHONY: test-node node-build

# `npm ci` (exactly the committed lock) again whenever the lock file changes;
# quick otherwise. The lock holds every platform's optional packages of the
# napi-rs CLI: regenerate it without node_modules
# (`npm install --package-lock-only` in a directory holding only
# package.json and package-lock.json), or npm drops the other platforms'.
node/node_modules/.package-lock.json: node/package-lock.json
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y nodejs npm)
	cd node && $(NPM) ci --no-audit --no-fund

# Builds in place (napi writes index.js/index.d.ts beside the addon) after
# keeping the committed copies, then fails if the generation differs.
node-build: node/node_modules/.package-lock.json
	mkdir -p $(NODE_DRIFT)
	cp node/index.js node/index.d.ts $(NODE_DRIFT)/
	cd node && CARGO="$(CARGO)" $(NPM) run build
	@for f in index.js index.d.ts; do \
		if ! cmp -s $(NODE_DRIFT)/$$f node/$$f; then \
			diff -u $(NODE_DRIFT)/$$f node/$$f | head -40; \
			echo "node/$$f drifted from the code: the regenerated file is in place, review and commit it"; \
			exit 1; \
		fi; \
	done

test-node: node-build
	cd node && node --test test/
	cd node && npx --no-install tsc --noEmit -p example
