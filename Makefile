# AuthKit — the commands a developer and CI run. `make demo` runs the main job, `make test` runs the tests.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libhiredis-dev redis-server redis-tools curl python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FORMAT_PATHS := $(wildcard Package.swift Sources Tests Examples Benchmarks Fuzz/Package.swift Fuzz/Sources Soak)

# The published test vectors are read in place, never copied in: `shared/vectors` beside this clone, or else
# beside the repository it was cloned from (a clone made in a temporary folder). Tests fail, saying how to
# point to them, when neither has them.
AUTHKIT_VECTORS_DIR ?= $(or $(wildcard $(abspath $(CURDIR)/../shared/vectors)),$(shell \
  origin=$$(git -C "$(CURDIR)" remote get-url origin 2>/dev/null) && [ -d "$$origin/../shared/vectors" ] && \
  cd "$$origin/../shared/vectors" && pwd))
export AUTHKIT_VECTORS_DIR

.PHONY: deps lint format build public-api test docs demo demo-redis demo-cli integrations server-test bench bench-deadlines bench-suites clean fuzz tsan asan soak check repeat

## deps: install the system packages AuthKit needs, and the Python packages of the interop test (no-op when present)
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all present ($(APT_PACKAGES))"; \
	elif command -v apt-get >/dev/null; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: missing$$missing and no apt-get here; on macOS: brew install openssl@3 hiredis redis pkg-config"; exit 1; fi
	@if python3 -c "import jwt, joserfc, cryptography" 2>/dev/null; then echo "deps: interop Python packages present"; \
	else echo "deps: installing the interop Python packages (Tests/interop/requirements.txt)"; \
	  python3 -m pip --version >/dev/null 2>&1 || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null; \
	  pip="python3 -m pip install -q --disable-pip-version-check -r Tests/interop/requirements.txt"; \
	  $$pip 2>/dev/null || $$pip --user --break-system-packages; fi

## lint: fail when any Swift file differs from the checked-in .swift-format style, a Mutex holds a tuple (its
## withLock closure escapes the ThreadSanitizer suppression, Tests/sanitizers/tsan.supp), or a library source outside
## Sources/AuthKitPlatform imports or names the C library (Glibc, Musl, Darwin): every system call goes through it
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)
	@if grep -rnE --include='*.swift' 'Mutex(<\(|\(\()' $(FORMAT_PATHS); then \
	  echo "lint: a Mutex holds a tuple; give it a named struct (see Tests/sanitizers/tsan.supp)"; exit 1; fi
	@if grep -rnE --include='*.swift' --exclude-dir=AuthKitPlatform \
	  '(^|[^A-Za-z_])(import +(Glibc|Musl|Darwin)\b|(Glibc|Musl|Darwin)\.[A-Za-z_])' Sources; then \
	  echo "lint: the C library is used outside Sources/AuthKitPlatform; add the call to Platform and use it there"; \
	  exit 1; fi

## format: rewrite Swift files in the checked-in style
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

## build: compile everything with warnings treated as errors
build: deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors

## public-api: the public declarations of every module, and how many `import AuthKit` re-exports
## (Scripts/public-symbols.sh; Documentation/Architecture.md keeps the last count)
public-api: build
	@bash Scripts/public-symbols.sh

# The test targets that drive real redis-servers and bound real time (deadlines, faults, real-clock windows) run in
# a pass of their own, one test at a time, after the rest has run in parallel. Beside dozens of parallel tests a task
# resumed by a reply waits for a thread of Swift's cooperative pool (one per processor) behind CPU-heavy work, and a
# bound meant to catch a hang would measure the machine instead.
TIMING_TESTS := ^(RedisClientTests|AuthKitRedisTests|FaultTests)\.
# The failover suites spend their time waiting for Redis's own failover clocks (node timeouts, Sentinel quorum) and
# use little processor, so the timing pass runs them in a second lane, a process of its own (one test at a time, its
# own cooperative pool), beside the rest: the pass takes the longer lane's time instead of the sum. The lane's log is
# printed when it ends.
FAILOVER_TESTS := ^(FaultTests\.FailoverTests|RedisClientTests\.RedisSentinelTests)/
# $(call test_passes,ENV,SWIFT TEST OPTIONS): the parallel pass, then the timing pass in its two lanes.
test_passes = $(1) $(SWIFT) test $(2) --skip '$(TIMING_TESTS)' && { \
	lane=$$(mktemp); \
	( $(1) $(SWIFT) test $(filter-out --skip-build,$(2)) --skip-build --ignore-lock --no-parallel \
	    --filter '$(FAILOVER_TESTS)' >"$$lane" 2>&1 ) & failover=$$!; \
	$(1) $(SWIFT) test $(filter-out --skip-build,$(2)) --skip-build --ignore-lock --no-parallel \
	  --filter '$(TIMING_TESTS)' --skip '$(FAILOVER_TESTS)'; rest=$$?; \
	wait $$failover; lane_status=$$?; echo "--- timing pass, failover lane:"; cat "$$lane"; rm -f "$$lane"; \
	[ $$rest = 0 ] && [ $$lane_status = 0 ]; }

