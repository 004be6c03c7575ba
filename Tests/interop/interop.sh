#!/usr/bin/env bash
# Interop check against other JOSE implementations (PyJWT, joserfc): see interop.py.
# Usage: Tests/interop/interop.sh [path/to/authkit]   (default: builds and uses .build/debug/authkit)
# Needs python3 with the packages in Tests/interop/requirements.txt:
#   python3 -m pip install -r Tests/interop/requirements.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
authkit="${1:-}"
if [ -z "$authkit" ]; then
    (cd "$root" && swift build --product authkit >/dev/null)
    authkit="$root/.build/debug/authkit"
fi
if ! python3 -c "import jwt, joserfc, cryptography" 2>/dev/null; then
    echo "interop: python3 with pyjwt, joserfc and cryptography is needed:" >&2
    echo "  python3 -m pip install -r Tests/interop/requirements.txt   (or make deps)" >&2
    exit 1
fi
exec python3 "$here/interop.py" "$authkit"
