# mcs-bridge — one entry point for building, testing and demoing.
#   make           install dependencies and build
#   make demo      the local sandbox with the seed's example
#   make test      everything: lint, unit tests, end-to-end tests on real clusters
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

BIN := node_modules/.bin
TSX := node --enable-source-maps --import tsx
SANDBOX := $(TSX) test/sandbox/cli.ts
# The end-to-end suites get a sandbox of their own, so a running `make demo` is not disturbed.
E2E_SANDBOX_DIR ?= $(CURDIR)/.sandbox/e2e
E2E_PORT_BASE ?= 17400
UNIT_TESTS := $(shell find test/unit -name '*.test.ts' 2>/dev/null | sort)
E2E_TESTS := $(shell find test/e2e -name '*.test.ts' 2>/dev/null | sort)
TS_SOURCES := $(shell find webhook syncer certs lib -name '*.ts' 2>/dev/null)

.PHONY: all install build lint test test-unit test-e2e sandbox-build sandbox-pin sandbox-up \
        sandbox-down sandbox-status demo bench bench-webhook clean help

all: build ## install dependencies and build

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

install: node_modules/.package-lock.json ## npm ci
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: dist/.built ## compile TypeScript to dist/
dist/.built: node_modules/.package-lock.json tsconfig.json tsconfig.build.json $(TS_SOURCES)
	$(BIN)/tsc -p tsconfig.build.json
	@chmod +x dist/webhook/main.js dist/syncer/main.js dist/certs/main.js
	@touch $@

lint: install ## biome (lint + format check), tsc --noEmit over everything, bash -n on scripts
	$(BIN)/biome check --error-on-warnings .
	$(BIN)/tsc -p tsconfig.json
	@for f in test/sandbox/*.sh .ci/run; do bash -n "$$f"; done

test: lint test-unit test-e2e ## everything (what CI runs)

test-unit: install ## unit tests (no clusters)
	$(TSX) --test --test-reporter=spec $(UNIT_TESTS)

test-e2e: build sandbox-build ## end-to-end tests on a fresh sandbox of real clusters
	$(SANDBOX) run --dir $(E2E_SANDBOX_DIR) --port-base $(E2E_PORT_BASE) -- \
	  $(TSX) --test --test-concurrency=1 --test-reporter=spec $(E2E_TESTS)

sandbox-build: ## build and cache the Kubernetes binaries (once; ~15 min cold)
	test/sandbox/build.sh >/dev/null

sandbox-pin: ## regenerate test/sandbox/gomod/ after changing test/sandbox/versions.env
	test/sandbox/pin.sh

sandbox-up: install sandbox-build ## start the sandbox (hub, member1, member2) in .sandbox/
	$(SANDBOX) up

sandbox-down: install ## stop the sandbox; nothing is left running
	$(SANDBOX) down

sandbox-status: install ## list the sandbox's processes
	$(SANDBOX) status

demo: build sandbox-up ## the sandbox running the seed's example
	$(TSX) test/demo/demo.ts

bench: bench-webhook ## every benchmark (kept out of make test); figures go to bench-results.json

bench-webhook: build ## the webhook's routes under HTTPS load next to an empty Fastify route (~4 min)
	$(TSX) test/bench/webhook.ts

clean: ## remove build output (the sandbox and the binary cache stay)
	rm -rf dist
