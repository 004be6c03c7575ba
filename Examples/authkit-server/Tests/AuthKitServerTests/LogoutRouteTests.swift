import AuthKit
import AuthKitServer
import AuthKitTesting
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /logout and /logout-everywhere")
struct LogoutRouteTests {
    @Test func logoutRefusesThatLoginOnly() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let phone = try await client.login("alice", device: "phone")
            let laptop = try await client.login("alice", device: "laptop")
            let response = try await client.execute("/logout", method: .post, token: phone.access_token)
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            try await client.execute("/me", token: phone.access_token).expectInvalidToken()
            try await client.execute("/logout", method: .post, token: phone.access_token).expectInvalidToken()
            try await client.post("/refresh", json: ["refresh_token": phone.refresh_token]).expectInvalidToken()
            #expect(try await client.execute("/me", token: laptop.access_token).status == .ok)
        }
    }

    @Test func logoutEverywhereRefusesEveryLogin() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let phone = try await client.login("alice", device: "phone")
            let laptop = try await client.login("alice", device: "laptop")
            let bob = try await client.login("bob")
            let response = try await client.execute("/logout-everywhere", method: .post, token: phone.access_token)
            #expect(response.status == .noContent)
            for tokens in [phone, laptop] {
                try await client.execute("/me", token: tokens.access_token).expectInvalidToken()
                try await client.post("/refresh", json: ["refresh_token": tokens.refresh_token]).expectInvalidToken()
            }
            #expect(try await client.execute("/me", token: bob.access_token).status == .ok)
            // A new login works again.
            harness.clock.advance(by: .seconds(1))
            let again = try await client.login("alice")
            #expect(try await client.execute("/me", token: again.access_token).status == .ok)
        }
    }

    @Test func logoutNeedsAToken() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            for uri in ["/logout", "/logout-everywhere"] {
                let response = try await client.execute(uri: uri, method: .post)
                try response.expectError(.unauthorized, "missing_credentials")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }
}