## check: the quick loop — deps, format lint, a warnings-as-errors build, then the whole test suite (two passes)
check: deps lint build
	$(call test_passes,,--skip-build)

## test: everything CI runs — check, the DocC catalogs, the Hummingbird and Vapor integrations and the example servers,
## every fuzz target for FUZZ_SECONDS (60), then the test suite under ThreadSanitizer and AddressSanitizer (which
## stay on the default graph: the frameworks are not built with the sanitizers). The DocC catalogs come right after the
## trait-enabled build, whose plan they reuse (after the example packages' builds they recompiled the frameworks:
## 689 s against 176 s)
test: check integrations docs server-test
	$(MAKE) fuzz FUZZ_SECONDS=$(or $(CI_FUZZ_SECONDS),60)
	$(MAKE) tsan
	$(MAKE) asan
	@echo "make test: all passed"

DOC_TARGETS := AuthKit JWTCore AuthKitRedis RedisClient TokenStore RateLimiter PermissionCache AuthKitClock AuthKitTesting \
  AuthKitHummingbird AuthKitVapor AuthKitConfig

## docs: build the DocC catalogs of every public module in one pass, the integrations' with their traits (in the
## trait-enabled build folder, which `make integrations` fills, with the flags every build there takes); any broken
## link or warning fails
docs: deps
	@rm -f $(TRAITS_SCRATCH)/*/debug/description.json; log=$$(mktemp); \
	if $(SWIFT) package --traits Hummingbird,Vapor,Configuration $(TRAITS_FLAGS) --disable-sandbox \
	    generate-documentation $(addprefix --target ,$(DOC_TARGETS)) \
	    --warnings-as-errors >"$$log" 2>&1; then echo "docs: $(DOC_TARGETS) built"; rm -f "$$log"; \
	else grep -E "error|warning" "$$log" | grep -v "prohibited flag" | head -20; rm -f "$$log"; exit 1; fi

## demo: the main job — the guided tour of AuthKit (in memory; REDIS_URL=redis://… runs it against Redis, the URL
## handed over in AUTHKIT_REDIS_URL, off the command line)
demo: deps
	@swift build --product authkit-demo >/dev/null
	@$(if $(REDIS_URL),AUTHKIT_REDIS_URL='$(REDIS_URL)') "$$(swift build --show-bin-path)/authkit-demo"

## demo-redis: the same tour against a redis-server started for it on a free port, then stopped
demo-redis: deps
	@bash Examples/demo-redis.sh

## demo-cli: keys and tokens through the `authkit` CLI, step by step
demo-cli: deps
	@bash Examples/demo.sh

# The trait-enabled build (Hummingbird and Vapor) has a build folder of its own, which the example packages share, so
# that each framework and each AuthKit module is compiled once for all of them; every build there takes the same flags.
TRAITS_SCRATCH := $(CURDIR)/.build-traits
TRAITS_FLAGS := --scratch-path $(TRAITS_SCRATCH) -Xswiftc -warnings-as-errors
export AUTHKIT_SCRATCH := $(TRAITS_SCRATCH)
export AUTHKIT_SWIFT_FLAGS := -Xswiftc -warnings-as-errors

## integrations: AuthKitHummingbird, AuthKitVapor and AuthKitConfig with their traits, warnings as errors, and their
## tests (HummingbirdTesting and VaporTesting, in memory and against redis-servers they start; AuthKitConfig's readers)
integrations: deps
	rm -f $(TRAITS_SCRATCH)/*/debug/description.json  # the examples share the folder: plan anew
	$(SWIFT) build --build-tests --traits Hummingbird,Vapor,Configuration $(TRAITS_FLAGS)
	$(SWIFT) test --skip-build --traits Hummingbird,Vapor,Configuration $(TRAITS_FLAGS) --filter "AuthKitHummingbirdTests|AuthKitVaporTests|AuthKitConfigTests"

