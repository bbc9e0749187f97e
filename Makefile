# Switchyard: `make run` and `make test` do all set-up on a machine with only Node.js and npm.
# Bun itself comes from npm (a pinned devDependency), so nothing else needs installing by hand.

BUN := node_modules/.bin/bun
STAMP := node_modules/.installed
SOURCES := $(shell find src views static -type f) openapi.yaml package.json bunfig.toml

.PHONY: install run test check build bench clean

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(STAMP)

run: install
	BUN_CONFIG_MAX_HTTP_REQUESTS=$${BUN_CONFIG_MAX_HTTP_REQUESTS:-4096} $(BUN) src/main.ts

## check: type check, lint and format check
check: install
	node_modules/.bin/tsc --noEmit -p .
	node_modules/.bin/biome check .

## test: check, then every test (unit, contract, browser, binary); closes with "N passed, N failed"
test: install check
	@sh test/ensure-chromium.sh
	@sh test/run.sh

## build: the one executable, dist/switchyard, with views, static files, migrations and openapi.yaml inside
build: dist/switchyard

dist/switchyard: $(STAMP) $(SOURCES)
	node_modules/.bin/tsc --noEmit -p .
	$(BUN) build src/main.ts --compile --minify --bytecode --format=esm \
		--no-compile-autoload-dotenv --no-compile-autoload-bunfig --outfile dist/switchyard

bench: build
	$(BUN) bench/run.ts

clean:
	rm -rf dist
