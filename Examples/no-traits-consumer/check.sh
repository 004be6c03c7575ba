#!/usr/bin/env bash
# Builds this package, which depends on AuthKit without traits, in a fresh scratch folder, runs it, and fails when
# the build log or the fetched dependencies name Hummingbird, Vapor or swift-configuration (or anything only they
# bring in). SwiftPM does not even fetch a dependency that only a disabled trait uses.
set -euo pipefail
cd "$(dirname "$0")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
log="$scratch/build.log"
swift build -v --scratch-path "$scratch/build" >"$log" 2>&1 || { tail -30 "$log"; echo "no-traits-consumer: build failed"; exit 1; }
"$(swift build --scratch-path "$scratch/build" --show-bin-path)/no-traits-consumer"
fetched="$(ls "$scratch/build/checkouts")"
echo "no-traits-consumer: fetched $(echo $fetched | tr '\n' ' ')"
pattern='hummingbird|vapor|swift-nio|async-http-client|swift-http-types|swift-crypto|swift-configuration|swift-system|yams'
if grep -Eiq "$pattern" "$log" || echo "$fetched" | grep -Eiq "$pattern"; then
    grep -Eio ".{0,60}($pattern).{0,60}" "$log" | head -5
    echo "no-traits-consumer: FAIL, the build without traits names a framework or swift-configuration"; exit 1
fi
echo "no-traits-consumer: the build log ($(wc -l <"$log") lines) names neither Hummingbird, Vapor nor swift-configuration"
