import AuthKit

extension AuthKitHTTPConformance {
    static let sessionChecks: [HTTPCheck] = [
        HTTPCheck(name: "sessions are listed and ended by their owner only") { app in
            let phone = try await app.login("alice", device: "phone")
            app.clock.advance(by: .seconds(1))
            let laptop = try await app.login("alice", device: "laptop")
            let bob = try await app.login("bob")
            let list = try await app.send("GET", "/sessions", token: laptop.access)
            try app.expect(list.status == 200, "sessions: \(list)")
            try app.expectRateLimitFields(list, "api")
            guard let entries = (try? JSONValue(parsing: list.body))?.arrayValue?.compactMap(\.objectValue),
                entries.count == 2
            else {
                throw ConformanceFailure(check: app.name, message: "two sessions expected: \(list)")
            }
            try app.expect(entries.map { $0["device"]?.stringValue ?? "" } == ["phone", "laptop"], "oldest first")
            try app.expect(entries.filter { $0["current"] == true }.count == 1, "one current session")
            try app.expect(entries.allSatisfy { $0["created_at"]?.stringValue?.hasSuffix("Z") == true }, "RFC 3339")
            let phoneID = entries[0]["id"]?.stringValue ?? ""
            try app.expectError(
                try await app.send("DELETE", "/sessions/\(phoneID)", token: bob.access),
                404,
                "not_found"
            )
            let ended = try await app.send("DELETE", "/sessions/\(phoneID)", token: laptop.access)
            try app.expect(ended.status == 204 && ended.body.isEmpty, "ended: \(ended)")
            try app.expectInvalidToken(try await app.send("GET", "/me", token: phone.access))
            try app.expectError(
                try await app.send("DELETE", "/sessions/\(phoneID)", token: laptop.access),
                404,
                "not_found"
            )
        },
        HTTPCheck(name: "logout ends one login, logout everywhere every one") { app in
            let alice = try await app.login("alice")
            let logout = try await app.send("POST", "/logout", token: alice.access)
            try app.expect(logout.status == 204 && logout.body.isEmpty, "logout: \(logout)")
            try app.expectInvalidToken(try await app.send("GET", "/me", token: alice.access))
            try app.expectInvalidToken(
                try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(alice.refresh)"}"#)
            )
            try app.expectError(try await app.send("POST", "/logout"), 401, "missing_credentials")
            let phone = try await app.login("bob", device: "phone")
            let laptop = try await app.login("bob", device: "laptop")
            let everywhere = try await app.send("POST", "/logout-everywhere", token: phone.access)
            try app.expect(everywhere.status == 204, "logout everywhere: \(everywhere)")
            try app.expectInvalidToken(try await app.send("GET", "/me", token: laptop.access))
            try app.expectInvalidToken(
                try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(laptop.refresh)"}"#)
            )
        },
    ]

    static let outageChecks: [HTTPCheck] = [
        HTTPCheck(name: "a store outage is 503 with Retry-After, never 401 and never 200") { app in
            let alice = try await app.login("alice")
            let other = try await app.login("alice")
            await app.outage()
            try app.expectOutage(try await app.send("GET", "/me", token: alice.access))
            try app.expectOutage(try await app.send("GET", "/sessions", token: alice.access))
            try app.expectOutage(try await app.send("GET", "/admin", token: alice.access))
            try app.expectOutage(try await app.send("POST", "/logout", token: alice.access))
            try app.expectOutage(
                try await app.send("POST", "/login", json: #"{"username":"bob","password":"bob-password"}"#)
            )
            try app.expectOutage(
                try await app.send("POST", "/refresh", json: #"{"refresh_token":"\#(alice.refresh)"}"#)
            )
            try app.expectOutage(try await app.revoke(other.access))
            try app.expectOutage(try await app.revoke(other.refresh))
            try app.expectOutage(try await app.introspect(other.access, by: alice.access))
            // What needs no store still answers: bad tokens are refused locally, the keys are published.
            try app.expectInvalidToken(try await app.send("GET", "/me", token: "a.b.c"))
            try app.expect((try await app.send("GET", "/.well-known/jwks.json")).status == 200, "jwks needs no store")
        }
    ]
}
