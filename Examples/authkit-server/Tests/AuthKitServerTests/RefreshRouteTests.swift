import AuthKit
import AuthKitServer
import AuthKitTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /refresh")
struct RefreshRouteTests {
    @Test func refreshRotates() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let first = try await client.login("bob")
            let response = try await client.post("/refresh", json: ["refresh_token": first.refresh_token])
            #expect(response.status == .ok)
            #expect(response.headers[.rateLimitPolicy] == "\"refresh\";q=60;w=60")
            let second = try response.decode(Tokens.self)
            #expect(second.token_type == "Bearer")
            #expect(second.expires_in == 900)
            #expect(second.refresh_token != first.refresh_token)
            let me = try await client.execute("/me", token: second.access_token).decode(Me.self)
            #expect(me.sub == "bob")
        }
    }

    @Test func replayedRefreshTokenEndsTheLogin() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let login = try await client.login("alice")
            let other = try await client.login("alice", device: "laptop")
            let rotated = try await client.post("/refresh", json: ["refresh_token": login.refresh_token])
                .decode(Tokens.self)
            try await client.post("/refresh", json: ["refresh_token": login.refresh_token]).expectInvalidToken()
            // The whole login is gone: its newest refresh token and its access tokens are refused.
            try await client.post("/refresh", json: ["refresh_token": rotated.refresh_token]).expectInvalidToken()
            try await client.execute("/me", token: rotated.access_token).expectInvalidToken()
            try await client.execute("/me", token: login.access_token).expectInvalidToken()
            // Another login of the same user is untouched.
            #expect(try await client.execute("/me", token: other.access_token).status == .ok)
        }
    }

    @Test(arguments: ["", "not-a-refresh-token", String(repeating: "A", count: 43)])
    func unknownRefreshTokenIs401(token: String) async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            try await client.post("/refresh", json: ["refresh_token": token]).expectInvalidToken()
        }
    }

    @Test func missingFieldIs400() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            try await client.post("/refresh", json: ["token": "x"]).expectError(.badRequest, "bad_request")
        }
    }
}
