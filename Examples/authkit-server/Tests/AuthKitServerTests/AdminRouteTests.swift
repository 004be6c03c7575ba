import AuthKit
import AuthKitServer
import AuthKitTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /admin")
struct AdminRouteTests {
    @Test func adminNeedsAnAdminPermission() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let alice = try await client.execute("/admin", token: try await client.login("alice").access_token)
            #expect(alice.status == .ok)
            #expect(alice.headers[.rateLimit] != nil)
            let bob = try await client.execute("/admin", token: try await client.login("bob").access_token)
            try bob.expectError(.forbidden, "forbidden")
            #expect(bob.headers[.rateLimit] != nil)
        }
    }
}
