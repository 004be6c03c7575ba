import AuthKit

extension AuthKitHTTPConformance {
    static let tokenChecks: [HTTPCheck] = [
        HTTPCheck(name: "login answers a token response; refresh rotates and keeps the login's claims") { app in
            let login = try await app.send(
                "POST",
                "/login",
                json: #"{"username":"alice","password":"alice-password","device":"phone"}"#
            )
            try app.expect(login.status == 200, "login: \(login)")
            let body = try app.object(login)
            try app.expect(body["token_type"] == "Bearer" && body["expires_in"] == 900, "token response: \(login)")
            try app.expect(login.header("RateLimit-Policy") == #""login";q=5;w=60"#, "login limit: \(login.headers)")
            try app.expectRateLimitFields(login, "login", remaining: 4)
            let access = try app.string(login, "access_token")
            let refresh = try app.string(login, "refresh_token")
            let me = try await app.send("GET", "/me", token: access)
            try app.expect(me.status == 200 && (try app.string(me, "sub")) == "alice", "me: \(me)")
            try app.expectRateLimitFields(me, "api")
            let refreshed = try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(refresh)"}"#)
            try app.expect(refreshed.status == 200, "refresh: \(refreshed)")
            try app.expectRateLimitFields(refreshed, "refresh")
            let next = try app.string(refreshed, "refresh_token")
            try app.expect(next != refresh, "the refresh token rotates")
            let again = try await app.send("GET", "/me", token: try app.string(refreshed, "access_token"))
            try app.expect((try app.string(again, "tenant")) == "acme", "the login's claims survive refresh: \(again)")
            // A replayed refresh token is taken as stolen: 401, and the whole login ends.
            try app.expectInvalidToken(
                try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(refresh)"}"#)
            )
            try app.expectInvalidToken(try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(next)"}"#))
        },
        HTTPCheck(name: "wrong credentials are 401, unreadable bodies 400") { app in
            let wrong = try await app.send("POST", "/login", json: #"{"username":"alice","password":"nope"}"#)
            try app.expectError(wrong, 401, "invalid_credentials")
            try app.expect(wrong.header("WWW-Authenticate") == "Bearer", "a Bearer challenge: \(wrong.headers)")
            try app.expectRateLimitFields(wrong, "login")
            try app.expectError(try await app.send("POST", "/login", json: "{not json"), 400, "bad_request")
            try app.expectError(
                try await app.send("POST", "/login", json: #"{"username":"alice"}"#),
                400,
                "bad_request"
            )
            let long = String(repeating: "x", count: 129)
            let tooLong = try await app.send("POST", "/login", json: #"{"username":"\#(long)","password":"x"}"#)
            try app.expectError(tooLong, 400, "bad_request")
            try app.expectError(try await app.send("POST", "/refresh", json: #"{"token":"x"}"#), 400, "bad_request")
            try app.expectInvalidToken(try await app.send("POST", "/refresh", json: #"{"refresh_token":"akr1.x"}"#))
        },
        HTTPCheck(name: "five logins per username per minute, then 429 with Retry-After") { app in
            for attempt in 1...5 {
                let response = try await app.send("POST", "/login", json: #"{"username":"alice","password":"guess"}"#)
                try app.expectError(response, 401, "invalid_credentials")
                try app.expectRateLimitFields(response, "login", remaining: 5 - attempt)
            }
            let refused = try await app.send(
                "POST",
                "/login",
                json: #"{"username":"alice","password":"alice-password"}"#
            )
            try app.expectError(refused, 429, "rate_limited")
            let retryAfter = Int(refused.header("Retry-After") ?? "") ?? 0
            try app.expect((1...120).contains(retryAfter), "Retry-After within the sliding window, got \(retryAfter)")
            try app.expectRateLimitFields(refused, "login", remaining: 0)
            // Another username is counted on its own. (The window's end is the limiter's own tests' business: the
            // Redis store counts by the server's clock, which a check cannot move.)
            _ = try await app.login("bob")
        },
        HTTPCheck(name: "no credentials is 401 with a bare Bearer challenge; a bad token 401 invalid_token") { app in
            let missing = try await app.send("GET", "/me")
            try app.expectError(missing, 401, "missing_credentials")
            try app.expect(missing.header("WWW-Authenticate") == "Bearer", "RFC 6750 §3.1: \(missing.headers)")
            let tokens = try await app.login("alice")
            for bad in ["Bearer not.a.jwt", "Bearer \(tokens.access)x", "Basic YWxpY2U6eA==", "Bearer", "bearer  a b"] {
                try app.expectInvalidToken(try await app.send("GET", "/me", authorization: bad))
            }
            try app.expect(
                (try await app.send("GET", "/me", authorization: "bEaReR \(tokens.access)")).status == 200,
                "case"
            )
            app.clock.advance(by: .seconds(16 * 60))
            try app.expectInvalidToken(try await app.send("GET", "/me", token: tokens.access))
        },
        HTTPCheck(name: "a limit on the client address; unknown routes are 404 in the same JSON") { app in
            for remaining in [1, 0] {
                let response = try await app.send("GET", "/public")
                try app.expect(response.status == 200, "public: \(response)")
                try app.expectRateLimitFields(response, "public", remaining: remaining)
            }
            let refused = try await app.send("GET", "/public")
            try app.expectError(refused, 429, "rate_limited")
            try app.expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1, "Retry-After: \(refused.headers)")
            try app.expectError(try await app.send("GET", "/nowhere"), 404, "not_found")
        },
        HTTPCheck(name: "the JWKS is public and holds no secret") { app in
            let response = try await app.send("GET", "/.well-known/jwks.json")
            try app.expect(response.status == 200, "jwks: \(response)")
            try app.expect(response.header("Content-Type")?.hasPrefix("application/json") == true, "JSON")
            try app.expect(response.header("Cache-Control")?.hasPrefix("max-age=") == true, "max-age")
            try app.expect(response.body == #"{"keys":[]}"#, "an HMAC secret is never published: \(response)")
        },
    ]

    static let guardChecks: [HTTPCheck] = [
        HTTPCheck(name: "a permission guard is 403 insufficient_scope naming the permissions") { app in
            let alice = try await app.login("alice")
            let bob = try await app.login("bob")
            try app.expect((try await app.send("GET", "/admin", token: alice.access)).status == 200, "alice is admin")
            let admin = try await app.send("GET", "/admin", token: bob.access)
            try app.expectError(admin, 403, "forbidden")
            try app.expect(
                admin.header("WWW-Authenticate") == #"Bearer error="insufficient_scope", scope="admin:dashboard""#,
                "the insufficient_scope challenge: \(admin.headers)"
            )
            let orders = try await app.send("GET", "/orders", token: bob.access)
            try app.expectError(orders, 403, "forbidden")
            try app.expect(
                orders.header("WWW-Authenticate")?.hasSuffix(#"scope="orders:write orders:admin""#) == true,
                "any of two permissions: \(orders.headers)"
            )
            try app.expect((try await app.send("GET", "/orders", token: alice.access)).status == 200, "orders:*")
            try app.expectError(try await app.send("GET", "/admin"), 401, "missing_credentials")
        }
    ]
}
