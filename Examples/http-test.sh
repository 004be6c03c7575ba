#!/usr/bin/env bash
# The HTTP contract of the example servers, checked on the real binaries: builds authkit-server (Hummingbird) and
# authkit-vapor-server (Vapor), and for each starts the server on a free port (in memory with ES256, EdDSA and
# HS256, then against a redis-server this script starts on a free port, then against a Redis Cluster of three
# primaries it creates), drives every route with curl (RFC 7009
# revocation and RFC 7662 introspection included), checks status codes, bodies and headers, and stops everything.
# Exits non-zero on any failure. Needs: swift, curl, redis-server and redis-cli.
#
#   bash Examples/http-test.sh                          # both servers
#   SERVERS=authkit-vapor-server bash Examples/http-test.sh
#
# The packages build into one scratch folder (AUTHKIT_SCRATCH, default .build-traits of the repository), shared
# with the trait-enabled build of the library, so each dependency is compiled once.
set -uo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"
SCRATCH="${AUTHKIT_SCRATCH:-$ROOT/.build-traits}"
SERVERS="${SERVERS:-authkit-server authkit-vapor-server}"
# Extra build flags (the Makefile passes -Xswiftc -warnings-as-errors, as for every build in that folder).
read -r -a FLAGS <<<"${AUTHKIT_SWIFT_FLAGS:-}"

# The servers run in memory unless a step gives them a Redis URL.
unset AUTHKIT_REDIS_URL AUTHKIT_REDIS_URL_FILE
ALG=ES256
WORK="$(mktemp -d)"
SERVER_PID=""
REDIS_PID=""
CLUSTER_PIDS=()
PASSED=0
FAILED=0

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
    for pid in "${CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in curl redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "http-test: $tool is missing (make deps installs it)"; exit 1; }
done

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL [$STEP] $*"; echo "  status: $STATUS"; echo "  body:   $(head -c 300 "$WORK/body")"; }

