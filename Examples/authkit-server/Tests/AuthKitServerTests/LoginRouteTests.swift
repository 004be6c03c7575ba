import AuthKit
import AuthKitServer
import AuthKitTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /login")
struct LoginRouteTests {
    @Test func demoUsersLogIn() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            for user in ["alice", "bob"] {
                let response = try await client.post(
                    "/login",
                    json: ["username": user, "password": "\(user)-password", "device": "Pixel 9"]
                )
                #expect(response.status == .ok)
                let tokens = try response.decode(Tokens.self)
                #expect(tokens.token_type == "Bearer")
                #expect(tokens.expires_in == 900)
                #expect(tokens.access_token.split(separator: ".").count == 3)
                #expect(tokens.refresh_token.count >= 43)
                let me = try await client.execute("/me", token: tokens.access_token).decode(Me.self)
                #expect(me.sub == user)
            }
        }
    }

    @Test(arguments: [
        ["username": "alice", "password": "bob-password"],
        ["username": "alice", "password": "alice-password "],
        ["username": "alice", "password": ""],
        ["username": "Alice", "password": "alice-password"],
        ["username": "carol", "password": "carol-password"],
    ])
    func wrongCredentialsAre401(body: [String: String]) async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let response = try await client.post("/login", json: body)
            try response.expectError(.unauthorized, "invalid_credentials")
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(response.headers[.rateLimit] != nil)
        }
    }

    @Test func malformedBodyIs400() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            try await client.post("/login", json: ["username": "alice"]).expectError(.badRequest, "bad_request")
            let response = try await client.execute(
                uri: "/login",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{not json")
            )
            try response.expectError(.badRequest, "bad_request")
        }
    }

    @Test func fiveAttemptsPerUsernamePerMinuteThen429() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            for attempt in 1...5 {
                let response = try await client.post("/login", json: ["username": "alice", "password": "guess"])
                try response.expectError(.unauthorized, "invalid_credentials")
                #expect(response.headers[.rateLimitPolicy] == "\"login\";q=5;w=60")
                #expect(
                    response.headers[.rateLimit]?.hasPrefix("\"login\";r=\(5 - attempt);") == true
                )
            }
            // The right password does not help once the limit is reached: guessing stays slow.
            let refused = try await client.post("/login", json: ["username": "alice", "password": "alice-password"])
            try refused.expectError(.tooManyRequests, "rate_limited")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...120).contains(retryAfter))  // the sliding window may need most of two minutes
            #expect(refused.headers[.rateLimitPolicy] != nil)
            // Another username is counted on its own.
            _ = try await client.login("bob")
            // The sliding window weighs the previous minute in: right after it, alice is still refused.
            harness.clock.advance(by: .seconds(61))
            try await client.post("/login", json: ["username": "alice", "password": "alice-password"])
                .expectError(.tooManyRequests, "rate_limited")
            harness.clock.advance(by: .seconds(60))
            _ = try await client.login("alice")
        }
    }
}
