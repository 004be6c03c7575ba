import AuthKit
import AuthKitServer
import AuthKitTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /me, GET /sessions, DELETE /sessions/{id}")
struct AccountRouteTests {
    @Test func meShowsSubjectSessionAndPermissions() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let alice = try await client.login("alice")
            let response = try await client.execute("/me", token: alice.access_token)
            #expect(response.status == .ok)
            #expect(response.headers[.rateLimitPolicy] == "\"api\";q=600;w=60")
            #expect(response.headers[.rateLimit]?.hasPrefix("\"api\";r=599;") == true)
            let me = try response.decode(Me.self)
            #expect(me.sub == "alice")
            #expect(me.permissions == ["admin:*", "orders:*"])
            let sessions = try await client.execute("/sessions", token: alice.access_token)
                .decode([SessionEntry].self)
            #expect(sessions.map(\.id) == [me.sid])
            let bob = try await client.execute("/me", token: try await client.login("bob").access_token)
            #expect(try bob.decode(Me.self).permissions == ["orders:read"])
        }
    }

    @Test(arguments: [
        "", "Bearer", "Bearer ", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=", "Bearer a.b.c", "Bearer x y",
    ])
    func badAuthorizationHeaderIs401(header: String) async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let response = try await client.execute(uri: "/me", method: .get, headers: [.authorization: header])
            try response.expectInvalidToken()
        }
    }

    @Test func missingAuthorizationIs401() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            for uri in ["/me", "/sessions", "/admin"] {
                let response = try await client.execute(uri: uri, method: .get)
                try response.expectError(.unauthorized, "missing_credentials")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func expiredAndForeignTokensAre401() async throws {
        let harness = try await TestServer()
        let other = try await TestServer()
        let foreign = try await other.test { client in try await client.login("alice").access_token }
        try await harness.test { client in
            let alice = try await client.login("alice")
            // Signed by another server's key.
            try await client.execute("/me", token: foreign).expectInvalidToken()
            harness.clock.advance(by: .seconds(901))
            try await client.execute("/me", token: alice.access_token).expectInvalidToken()
        }
    }

    @Test func sessionsListEveryDeviceAndMarkTheCurrentOne() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let phone = try await client.login("alice", device: "phone")
            harness.clock.advance(by: .seconds(5))
            let laptop = try await client.login("alice", device: "laptop")
            _ = try await client.login("bob", device: "bob's phone")
            let response = try await client.execute("/sessions", token: laptop.access_token)
            #expect(response.status == .ok)
            #expect(response.headers[.rateLimit] != nil)
            let sessions = try response.decode([SessionEntry].self)
            #expect(sessions.map(\.device) == ["phone", "laptop"])
            #expect(sessions.map(\.current) == [false, true])
            #expect(sessions[0].created_at == "2026-01-01T00:00:00Z")
            #expect(sessions[1].created_at == "2026-01-01T00:00:05Z")
            #expect(sessions[0].last_seen == sessions[0].created_at)
            #expect(sessions.allSatisfy { $0.ip.isEmpty })  // the router test channel has no peer address
            let phoneSession = try await client.execute("/me", token: phone.access_token).decode(Me.self).sid
            #expect(sessions[0].id == phoneSession)
        }
    }

    @Test func deleteSessionEndsThatDevice() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let phone = try await client.login("alice", device: "phone")
            let laptop = try await client.login("alice", device: "laptop")
            let bob = try await client.login("bob")
            let phoneID = try await client.execute("/me", token: phone.access_token).decode(Me.self).sid
            let bobID = try await client.execute("/me", token: bob.access_token).decode(Me.self).sid
            // Bob cannot end Alice's session: it is looked up under his own user id.
            try await client.execute("/sessions/\(phoneID)", method: .delete, token: bob.access_token)
                .expectError(.notFound, "not_found")
            #expect(try await client.execute("/me", token: phone.access_token).status == .ok)

            let response = try await client.execute("/sessions/\(phoneID)", method: .delete, token: laptop.access_token)
            #expect(response.status == .noContent)
            try await client.execute("/me", token: phone.access_token).expectInvalidToken()
            try await client.post("/refresh", json: ["refresh_token": phone.refresh_token]).expectInvalidToken()
            try await client.execute("/sessions/\(phoneID)", method: .delete, token: laptop.access_token)
                .expectError(.notFound, "not_found")
            let left = try await client.execute("/sessions", token: laptop.access_token).decode([SessionEntry].self)
            #expect(left.map(\.device) == ["laptop"])
            #expect(try await client.execute("/me", token: bob.access_token).decode(Me.self).sid == bobID)
        }
    }

    @Test func unknownRouteIsJSON404() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            try await client.execute(uri: "/nowhere", method: .get).expectError(.notFound, "not_found")
        }
    }

    @Test func clientAddressIsRecordedOnALiveServer() async throws {
        let harness = try await TestServer()
        try await harness.server.application(
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        ).test(.live) { client in
            let alice = try await client.login("alice", device: "curl")
            let sessions = try await client.execute("/sessions", token: alice.access_token).decode([SessionEntry].self)
            #expect(sessions.map(\.ip) == ["127.0.0.1"])
        }
    }
}
