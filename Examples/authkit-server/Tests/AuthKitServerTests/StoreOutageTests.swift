import AuthKit
import AuthKitRedis
import AuthKitServer
import AuthKitTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("503 when the store cannot be reached")
struct StoreOutageTests {
    @Test func everyRouteThatNeedsTheStoreAnswers503() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let alice = try await client.login("alice")
            harness.tokens.setFailing(true)
            // Authenticated routes fail closed: never a 200 for a token whose revocation cannot be checked.
            for (uri, method) in [
                ("/me", HTTPRequest.Method.get), ("/sessions", .get), ("/admin", .get), ("/logout", .post),
                ("/logout-everywhere", .post), ("/sessions/x", .delete),
            ] {
                let response = try await client.execute(uri, method: method, token: alice.access_token)
                try response.expectError(.serviceUnavailable, "store_unavailable")
                #expect(response.headers[.retryAfter] == "5")
                // Store internals are for the log, not for clients.
                #expect(!String(buffer: response.body).contains("Unreachable"))
            }
            try await client.post("/login", json: ["username": "bob", "password": "bob-password"])
                .expectError(.serviceUnavailable, "store_unavailable")
            try await client.post("/refresh", json: ["refresh_token": alice.refresh_token])
                .expectError(.serviceUnavailable, "store_unavailable")
            // Wrong credentials are still wrong, store or not; local checks still refuse bad tokens.
            try await client.post("/login", json: ["username": "bob", "password": "nope"])
                .expectError(.unauthorized, "invalid_credentials")
            try await client.execute("/me", token: "a.b.c").expectInvalidToken()
            // The JWKS needs no store.
            #expect(try await client.execute(uri: "/.well-known/jwks.json", method: .get).status == .ok)

            harness.tokens.setFailing(false)
            #expect(try await client.execute("/me", token: alice.access_token).status == .ok)
        }
    }

    /// The permission cache is only a cache: without it, permissions come from the user directory, and the
    /// decisions stay right.
    @Test func permissionCacheOutageFallsBackToTheDirectory() async throws {
        let clock = ManualClock()
        let store = AuthKitStore(name: "no permissions") { _, timeSource in
            AuthKitStore.Backends(
                tokens: InMemoryTokenStore(clock: timeSource),
                rateLimits: InMemoryRateLimitStore(clock: timeSource),
                permissions: UnreachablePermissionStore()
            )
        }
        let server = try await AuthServer(
            algorithm: .hs256,
            store: store,
            clock: clock.timeSource
        )
        try await server.application(configuration: ApplicationConfiguration()).test(.router) { client in
            let alice = try await client.login("alice")
            #expect(try await client.execute("/admin", token: alice.access_token).status == .ok)
            let me = try await client.execute("/me", token: alice.access_token).decode(Me.self)
            #expect(me.permissions == ["admin:*", "orders:*"])
            let bob = try await client.login("bob")
            try await client.execute("/admin", token: bob.access_token).expectError(.forbidden, "forbidden")
        }
    }

    @Test func redisGoingAwayIs503() async throws {
        let redis = try await RedisTestServer.start()
        do {
            let server = try await AuthServer(
                algorithm: .hs256,
                store: .redis(url: redis.url)
            )
            let application = server.application(
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
            )
            // `.live` runs the application's services, AuthKit (and so the Redis connection pool) among them.
            try await application.test(.live) { client in
                let alice = try await client.login("alice")
                let me = try await client.execute("/me", token: alice.access_token)
                #expect(me.status == .ok)
                #expect(try me.decode(Me.self).sub == "alice")
                await redis.kill()
                let response = try await client.execute("/me", token: alice.access_token)
                try response.expectError(.serviceUnavailable, "store_unavailable")
                try await client.post("/refresh", json: ["refresh_token": alice.refresh_token])
                    .expectError(.serviceUnavailable, "store_unavailable")
            }
        } catch {
            await redis.stop()
            throw error
        }
        await redis.stop()
    }
}