## server-test: the integrations, then the example servers on them: authkit-server's HummingbirdTesting suite, one
## curl script driving both servers (authkit-server, authkit-vapor-server) in memory and against a redis-server it
## starts, and a consumer without traits whose build must name neither framework
server-test: integrations
	rm -f $(TRAITS_SCRATCH)/*/debug/description.json  # another root package in the same folder: plan anew
	$(SWIFT) test --package-path Examples/authkit-server $(TRAITS_FLAGS)
	bash Examples/http-test.sh
	bash Examples/no-traits-consumer/check.sh

## bench: release build, then AuthKit against redis-benchmark (own redis-server on a free port) and jwt-kit in one
## run, alternating, 3 rounds, and the revocation mirror's figures; prints the table of medians and ratios
## (Documentation/Performance.md holds the last one); BENCH_ONLY=mirror for the mirror's alone
bench: deps
	$(SWIFT) build -c release --package-path Benchmarks --product authkit-bench
	python3 Benchmarks/scripts/bench.py --bench "$$($(SWIFT) build -c release --package-path Benchmarks --show-bin-path)/authkit-bench" \
	  --rounds $(or $(BENCH_ROUNDS),3) --seconds $(or $(BENCH_SECONDS),2) $(addprefix --only ,$(BENCH_ONLY)) \
	  --json Benchmarks/.build/bench-results.json

## bench-deadlines: how late RedisClient deadlines fire on a saturated machine (8 spinning threads, 8 busy clients
## beside 32 clients facing a black-holed, a SIGSTOPped and a DEBUG SLEEPing server); DEADLINE_BENCH_ARGS adds options
bench-deadlines: deps
	$(SWIFT) build -c release --package-path Benchmarks --product deadline-lateness
	"$$($(SWIFT) build -c release --package-path Benchmarks --show-bin-path)/deadline-lateness" $(DEADLINE_BENCH_ARGS)

## bench-suites: the package-benchmark suites (JWT against jwt-kit, hostile tokens, authenticate in memory, denylist RSS)
bench-suites: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

FUZZ_SECONDS ?= 30

## fuzz: build the libFuzzer targets (JWT, JWK/JWKS/PEM, RESP) with ASan and run each for FUZZ_SECONDS seconds
fuzz: deps
	@bash Fuzz/run.sh $(FUZZ_SECONDS)

# Under a sanitizer Swift's crash backtracer is off (SWIFT_BACKTRACE=enable=no): a test process that trapped under
# ASan hung for 25 minutes when the backtracer's memory server tripped ASan (a dynamic-stack-buffer-overflow report
# in CrashHandlerLinux.cpp), where it should have failed the run at once. The trap's message is still printed.
SANITIZER_ENV := SWIFT_BACKTRACE=enable=no

## tsan: the whole test suite under ThreadSanitizer, in its own build directory; any report fails
tsan: deps
	$(call test_passes,$(SANITIZER_ENV) AUTHKIT_TEST_TIME_SCALE=6 TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/Tests/sanitizers/tsan.supp $(TSAN_OPTIONS)",--sanitize=thread --scratch-path .build-tsan)

## asan: the whole test suite under AddressSanitizer (with LeakSanitizer), in its own build directory
asan: deps
	$(call test_passes,$(SANITIZER_ENV) AUTHKIT_TEST_TIME_SCALE=4 ASAN_OPTIONS="detect_leaks=1 $(ASAN_OPTIONS)" LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/sanitizers/lsan.supp $(LSAN_OPTIONS)",--sanitize=address --scratch-path .build-asan)

REPEAT ?= 10
REPEAT_TARGETS ?= check tsan asan
HOGS ?= 0

## repeat: runs each of REPEAT_TARGETS (check tsan asan) REPEAT times (10) and stops at the first failure, with a
## summary line per run; HOGS=N runs N CPU-bound processes (yes > /dev/null) beside the whole time
repeat:
	@hogs=""; for _ in $$(seq 1 $(HOGS)); do yes >/dev/null & hogs="$$hogs $$!"; done; \
	trap '[ -z "$$hogs" ] || kill $$hogs 2>/dev/null' EXIT; \
	for target in $(REPEAT_TARGETS); do \
	  for run in $$(seq 1 $(REPEAT)); do \
	    log=$$(mktemp /tmp/authkit-repeat-$$target-$$run-XXXXXX.log); start=$$(date +%s); \
	    if $(MAKE) --no-print-directory $$target >"$$log" 2>&1; then status=passed; else status=FAILED; fi; \
	    tests=$$(grep -a -o -E "Test run with [0-9]+ tests" "$$log" | grep -o -E "[0-9]+" | paste -sd+ -); \
	    echo "repeat: make $$target run $$run/$(REPEAT) $$status in $$(( $$(date +%s) - start )) s" \
	      "(tests per pass: $${tests:-none}; load average $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	    if [ $$status = FAILED ]; then \
	      grep -a -E "✘|error:|FAIL|Fatal|ThreadSanitizer|AddressSanitizer|LeakSanitizer" "$$log" | head -40; \
	      echo "repeat: stopped at the first failure; the whole log is $$log"; exit 1; \
	    fi; \
	    rm -f "$$log"; \
	  done; \
	done; \
	echo "repeat: $(REPEAT_TARGETS) passed $(REPEAT) times each"

SOAK_SECONDS ?= 600

## soak: a mixed load against a redis-server it starts, for SOAK_SECONDS (default 10 min); fails on unbounded growth
soak: deps
	@cd Soak && swift build --product authkit-soak >/dev/null && \
	  "$$(swift build --show-bin-path)/authkit-soak" --seconds $(SOAK_SECONDS)

clean:
	rm -rf .build .build-tsan .build-asan .build-traits Benchmarks/.build Fuzz/.build Soak/.build \
	  Examples/authkit-server/.build Examples/authkit-vapor-server/.build Examples/no-traits-consumer/.build
