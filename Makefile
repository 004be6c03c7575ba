# AuthKit — the commands a developer and CI run. `make demo` runs the main job, `make test` runs the tests.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libhiredis-dev redis-server redis-tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FORMAT_PATHS := $(wildcard Package.swift Sources Tests Examples Benchmarks)

.PHONY: deps lint format build test demo server-test clean

## deps: install the system packages AuthKit needs (a no-op when they are all there)
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all present ($(APT_PACKAGES))"; \
	elif command -v apt-get >/dev/null; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: missing$$missing and no apt-get here; on macOS: brew install openssl@3 hiredis redis pkg-config"; exit 1; fi

## lint: fail when any Swift file differs from the checked-in .swift-format style
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

## format: rewrite Swift files in the checked-in style
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

## build: compile everything with warnings treated as errors
build: deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors

## test: deps, format lint, a warnings-as-errors build, then the whole test suite
test: deps lint build
	$(SWIFT) test --skip-build

## demo: the main job — the guided tour of AuthKit
demo: deps
	@bash Examples/demo.sh

## server-test: the authkit-server example (its own package): its HummingbirdTesting suite, then the curl script
## driving the real server in memory and against a redis-server it starts
server-test: deps
	$(SWIFT) test --package-path Examples/authkit-server
	bash Examples/authkit-server/curl-test.sh

clean:
	rm -rf .build Examples/authkit-server/.build
