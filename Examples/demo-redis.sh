#!/usr/bin/env bash
# Runs the AuthKit tour against a throwaway redis-server on a free port, then stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product authkit-demo >/dev/null
bin="$(swift build --show-bin-path)/authkit-demo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --maxmemory-policy noeviction >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
"$bin" --redis "redis://127.0.0.1:$port"
