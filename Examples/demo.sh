#!/usr/bin/env bash
# The guided tour behind `make demo`: a key generated, a token signed, decoded, verified and rejected,
# all through the `authkit` CLI, printed step by step.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Building the authkit CLI"
swift build --product authkit >/dev/null
bin="$(swift build --product authkit --show-bin-path)/authkit"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. Generate an HS256 signing key (a private JWK; the kid defaults to its RFC 7638 thumbprint)"
"$bin" key generate hs256 --kid demo-2026-11 | tee "$work/key.json"

step "2. Sign claims: subject 42, issuer api.example.com, valid for 15 minutes"
now=$(date +%s)
claims="{\"iss\":\"https://api.example.com\",\"aud\":\"api\",\"sub\":\"42\",\"iat\":$now,\"exp\":$((now + 900)),\"jti\":\"demo-$now\"}"
echo "claims: $claims"
token=$("$bin" jwt sign --key "$work/key.json" --claims "$claims")
echo "token:  $token"

step "3. Decode it without checking anything (marked UNVERIFIED)"
show "$bin" jwt decode "$token"

step "4. Verify it: signature, issuer, audience, expiry"
show "$bin" jwt verify --key "$work/key.json" --issuer https://api.example.com --audience api "$token"

step "5. Tamper with the payload: the signature no longer matches"
forged_payload=$(printf '%s' "${claims/\"sub\":\"42\"/\"sub\":\"1\"}" | base64 -w0 | tr '+/' '-_' | tr -d '=')
forged="${token%%.*}.$forged_payload.${token##*.}"
"$bin" jwt verify --key "$work/key.json" "$forged" || echo "(exit status $?: rejected)"

step "6. Verify the genuine token as if it were an hour later: expired"
"$bin" jwt verify --key "$work/key.json" --now $((now + 3600)) "$token" || echo "(exit status $?: rejected)"

step "7. An unsigned token (alg: none) is never accepted"
none="$(printf '{"alg":"none"}' | base64 -w0 | tr '+/' '-_' | tr -d '=').${token#*.}"
none="${none%.*}."
"$bin" jwt verify --key "$work/key.json" "$none" || echo "(exit status $?: rejected)"

printf '\nDone.\n'
