#!/usr/bin/env bash
# Counts the public declarations of every AuthKit module from its symbol graph (swift-symbolgraph-extract
# -minimum-access-level public on the modules a build left in the build folder), and how many of them `import AuthKit`
# re-exports (the @_exported imports of Sources/AuthKit/Exports.swift, followed transitively). Build first.
#
#   swift build && Scripts/public-symbols.sh            # every module of the default graph
#   Scripts/public-symbols.sh .build-traits              # also AuthKitHummingbird and AuthKitVapor (after make integrations)
#
# "own" counts the symbols a module declares, as its own symbol graph (Module.symbols.json) lists them, without the
# members it gets from protocol default implementations (-skip-synthesized-members); "ext" counts the public members
# and conformances it adds to other modules' types (its Module@Other.symbols.json graphs), reported apart.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${1:-.build}
modules=(AuthKitClock JWTCore TokenStore RateLimiter PermissionCache RedisClient AuthKitRedis AuthKit AuthKitTesting)
# The integrations are empty modules without their traits: counted in the trait-enabled build folder only.
[ "$scratch" != .build ] && modules+=(AuthKitHummingbird AuthKitVapor AuthKitConfig)
# The C modules of the dependencies (the frameworks' atomics and NIO shims): every folder with a module map.
mapfile -t c_modules < <(find "$scratch/checkouts/" "$scratch/debug/" -maxdepth 6 -name module.modulemap \
  -not -path '*/Modules/*' -not -path '*-tool.build/*' -printf '-I\n%h\n' 2>/dev/null)
graphs=$(mktemp -d)
trap 'rm -rf "$graphs"' EXIT
for module in "${modules[@]}"; do
  [ -e "$scratch/debug/Modules/$module.swiftmodule" ] || { echo "public-symbols: build first ($module)" >&2; exit 1; }
  swift-symbolgraph-extract -module-name "$module" -target "$(uname -m)-unknown-linux-gnu" \
    -I "$scratch/debug/Modules" $(printf -- '-I %s ' Sources/C*) "${c_modules[@]}" -minimum-access-level public \
    -skip-synthesized-members -output-dir "$graphs"
done

python3 - "$graphs" "${modules[@]}" <<'PY'
import json, os, re, sys

folder, modules = sys.argv[1], sys.argv[2:]

def count(path):
    with open(path) as f:
        return len(json.load(f)["symbols"])

own, ext = {}, {}
for module in modules:
    own[module] = count(os.path.join(folder, f"{module}.symbols.json"))
    ext[module] = sum(
        count(os.path.join(folder, name))
        for name in os.listdir(folder)
        if name.startswith(f"{module}@") and name.endswith(".symbols.json")
    )

def exported(module, seen):
    """The modules `import module` brings in through @_exported imports, transitively."""
    folder_of = os.path.join("Sources", module)
    for root, _, files in os.walk(folder_of):
        for name in files:
            if not name.endswith(".swift"):
                continue
            with open(os.path.join(root, name)) as f:
                for line in f:
                    match = re.match(r"\s*@_exported\s+(?:public\s+)?import\s+(\w+)", line)
                    if match and match.group(1) in own and match.group(1) not in seen:
                        seen.add(match.group(1))
                        exported(match.group(1), seen)
    return seen

print(f"{'module':<20}{'own':>6}{'ext':>6}")
for module in modules:
    print(f"{module:<20}{own[module]:>6}{ext[module]:>6}")
print(f"{'total':<20}{sum(own.values()):>6}{sum(ext.values()):>6}")
reexported = sorted(exported("AuthKit", set()))
print(f"import AuthKit re-exports {sum(own[m] + ext[m] for m in reexported)} declarations "
      f"(own + ext of {', '.join(reexported)})")
PY
