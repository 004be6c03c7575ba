import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import Logging
import RedisClient
import ServiceLifecycle
import Testing

@testable import AuthKit

/// Coalesced session touches against a real `redis-server`: the request path stays the one-`MGET` check, and each
/// session costs one touch script run per interval, counted by the server itself (`INFO commandstats`).
@Suite("Coalesced session touches over Redis")
struct SessionTouchOverRedisTests {
    static let interval = Duration.seconds(60)
    static let idle = Duration.seconds(3600)
    private static let key: JWTKey? = try? JWTKey.hs256([UInt8](repeating: 0x24, count: 32), kid: "k1")

    private static func makeAuth(_ url: String, prefix: String, clock: ManualClock) async throws -> AuthKit {
        try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try #require(key)],
                refreshIdleLifetime: idle,
                keyPrefix: prefix,
                sessionTouch: .coalesced(interval: interval)
            ),
            store: .redis(url: url),
            clock: clock.timeSource
        )
    }

    /// Runs `body` while `auth.run()` runs (its touch writer started), then cancels it.
    private static func whileRunning(_ auth: AuthKit, _ body: () async throws -> Void) async throws {
        let touches = try #require(auth.verifier.sessionTouches)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await auth.run() }
            #expect(try await TestTiming.eventually { touches.isRunning }, "the touch writer did not start")
            try await body()
            group.cancelAll()
        }
    }

    private static func settle(_ auth: AuthKit) async throws {
        let touches = try #require(auth.verifier.sessionTouches)
        #expect(try await TestTiming.eventually { touches.isIdle }, "the touch writer did not settle")
    }

    /// What the server ran between two `INFO commandstats` readings, but the probe's own `INFO`.
    private static func delta(_ before: [String: Int], _ after: [String: Int]) -> [String: Int] {
        var delta: [String: Int] = [:]
        for (command, calls) in after where command != "info" && calls != before[command, default: 0] {
            delta[command] = calls - before[command, default: 0]
        }
        return delta
    }

    @Test func oneTouchScriptPerSessionPerInterval() async throws {
        try await withRedisURL { url in
            let clock = ManualClock()
            let auth = try await Self.makeAuth(url, prefix: uniquePrefix(), clock: clock)
            let probe = try RedisClient(url: url)
            try await Self.whileRunning(auth) {
                let pair = try await auth.login(userID: "42")
                _ = try await auth.authenticate(token: pair.accessToken)  // the touch script's cache warm
                try await Self.settle(auth)
                clock.advance(by: .seconds(600))
                let usedAt = clock.now
                let before = try await commandCalls(probe)
                for _ in 0..<10 {
                    _ = try await auth.authenticate(token: pair.accessToken)
                }
                try await Self.settle(auth)
                let after = try await commandCalls(probe)
                // Ten read-only checks (one MGET each) and one run of the touch script (the server also counts the
                // commands the script runs, under their own names).
                #expect(Self.delta(before, after)["mget"] == 10)
                #expect(Self.delta(before, after)["evalsha"] == 1)
                #expect(Self.delta(before, after)["eval"] == nil)
                let session = try #require(try await auth.sessions(of: "42").first)
                #expect(session.lastSeenAt == usedAt)
                #expect(session.expiresAt == usedAt + Self.idle)

                clock.advance(by: Self.interval - .seconds(1))
                let beforeWithin = try await commandCalls(probe)
                _ = try await auth.authenticate(token: pair.accessToken)
                try await Self.settle(auth)
                #expect(Self.delta(beforeWithin, try await commandCalls(probe)) == ["mget": 1], "a read, no write")

                clock.advance(by: .seconds(1))
                let nextUse = clock.now
                let beforeNext = try await commandCalls(probe)
                _ = try await auth.authenticate(token: pair.accessToken)
                try await Self.settle(auth)
                let next = Self.delta(beforeNext, try await commandCalls(probe))
                #expect(next["mget"] == 1)
                #expect(next["evalsha"] == 1)
                #expect(try await auth.sessions(of: "42").first?.lastSeenAt == nextUse)
            }
            await probe.shutdown()
        }
    }

    @Test func anEndedSessionIsRefusedAndNeverTouchedBack() async throws {
        try await withRedisURL { url in
            let clock = ManualClock()
            let auth = try await Self.makeAuth(url, prefix: uniquePrefix(), clock: clock)
            let touches = try #require(auth.verifier.sessionTouches)
            try await Self.whileRunning(auth) {
                let pair = try await auth.login(userID: "42")
                _ = try await auth.authenticate(token: pair.accessToken)
                try await Self.settle(auth)
                try await auth.logout(sessionID: pair.session.id, userID: "42")
                clock.advance(by: Self.interval)
                #expect(
                    await authKitErrorCode { _ = try await auth.authenticate(token: pair.accessToken) } == .sessionEnded
                )
                // A touch queued before the logout reaches the store after it: the script writes nothing.
                await touches.record(userID: "42", sessionID: pair.session.id)
                #expect(try await TestTiming.eventually { touches.counts.ended == 1 })
                #expect(try await auth.sessions(of: "42").isEmpty)
                #expect(
                    await authKitErrorCode { _ = try await auth.authenticate(token: pair.accessToken) } == .sessionEnded
                )
                #expect(touches.counts.written == 1)
            }
        }
    }

    @Test func withRedisStoppedRequestsFailClosedAndTouchesAreCountedFailed() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        let clock = ManualClock()
        let auth = try await Self.makeAuth(server.url, prefix: uniquePrefix(), clock: clock)
        let touches = try #require(auth.verifier.sessionTouches)
        try await Self.whileRunning(auth) {
            let pair = try await auth.login(userID: "42")
            _ = try await auth.authenticate(token: pair.accessToken)
            try await Self.settle(auth)
            #expect(touches.counts.written == 1)
            await server.stop()
            clock.advance(by: Self.interval)
            #expect(
                await authKitErrorCode { _ = try await auth.authenticate(token: pair.accessToken) } == .storeUnavailable
            )
            // The check failed closed, so that request scheduled no touch; a touch scheduled just before the outage
            // fails in the background and is counted.
            #expect(touches.counts.failed == 0)
            await touches.record(userID: "42", sessionID: pair.session.id)
            #expect(try await TestTiming.eventually { touches.counts.failed == 1 })
        }
    }

    @Test func gracefulShutdownWritesThePendingTouchesBeforeTheStoreCloses() async throws {
        try await withRedisURL { url in
            let clock = ManualClock()
            let prefix = uniquePrefix()
            let auth = try await Self.makeAuth(url, prefix: prefix, clock: clock)
            let users = (0..<50).map { "user\($0)" }
            var pairs: [TokenPair] = []
            for user in users { pairs.append(try await auth.login(userID: user)) }
            clock.advance(by: .seconds(600))
            let usedAt = clock.now
            let group = ServiceGroup(configuration: .init(services: [auth], logger: Logger(label: "test")))
            let touches = try #require(auth.verifier.sessionTouches)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(try await TestTiming.eventually { touches.isRunning }, "the touch writer did not start")
                for pair in pairs {
                    _ = try await auth.authenticate(token: pair.accessToken)
                }
                await group.triggerGracefulShutdown()
                _ = try await tasks.next()
            }
            #expect(touches.counts.written == pairs.count)
            #expect(touches.counts.failed == 0)
            // Read back through a second instance: every session slid.
            let reader = try await Self.makeAuth(url, prefix: prefix, clock: clock)
            for user in users {
                #expect(try await reader.sessions(of: user).first?.lastSeenAt == usedAt, "\(user)")
            }
            await reader.shutdown()
        }
    }
}