# request METHOD PATH [BODY] [TOKEN] [CONTENT-TYPE]: sets STATUS; the body and headers land in $WORK/body,
# $WORK/headers. The body is JSON unless a content type is given.
request() {
    local method="$1" path="$2" body="${3:-}" token="${4:-}" type="${5:-application/json}"
    local args=(-sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method" --max-time 20)
    [ -n "$body" ] && args+=(-H "Content-Type: $type" --data "$body")
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    STATUS="$(curl "${args[@]}" "$BASE$path")" || STATUS="curl-error"
    tr -d '\r' <"$WORK/headers" >"$WORK/headers.lf"
}

# step NAME: names the checks that follow in failure messages.
step() { STEP="$1"; }
expect_status() { [ "$STATUS" = "$1" ] && pass || fail "expected status $1"; }
# The value of a response header (case-insensitive name), empty when absent.
header() { grep -i "^$1:" "$WORK/headers.lf" | head -n1 | cut -d: -f2- | sed 's/^ *//'; }
expect_header() { local value; value="$(header "$1")"; [[ "$value" =~ $2 ]] && pass || fail "header $1='$value' !~ /$2/"; }
expect_no_header() { [ -z "$(header "$1")" ] && pass || fail "unexpected header $1"; }
expect_body() { grep -qE -- "$1" "$WORK/body" && pass || fail "body !~ /$1/"; }
expect_body_exactly() { [ "$(cat "$WORK/body")" = "$1" ] && pass || fail "body is not $1"; }
# A string field of the JSON body (the values here hold no quotes or escapes).
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$WORK/body"; }
expect_error() { expect_status "$1"; expect_body "\"error\":\"$2\""; expect_body '"message":"[^"]+'; }
expect_invalid_token() { expect_error 401 invalid_token; expect_header WWW-Authenticate '^Bearer error="invalid_token"$'; }
expect_rate_limit_headers() { expect_header RateLimit-Policy "^\"$1\";q=[0-9]+;w=[0-9]+$"; expect_header RateLimit "^\"$1\";r=[0-9]+;t=[0-9]+$"; }

# The decoded JOSE header of a JWT.
jwt_header() {
    local h="${1%%.*}"
    h="$(printf '%s' "$h" | tr '_-' '/+')"
    while [ $((${#h} % 4)) != 0 ]; do h="$h="; done
    printf '%s' "$h" | base64 -d 2>/dev/null
}

# form PATH FORM-BODY [TOKEN]: a POST of an application/x-www-form-urlencoded body (RFC 7009, RFC 7662).
form() { request POST "$1" "$2" "${3:-}" application/x-www-form-urlencoded; }

login() { # login USER PASSWORD DEVICE: sets ACCESS and REFRESH
    request POST /login "{\"username\":\"$1\",\"password\":\"$2\",\"device\":\"$3\"}"
    ACCESS="$(field access_token)"
    REFRESH="$(field refresh_token)"
}

start_server() { # start_server ARGS...: starts the server on a free port and sets BASE
    local bin="$1"; shift
    "$bin" --port 0 "$@" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        local line
        line="$(grep -m1 -o 'listening on http://[0-9.:]*' "$WORK/server.log")"
        if [ -n "$line" ]; then BASE="${line#listening on }"; return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "http-test: the server did not start:"; cat "$WORK/server.log"; SERVER_PID=""; return 1
}

stop_server() {
    kill -TERM "$SERVER_PID" && wait "$SERVER_PID"
    local status=$?
    SERVER_PID=""
    STEP="server stops on SIGTERM"; STATUS="exit $status"; : >"$WORK/body"
    [ "$status" = 0 ] && pass || fail "the server exited with $status"
}

start_redis() { # starts redis-server on a free port (with REDIS_PASSWORD, if set) and sets REDIS_PORT
    for _ in $(seq 1 20); do
        REDIS_PORT=$((20000 + RANDOM % 40000))
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
            ${REDIS_PASSWORD:+--requirepass "$REDIS_PASSWORD"} >"$WORK/redis.log" 2>&1 &
        REDIS_PID=$!
        for _ in $(seq 1 50); do
            [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
            kill -0 "$REDIS_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=""
    done
    echo "http-test: redis-server did not start"; return 1
}

start_cluster() { # three primaries whose bus ports (port + 10000) are free too; sets CLUSTER_PORTS and CLUSTER_URL
    CLUSTER_PORTS=()
    while [ "${#CLUSTER_PORTS[@]}" -lt 3 ]; do
        local port=$((10000 + RANDOM % 12000))
        redis-cli -p "$port" ping >/dev/null 2>&1 && continue
        redis-cli -p $((port + 10000)) ping >/dev/null 2>&1 && continue
        mkdir -p "$WORK/cluster-$port"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/cluster-$port" \
            --cluster-enabled yes --cluster-config-file nodes.conf >"$WORK/cluster-$port/log" 2>&1 &
        CLUSTER_PIDS+=($!)
        CLUSTER_PORTS+=("$port")
    done
    for port in "${CLUSTER_PORTS[@]}"; do
        for _ in $(seq 1 50); do [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
    done
    redis-cli --cluster create "${CLUSTER_PORTS[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$WORK/cluster.log" 2>&1 \
        || { echo "curl-test: the cluster was not created:"; cat "$WORK/cluster.log"; return 1; }
    for port in "${CLUSTER_PORTS[@]}"; do
        for _ in $(seq 1 100); do redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
    done
    CLUSTER_URL="redis-cluster://$(IFS=,; echo "${CLUSTER_PORTS[*]/#/127.0.0.1:}")"
}

# Every key under authkit: on the nodes on ports $@ has a TTL, and there is at least one.
expect_keys_with_ttl() {
    local keys=0 no_ttl=0 port
    for port in "$@"; do
        keys=$((keys + $(redis-cli -p "$port" --scan --pattern 'authkit:*' | wc -l)))
        no_ttl=$((no_ttl + $(redis-cli -p "$port" --scan --pattern 'authkit:*' | while read -r key; do redis-cli -p "$port" ttl "$key"; done | grep -c '^-1$')))
    done
    STATUS="$keys keys, $no_ttl without TTL"; : >"$WORK/body"
    [ "$keys" -gt 0 ] && [ "$no_ttl" = 0 ] && pass || fail "keys in redis without a TTL"
}

# Every route and error of the contract, against a freshly started server.
drive_routes() {
    step "jwks"
    request GET /.well-known/jwks.json
    expect_status 200; expect_header Content-Type '^application/json'
    if [ "$ALG" = HS256 ]; then
        expect_body_exactly '{"keys":[]}'
    else
        expect_body '"kty":"(EC|OKP)"'; expect_body "\"alg\":\"$ALG\""; expect_body '"kid":"[A-Za-z0-9_-]+"'
    fi
    if grep -q '"d":' "$WORK/body"; then fail "the JWKS publishes private key material"; fi

    step "login: wrong password"
    request POST /login '{"username":"alice","password":"wrong","device":"phone"}'
    expect_error 401 invalid_credentials; expect_rate_limit_headers login; expect_header RateLimit-Policy '^"login";q=5;w=60$'

    step "login: alice on two devices"
    login alice alice-password phone
    expect_status 200; expect_body '"token_type":"Bearer"'; expect_body '"expires_in":900'; expect_rate_limit_headers login
    [ -n "$ACCESS" ] && [ -n "$REFRESH" ] && pass || fail "no tokens"
    local alice_phone="$ACCESS" alice_phone_refresh="$REFRESH"
    [[ "$(jwt_header "$ACCESS")" == *"\"alg\":\"$ALG\""* ]] && pass || fail "the token is not signed with $ALG"
    login alice alice-password laptop
    expect_status 200
    local alice_laptop="$ACCESS"
    login bob bob-password phone
    expect_status 200
    local bob_phone="$ACCESS"
    login bob bob-password laptop
    local bob_laptop="$ACCESS" bob_laptop_refresh="$REFRESH"

    step "me"
    request GET /me "" "$alice_phone"
    expect_status 200; expect_body '"sub":"alice"'; expect_body '"permissions":\["admin:\*","orders:\*"\]'
    expect_rate_limit_headers api
    local alice_phone_sid; alice_phone_sid="$(field sid)"
    [ -n "$alice_phone_sid" ] && pass || fail "no sid"
    request GET /me "" "$bob_phone"
    expect_status 200; expect_body '"sub":"bob"'; expect_body '"permissions":\["orders:read"\]'

    step "me: no token"
    request GET /me
    expect_error 401 missing_credentials; expect_header WWW-Authenticate '^Bearer$'
    step "me: bad token"
    request GET /me "" "not.a.jwt"
    expect_invalid_token
    step "me: tampered token"
    request GET /me "" "${alice_phone}x"
    expect_invalid_token

    step "admin"
    request GET /admin "" "$alice_phone"
    expect_status 200; expect_rate_limit_headers api
    request GET /admin "" "$bob_phone"
    expect_error 403 forbidden; expect_rate_limit_headers api

    step "sessions"
    request GET /sessions "" "$alice_laptop"
    expect_status 200; expect_rate_limit_headers api
    expect_body '"device":"phone"'; expect_body '"device":"laptop"'; expect_body '"ip":"127.0.0.1"'
    expect_body '"created_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"'; expect_body '"last_seen":"'
    [ "$(grep -o '"current":true' "$WORK/body" | wc -l)" = 1 ] && pass || fail "not exactly one current session"
    [ "$(grep -o '"id":' "$WORK/body" | wc -l)" = 2 ] && pass || fail "alice should have two sessions"

    step "refresh"
    request POST /refresh "{\"refresh_token\":\"$alice_phone_refresh\"}"
    expect_status 200; expect_body '"token_type":"Bearer"'; expect_rate_limit_headers refresh
    local rotated_access rotated_refresh
    rotated_access="$(field access_token)"; rotated_refresh="$(field refresh_token)"
    [ "$rotated_refresh" != "$alice_phone_refresh" ] && pass || fail "the refresh token did not rotate"
    request GET /me "" "$rotated_access"
    expect_status 200

    step "refresh: replay ends the login"
    request POST /refresh "{\"refresh_token\":\"$alice_phone_refresh\"}"
    expect_invalid_token; expect_rate_limit_headers refresh
    request GET /me "" "$rotated_access"
    expect_invalid_token
    request POST /refresh "{\"refresh_token\":\"$rotated_refresh\"}"
    expect_invalid_token
    request GET /me "" "$alice_laptop"
    expect_status 200

    step "refresh: bad body"
    request POST /refresh '{"token":"x"}'
    expect_error 400 bad_request

    step "delete session"
    login alice alice-password tablet
    local alice_tablet="$ACCESS"
    request GET /me "" "$alice_tablet"
    local tablet_sid; tablet_sid="$(field sid)"
    request DELETE "/sessions/$tablet_sid" "" "$bob_phone"
    expect_error 404 not_found
    request DELETE "/sessions/$tablet_sid" "" "$alice_laptop"
    expect_status 204
    request GET /me "" "$alice_tablet"
    expect_invalid_token
    request DELETE "/sessions/$tablet_sid" "" "$alice_laptop"
    expect_error 404 not_found

    step "logout"
    request POST /logout "" "$alice_laptop"
    expect_status 204
    [ ! -s "$WORK/body" ] && pass || fail "a 204 with a body"
    request GET /me "" "$alice_laptop"
    expect_invalid_token
    request POST /logout ""
    expect_error 401 missing_credentials

    step "logout everywhere"
    request POST /logout-everywhere "" "$bob_phone"
    expect_status 204
    request GET /me "" "$bob_phone"
    expect_invalid_token
    request GET /me "" "$bob_laptop"
    expect_invalid_token
    request POST /refresh "{\"refresh_token\":\"$bob_laptop_refresh\"}"
    expect_invalid_token

    step "revoke (RFC 7009)"
    login bob bob-password tablet
    local bob_tablet="$ACCESS" bob_tablet_refresh="$REFRESH"
    form /revoke "token=$bob_tablet&token_type_hint=access_token"
    expect_status 200; [ ! -s "$WORK/body" ] && pass || fail "a revocation answer with a body"
    expect_rate_limit_headers revoke
    request GET /me "" "$bob_tablet"
    expect_invalid_token
    form /revoke "token=not-a-token"
    expect_status 200
    form /revoke "token_type_hint=access_token"
    expect_error 400 invalid_request
    form /revoke "token=$bob_tablet_refresh&token_type_hint=access_token"
    expect_status 200
    request POST /refresh "{\"refresh_token\":\"$bob_tablet_refresh\"}"
    expect_invalid_token

    step "introspect (RFC 7662)"
    login alice alice-password watch
    local alice_watch="$ACCESS" alice_watch_refresh="$REFRESH"
    form /introspect "token=$alice_watch"
    expect_error 401 missing_credentials
    form /introspect "token=$alice_watch" "$alice_watch"
    expect_status 200; expect_header Cache-Control '^no-store$'
    expect_body '"active":true'; expect_body '"token_type":"Bearer"'; expect_body '"sub":"alice"'; expect_body '"exp":[0-9]+'
    form /introspect "token=$alice_watch_refresh&token_type_hint=access_token" "$alice_watch"
    expect_body '"active":true'; expect_body '"token_type":"refresh_token"'
    form /introspect "token=not-a-token" "$alice_watch"
    expect_status 200; expect_body_exactly '{"active":false}'
    login bob bob-password watch
    form /introspect "token=$alice_watch" "$ACCESS"
    expect_status 200; expect_body_exactly '{"active":false}'

    step "login rate limit: 5 per username per minute"
    for attempt in 1 2 3 4 5; do
        request POST /login '{"username":"mallory","password":"guess","device":"x"}'
        expect_error 401 invalid_credentials
        expect_header RateLimit "^\"login\";r=$((5 - attempt));t=[0-9]+$"
    done
    request POST /login '{"username":"mallory","password":"guess","device":"x"}'
    expect_error 429 rate_limited; expect_header Retry-After '^[1-9][0-9]*$'; expect_rate_limit_headers login

    step "unknown route"
    request GET /nowhere
    expect_error 404 not_found
}

# run_server BIN: the whole contract against BIN, in memory with each algorithm, then on Redis.
run_server() {
    local bin="$1" name
    name="$(basename "$bin")"
    step "$name: --alg refuses an algorithm it does not sign with"
    "$bin" --alg RS256 --port 0 >"$WORK/body" 2>&1
    STATUS="exit $?"
    [ "$STATUS" != "exit 0" ] && grep -q "one of 'ES256', 'EdDSA' or 'HS256'" "$WORK/body" && pass || fail "--alg RS256 was not refused clearly"

    # In memory with each algorithm (ES256 is the default, so no --alg), then Redis with the default.
    for ALG in ES256 EdDSA HS256; do
        echo "http-test: $name, in memory, $ALG"
        if [ "$ALG" = ES256 ]; then start_server "$bin" || return 1; else start_server "$bin" --alg "$ALG" || return 1; fi
        drive_routes
        stop_server
    done

    ALG=ES256
    step "$name: an unreadable AUTHKIT_REDIS_URL_FILE is refused, naming the variable"
    AUTHKIT_REDIS_URL_FILE="$WORK/missing-url" "$bin" --port 0 >"$WORK/body" 2>&1
    STATUS="exit $?"
    [ "$STATUS" != "exit 0" ] && grep -q "AUTHKIT_REDIS_URL_FILE (file $WORK/missing-url): the file cannot be read" \
        "$WORK/body" && pass || fail "a missing URL file was not refused clearly"

    # The Redis URL, password included, comes from the environment: nothing of it shows in ps, and the server's
    # log line masks the password (redis-cli authenticates through REDISCLI_AUTH).
    echo "http-test: $name, redis (URL from AUTHKIT_REDIS_URL), $ALG"
    REDIS_PASSWORD="http-test-$RANDOM$RANDOM-secret"
    export REDISCLI_AUTH="$REDIS_PASSWORD"
    start_redis || return 1
    AUTHKIT_REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT" start_server "$bin" || return 1
    step "$name: the state line names the Redis URL from AUTHKIT_REDIS_URL with its password masked"
    STATUS="$(grep -m1 'state ' "$WORK/server.log")"; : >"$WORK/body"
    grep -qF "state Redis at redis://:***@127.0.0.1:$REDIS_PORT/0 (from AUTHKIT_REDIS_URL)" "$WORK/server.log" &&
        ! grep -qF "$REDIS_PASSWORD" "$WORK/server.log" && pass || fail "the log shows the password or not the URL"
    drive_routes
    step "$name: redis keys carry TTLs"
    expect_keys_with_ttl "$REDIS_PORT"

    step "$name: redis down: 503, never 200"
    login bob bob-password phone
    bob_again="$ACCESS"
    kill -KILL "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=""
    request GET /me "" "$bob_again"
    expect_error 503 store_unavailable; expect_header Retry-After '^[1-9][0-9]*$'
    request GET /sessions "" "$bob_again"
    expect_error 503 store_unavailable
    request POST /login '{"username":"alice","password":"alice-password","device":"x"}'
    expect_error 503 store_unavailable
    form /revoke "token=$bob_again"
    expect_error 503 store_unavailable
    request GET /.well-known/jwks.json
    expect_status 200
    stop_server
    unset REDIS_PASSWORD REDISCLI_AUTH

    echo "http-test: $name, redis cluster (URL from --redis-file), $ALG"
    start_cluster || return 1
    printf '%s\n' "$CLUSTER_URL" >"$WORK/cluster-url"
    start_server "$bin" --redis-file "$WORK/cluster-url" || return 1
    drive_routes
    step "$name: cluster keys carry TTLs"
    expect_keys_with_ttl "${CLUSTER_PORTS[@]}"
    # The server's work reaches every primary. Counted in scripts run, not in keys held: the only keys of the first
    # primary's slots are the fixed-window rate limits of /me, which expire at the turn of the server's minute, so a
    # scan just after it can find that primary empty.
    step "$name: every primary of the cluster ran the server's scripts"
    for port in "${CLUSTER_PORTS[@]}"; do
        local scripts
        scripts="$(redis-cli -p "$port" info commandstats | tr -d '\r' | grep -E '^cmdstat_(evalsha|eval):')"
        STATUS="port $port: $(echo "$scripts" | tr '\n' ' ')"; : >"$WORK/body"
        [ "$(echo "$scripts" | sed -nE 's/^cmdstat_eval(sha)?:calls=([0-9]+),.*/\2/p' | awk '{ n += $1 } END { print n + 0 }')" \
            -gt 0 ] && pass || fail "the primary on $port ran no script of the server"
    done
    stop_server
}

for server in $SERVERS; do
    STEP="build $server"; STATUS=""; : >"$WORK/body"
    echo "http-test: building $server"
    # The scratch folder serves several root packages: SwiftPM can keep the build plan of the one built before, so
    # the plan is made anew (the compiled modules stay and are reused).
    rm -f "$SCRATCH"/*/debug/description.json
    swift build --package-path "$server" --scratch-path "$SCRATCH" "${FLAGS[@]}" --product "$server" ||
        { echo "http-test: build failed"; exit 1; }
    bin="$(swift build --package-path "$server" --scratch-path "$SCRATCH" "${FLAGS[@]}" --show-bin-path)/$server"
    run_server "$bin" || FAILED=$((FAILED + 1))
done

echo "http-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
