import AuthKit

extension AuthKitHTTPConformance {
    static let revocationChecks: [HTTPCheck] = [
        HTTPCheck(name: "RFC 7009: revoking an access token refuses it, its login lives on") { app in
            let alice = try await app.login("alice")
            let revoked = try await app.revoke(alice.access, hint: "access_token")
            try app.expect(revoked.status == 200 && revoked.body.isEmpty, "revoke: \(revoked)")
            try app.expectRateLimitFields(revoked, "revoke")
            try app.expectInvalidToken(try await app.send("GET", "/me", token: alice.access))
            let next = try await app.refresh(alice.refresh)
            try app.expect((try await app.send("GET", "/me", token: next.access)).status == 200, "the login lives on")
        },
        HTTPCheck(name: "RFC 7009: revoking a refresh token ends its login, whatever the hint") { app in
            for hint in [nil, "refresh_token", "access_token", "something_else"] {
                let alice = try await app.login("alice")
                try app.expect(
                    (try await app.revoke(alice.refresh, hint: hint)).status == 200,
                    "revoke, hint \(hint ?? "none")"
                )
                try app.expectInvalidToken(
                    try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(alice.refresh)"}"#)
                )
                try app.expectInvalidToken(try await app.send("GET", "/me", token: alice.access))
            }
        },
        HTTPCheck(name: "RFC 7009: unknown, expired, revoked and forged tokens are 200 and change nothing") { app in
            let alice = try await app.login("alice")
            for token in ["garbage", "a.b.c", "akr1.x.y.z", "\(alice.access)x"] {
                try app.expect((try await app.revoke(token)).status == 200, "unknown token \(token.prefix(12))")
            }
            // The refresh token's user and session with another secret: a session id is no key.
            let parts = alice.refresh.split(separator: ".")
            let forged = "\(parts[0]).\(parts[1]).\(parts[2]).\(String(repeating: "A", count: 43))"
            try app.expect((try await app.revoke(forged, hint: "refresh_token")).status == 200, "forged")
            try app.expect((try await app.send("GET", "/me", token: alice.access)).status == 200, "the login lives on")
            try app.expect((try await app.revoke(alice.access)).status == 200, "revoked")
            try app.expect((try await app.revoke(alice.access)).status == 200, "revoked again")
            let bob = try await app.login("bob")
            app.clock.advance(by: .seconds(16 * 60))
            try app.expect((try await app.revoke(bob.access)).status == 200, "an expired token")
            try app.expect((try await app.refresh(bob.refresh)).access != bob.access, "bob's login lives on")
        },
        HTTPCheck(name: "RFC 7009: another user's refresh token is revoked by whoever presents it") { app in
            let alice = try await app.login("alice")
            let bob = try await app.login("bob")
            // Possession is the proof (a public client, RFC 7009 §5): the holder of a token can always use it up.
            try app.expect((try await app.revoke(alice.refresh, bearer: bob.access)).status == 200, "revoked")
            try app.expectInvalidToken(
                try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(alice.refresh)"}"#)
            )
            try app.expect((try await app.send("GET", "/me", token: bob.access)).status == 200, "bob's login lives on")
        },
        HTTPCheck(name: "RFC 7009: a request without a token, or with one twice, is 400 invalid_request") { app in
            try app.expectError(try await app.send("POST", "/revoke", form: []), 400, "invalid_request")
            try app.expectError(
                try await app.send("POST", "/revoke", form: [("token_type_hint", "access_token")]),
                400,
                "invalid_request"
            )
            try app.expectError(
                try await app.send("POST", "/revoke", form: [("token", "a"), ("token", "b")]),
                400,
                "invalid_request"
            )
        },
    ]

    static let introspectionChecks: [HTTPCheck] = [
        HTTPCheck(name: "RFC 7662: the caller must be authenticated") { app in
            let alice = try await app.login("alice")
            try app.expectError(try await app.introspect(alice.access, by: nil), 401, "missing_credentials")
            try app.expectInvalidToken(try await app.introspect(alice.access, by: "not.a.token"))
        },
        HTTPCheck(name: "RFC 7662: a caller's own tokens are described, whatever the hint") { app in
            let alice = try await app.login("alice")
            let access = try await app.introspect(alice.access, by: alice.access, hint: "refresh_token")
            try app.expect(
                access.status == 200 && access.header("Cache-Control") == "no-store",
                "introspect: \(access)"
            )
            let body = try app.object(access)
            try app.expect(body["active"] == true && body["token_type"] == "Bearer", "active access token: \(access)")
            try app.expect(body["sub"] == "alice" && body["tenant"] == "acme" && body["aud"] == "api", "\(access)")
            try app.expect(body["exp"]?.numberValue != nil && body["sid"]?.stringValue != nil, "exp and sid: \(access)")
            let refresh = try app.object(
                try await app.introspect(alice.refresh, by: alice.access, hint: "access_token")
            )
            try app.expect(refresh["active"] == true && refresh["token_type"] == "refresh_token", "\(refresh)")
            try app.expect(refresh["sub"] == "alice" && refresh["tenant"] == "acme", "the session's claims: \(refresh)")
        },
        HTTPCheck(name: "RFC 7662: unknown, expired, revoked and rotated tokens are {\"active\":false}") { app in
            let alice = try await app.login("alice")
            let carol = try await app.login("carol")
            for token in ["garbage", "\(alice.access)x", "akr1.x.y.z"] {
                let answer = try await app.introspect(token, by: carol.access)
                try app.expect(answer.status == 200 && answer.body == #"{"active":false}"#, "inactive: \(answer)")
            }
            let next = try await app.refresh(alice.refresh)
            try app.expect(
                (try await app.introspect(alice.refresh, by: carol.access)).body == #"{"active":false}"#,
                "a rotated refresh token"
            )
            _ = try await app.revoke(next.access)
            try app.expect(
                (try await app.introspect(next.access, by: carol.access)).body == #"{"active":false}"#,
                "a revoked access token"
            )
            app.clock.advance(by: .seconds(16 * 60))
            let fresh = try await app.login("carol")
            try app.expect(
                (try await app.introspect(alice.access, by: fresh.access)).body == #"{"active":false}"#,
                "an expired access token"
            )
        },
        HTTPCheck(name: "RFC 7662: another user's token is inactive unless the caller may introspect any") { app in
            let alice = try await app.login("alice")
            let bob = try await app.login("bob")
            let carol = try await app.login("carol")
            for token in [alice.access, alice.refresh] {
                let hidden = try await app.introspect(token, by: bob.access)
                try app.expect(hidden.body == #"{"active":false}"#, "another user's token, no permission: \(hidden)")
                let shown = try app.object(try await app.introspect(token, by: carol.access))
                try app.expect(shown["active"] == true && shown["sub"] == "alice", "with the permission: \(shown)")
            }
        },
    ]
}
