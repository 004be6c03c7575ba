#!/usr/bin/env bash
# Runs authkit-bench and redis-benchmark (-P 1, same command, same -c) alternately against one redis-server,
# several rounds per concurrency, and prints every result line. Usage:
#   Benchmarks/scripts/compare-redis.sh [port] [seconds] [rounds]
# Build first: swift build -c release --package-path Benchmarks
set -euo pipefail
port=${1:-6399}
seconds=${2:-3}
rounds=${3:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
bench="$here/.build/release/authkit-bench"
dir=$(mktemp -d)
redis-server --port "$port" --save "" --appendonly no --daemonize yes --dir "$dir" --logfile "$dir/log" \
  --pidfile "$dir/pid"
trap 'kill "$(cat "$dir/pid")" 2>/dev/null; sleep 0.3; rm -rf "$dir"' EXIT
sleep 0.3
redis-cli -p "$port" set authkit-bench:key xxx >/dev/null
for c in 1 16 64; do
  n=$(( c == 1 ? 60000 : 400000 ))
  for r in $(seq "$rounds"); do
    for scenario in get exists; do
      if [ "$scenario" = get ]; then
        rb=$(redis-benchmark -p "$port" -P 1 -c "$c" -n "$n" -t get -q 2>&1 | tr '\r' '\n' | grep -E '^GET: [0-9]' | tail -1)
      else
        rb=$(redis-benchmark -p "$port" -P 1 -c "$c" -n "$n" -q exists authkit-bench:key 2>&1 | tr '\r' '\n' \
          | grep -E '^exists .*: [0-9]' | tail -1)
      fi
      echo "redis-benchmark c=$c $scenario: $rb"
      for executor in loop global; do
        echo "authkit-bench   c=$c $scenario --executor $executor: $("$bench" "redis-$scenario" \
          --redis "redis://127.0.0.1:$port" --concurrency "$c" --duration "$seconds" --executor "$executor")"
      done
    done
  done
done
