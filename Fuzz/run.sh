#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer, whose leak checker catches leaks) and runs each for
# FUZZ_SECONDS seconds on a copy of its seed corpus. Exits non-zero on the first crash, leak or timeout; the
# input that caused it is written to Fuzz/.build/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-${FUZZ_SECONDS:-30}}"
targets=(fuzz-jwt fuzz-jwk fuzz-resp)

started=$(date +%s)
# `-Xswiftc -sanitize=fuzzer,address`, not SwiftPM's `--sanitize=fuzzer --sanitize=address`: with the two
# separate flags the compiler front end only saw `address`, so nothing was instrumented for coverage.
flags=(--sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
swift build "${flags[@]}" >.build-fuzz.log 2>&1 || { tail -40 .build-fuzz.log; exit 1; }
rm -f .build-fuzz.log
echo "fuzz: built ${targets[*]} in $(( $(date +%s) - started )) s"
bin="$(swift build "${flags[@]}" --show-bin-path)"

mkdir -p .build/artifacts
# The targets run side by side, each for the whole FUZZ_SECONDS of wall-clock time: on a 2-core CI machine three
# minutes of fuzzing then take one.
run_target() {
  local target="$1" work=".build/corpus/$1"
  mkdir -p "$work"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: unbounded allocation is a bug too.
  "$bin/$target" "$work" "corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=".build/artifacts/$target-" >".build/$target.log" 2>&1
}
pids=()
for target in "${targets[@]}"; do
  echo "fuzz: $target for $seconds s"
  run_target "$target" &
  pids+=($!)
done
failed=0
for index in "${!targets[@]}"; do
  target="${targets[$index]}"
  if ! wait "${pids[$index]}"; then
    tail -60 ".build/$target.log"
    echo "fuzz: $target FAILED (input in Fuzz/.build/artifacts/)"
    failed=1
    continue
  fi
  echo "fuzz: $target: $(grep -E "stat::number_of_executed_units|stat::peak_rss_mb" ".build/$target.log" | tr '\n' ' ')corpus $(ls ".build/corpus/$target" | wc -l) inputs"
done
[ "$failed" = 0 ] || exit 1
echo "fuzz: all targets clean"
