#!/usr/bin/env bash
# What AuthKit's tracing costs when no tracer is in force: in-memory `authenticate` at concurrency 1, from the
# benchmark built at HEAD and at BASE (a commit before tracing; default the first parent of the commit that added
# it), alternating in one run, ROUNDS rounds of SECONDS each; plus HEAD with a tracer whose spans do nothing
# (`--tracer null`), which is AuthKit's own cost per span once a tracer is bootstrapped.
#
#   bash Benchmarks/scripts/tracing-overhead.sh [BASE]       (BASE_BENCH=path reuses a built base binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BASE="${1:-$(git log --format=%H --diff-filter=A -1 -- Sources/AuthKit/Tracing/AuthKitTracing.swift)^}"
ROUNDS="${ROUNDS:-5}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-3}"

if [ -z "${BASE_BENCH:-}" ]; then
    base_tree="$(mktemp -d)"
    trap 'rm -rf "$base_tree"' EXIT
    git archive "$BASE" | tar -x -C "$base_tree"
    swift build -c release --package-path "$base_tree/Benchmarks" --product authkit-bench >/dev/null
    BASE_BENCH="$(swift build -c release --package-path "$base_tree/Benchmarks" --show-bin-path)/authkit-bench"
fi
swift build -c release --package-path "$ROOT/Benchmarks" --product authkit-bench >/dev/null
HEAD_BENCH="$(swift build -c release --package-path "$ROOT/Benchmarks" --show-bin-path)/authkit-bench"

results="$(mktemp)"
for round in $(seq 1 "$ROUNDS"); do
    for variant in base head head-null; do
        case "$variant" in
            base) bin="$BASE_BENCH"; extra=() ;;
            head) bin="$HEAD_BENCH"; extra=() ;;
            head-null) bin="$HEAD_BENCH"; extra=(--tracer null) ;;
        esac
        line="$("$bin" authenticate --concurrency 1 --duration "$SECONDS_PER_RUN" "${extra[@]}")"
        echo "$variant $line" >>"$results"
        echo "round $round $variant $line"
    done
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    variant, text = line.split(" ", 1)
    rows.setdefault(variant, []).append(json.loads(text))
med = {v: (statistics.median(r["p50_us"] for r in rs), statistics.median(r["ops_per_cpu_s"] for r in rs)) for v, rs in rows.items()}
base = med["base"]
print("in-memory authenticate, concurrency 1, medians of %d rounds" % len(rows["base"]))
for v in ("base", "head", "head-null"):
    p50, cpu = med[v]
    print("  %-10s p50 %6.2f us  %9.0f ops/cpu-s  ratio to base: p50 %.3fx, ops/cpu-s %.3fx" % (v, p50, cpu, p50 / base[0], cpu / base[1]))
PY
rm -f "$results"
