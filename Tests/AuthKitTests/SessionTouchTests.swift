import AuthKitTesting
import Logging
import MetricsTestKit
import ServiceLifecycle
import Testing

@testable import AuthKit

/// Coalesced session touches (`SessionTouch.coalesced`) over the instrumented in-memory store and a manual clock:
/// one touch write per session per interval, off the request path, never bringing back an ended session.
@Suite("Coalesced session touches")
struct SessionTouchTests {
    static let interval = Duration.seconds(60)
    static let idle = Duration.seconds(3600)

    /// An issuer (which writes no touch) and a verify-only `orders` service that coalesces its touches, over one
    /// instrumented store and one manual clock; the service reports to `metrics`.
    struct Fixture {
        let clock = ManualClock()
        let tokens: InstrumentedTokenStore
        let issuer: AuthKit
        let service: AuthKitVerifier
        let metrics = TestMetrics()

        init(maximumTrackedSessions: Int = SessionTouch.defaultMaximumTrackedSessions) async throws {
            let tokens = InstrumentedTokenStore(clock: clock.timeSource)
            self.tokens = tokens
            let store = AuthKitStore.instrumented(tokens)
            let key = try JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "k")
            issuer = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "https://login.example.com",
                    audience: "orders",
                    signingKeys: [key],
                    refreshIdleLifetime: SessionTouchTests.idle
                ),
                store: store,
                clock: clock.timeSource
            )
            service = try await AuthKitVerifier(
                configuration: AuthKitVerifierConfiguration(
                    issuer: "https://login.example.com",
                    audiences: ["orders"],
                    keys: .keySet(try JWTKeySet([key])),
                    sessionTouch: .coalesced(
                        interval: SessionTouchTests.interval,
                        maximumTrackedSessions: maximumTrackedSessions
                    )
                ),
                issuerAudiences: nil,
                store: store,
                clock: clock.timeSource,
                logger: Logger(label: "test"),
                metricsFactory: metrics
            )
        }

        var touches: SessionTouchCoalescer {
            get throws { try #require(service.sessionTouches) }
        }

        /// The session as the store has it now.
        func session(_ pair: TokenPair) async throws -> Session? {
            try await tokens.inner.session(userID: pair.session.userID, sessionID: pair.session.id)
        }

        func counter(_ result: String) throws -> Int64 {
            try metrics.expectCounter("authkit_session_touches_total", [("result", result)]).totalValue
        }

        /// Runs `body` while the service's `run()` runs (its touch writer started), then cancels it.
        func whileRunning(_ body: () async throws -> Void) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                let touches = try touches
                #expect(try await TestTiming.eventually { touches.isRunning }, "the touch writer did not start")
                try await body()
                group.cancelAll()
            }
        }

        /// Waits until no touch is pending or in flight (a liveness bound, not a speed assertion).
        func settle() async throws {
            let touches = try touches
            #expect(try await TestTiming.eventually { touches.isIdle }, "the touch writer did not settle")
        }
    }

    @Test func oneTouchWritePerSessionPerInterval() async throws {
        let fixture = try await Fixture()
        try await fixture.whileRunning {
            let pair = try await fixture.issuer.login(userID: "42")
            fixture.clock.advance(by: .seconds(600))
            let usedAt = fixture.clock.now
            let callsBefore = fixture.tokens.calls
            for _ in 0..<10 {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            try await fixture.settle()
            // Ten checks and one touch, and the touch slid the idle expiry from the first use.
            #expect(fixture.tokens.touches == 1)
            #expect(fixture.tokens.calls - callsBefore == 11)
            #expect(try fixture.counter("written") == 1)
            #expect(try fixture.counter("coalesced") == 9)
            let slid = try #require(try await fixture.session(pair))
            #expect(slid.lastSeenAt == usedAt)
            #expect(slid.expiresAt == usedAt + Self.idle)

            // Within the interval: nothing written.
            fixture.clock.advance(by: .seconds(59))
            _ = try await fixture.service.authenticate(token: pair.accessToken)
            try await fixture.settle()
            #expect(fixture.tokens.touches == 1)
            #expect(try await fixture.session(pair)?.lastSeenAt == usedAt)

            // Once the interval has passed, the next use touches again.
            fixture.clock.advance(by: .seconds(1))
            let nextUse = fixture.clock.now
            _ = try await fixture.service.authenticate(token: pair.accessToken)
            try await fixture.settle()
            #expect(fixture.tokens.touches == 2)
            #expect(try await fixture.session(pair)?.lastSeenAt == nextUse)
            #expect(try await fixture.session(pair)?.expiresAt == nextUse + Self.idle)
            #expect(try fixture.counter("written") == 2)
        }
    }

    @Test func eachSessionHasItsOwnInterval() async throws {
        let fixture = try await Fixture()
        try await fixture.whileRunning {
            let phone = try await fixture.issuer.login(userID: "42")
            let laptop = try await fixture.issuer.login(userID: "42")
            let other = try await fixture.issuer.login(userID: "7")
            for pair in [phone, laptop, other, phone, laptop, other] {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            try await fixture.settle()
            #expect(fixture.tokens.touches == 3)
            #expect(try fixture.counter("coalesced") == 3)
        }
    }

    @Test func anEndedSessionIsRefusedAndNeverTouchedBack() async throws {
        let fixture = try await Fixture()
        try await fixture.whileRunning {
            let pair = try await fixture.issuer.login(userID: "42")
            _ = try await fixture.service.authenticate(token: pair.accessToken)
            try await fixture.settle()
            #expect(fixture.tokens.touches == 1)
            try await fixture.issuer.logout(sessionID: pair.session.id, userID: "42")
            fixture.clock.advance(by: Self.interval)
            await expectAuthKitError(.sessionEnded) {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            try await fixture.settle()
            #expect(fixture.tokens.touches == 1, "a refused token schedules no touch")

            // A touch that reaches the store after its session ended (queued before the logout) writes nothing.
            let touches = try fixture.touches
            await touches.record(userID: "42", sessionID: pair.session.id)
            #expect(try await TestTiming.eventually { touches.counts.ended == 1 })
            #expect(try await fixture.session(pair) == nil)
            #expect(try await fixture.issuer.sessions(of: "42").isEmpty)
            await expectAuthKitError(.sessionEnded) {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            #expect(try fixture.counter("ended") == 1)
            #expect(try fixture.counter("written") == 1)
        }
    }

    @Test func withoutRunTheFirstUseOfAnIntervalTouchesInline() async throws {
        let fixture = try await Fixture()
        let pair = try await fixture.issuer.login(userID: "42")
        fixture.clock.advance(by: .seconds(600))
        let usedAt = fixture.clock.now
        for _ in 0..<5 {
            _ = try await fixture.service.authenticate(token: pair.accessToken)
        }
        // Written before the first authenticate returned: nothing to wait for.
        #expect(fixture.tokens.touches == 1)
        #expect(try await fixture.session(pair)?.lastSeenAt == usedAt)
        #expect(try fixture.counter("coalesced") == 4)
        fixture.clock.advance(by: Self.interval)
        _ = try await fixture.service.authenticate(token: pair.accessToken)
        #expect(fixture.tokens.touches == 2)
    }

    @Test func touchFailuresAreCountedAndNeverFailTheRequest() async throws {
        let fixture = try await Fixture()
        try await fixture.whileRunning {
            let pair = try await fixture.issuer.login(userID: "42")
            fixture.clock.advance(by: .seconds(600))
            fixture.tokens.setFailingTouches(true)
            let principal = try await fixture.service.authenticate(token: pair.accessToken)
            #expect(principal.sessionID == pair.session.id)
            let touches = try fixture.touches
            #expect(try await TestTiming.eventually { touches.counts.failed == 1 })
            #expect(try fixture.counter("failed") == 1)
            // The session did not slide, and is still accepted.
            #expect(try await fixture.session(pair)?.lastSeenAt == pair.session.lastSeenAt)
            _ = try await fixture.service.authenticate(token: pair.accessToken)

            // A store that cannot answer the check fails the request closed, as without touches, and schedules none.
            fixture.tokens.setFailing(true)
            fixture.clock.advance(by: Self.interval)
            await expectAuthKitError(.storeUnavailable) {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            try await fixture.settle()
            #expect(fixture.tokens.touches == 1)
            #expect(touches.counts.failed == 1)
        }
    }

    @Test func aFullWriterDropsNewSessionsUntilAnIntervalEnds() async throws {
        let fixture = try await Fixture(maximumTrackedSessions: 2)
        let first = try await fixture.issuer.login(userID: "1")
        let second = try await fixture.issuer.login(userID: "2")
        let third = try await fixture.issuer.login(userID: "3")
        for pair in [first, second, third] {
            _ = try await fixture.service.authenticate(token: pair.accessToken)
        }
        // The third is accepted, and not touched.
        #expect(fixture.tokens.touches == 2)
        #expect(try fixture.counter("dropped") == 1)
        fixture.clock.advance(by: Self.interval)
        _ = try await fixture.service.authenticate(token: third.accessToken)
        #expect(fixture.tokens.touches == 3)
        #expect(try await fixture.session(third)?.lastSeenAt == fixture.clock.now)
    }

    @Test func gracefulShutdownWritesThePendingTouches() async throws {
        let fixture = try await Fixture()
        let pairs = try await (0..<20).asyncMap { try await fixture.issuer.login(userID: "user\($0)") }
        fixture.clock.advance(by: .seconds(600))
        let usedAt = fixture.clock.now
        let group = ServiceGroup(
            configuration: .init(services: [fixture.service], logger: Logger(label: "test"))
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let touches = try fixture.touches
            #expect(try await TestTiming.eventually { touches.isRunning }, "the touch writer did not start")
            for pair in pairs {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            await group.triggerGracefulShutdown()
            _ = try await tasks.next()
        }
        #expect(fixture.tokens.touches == pairs.count)
        #expect(try fixture.counter("written") == Int64(pairs.count))
        for pair in pairs {
            #expect(try await fixture.session(pair)?.lastSeenAt == usedAt)
        }
    }

    @Test func touchSessionOnAuthenticateStillTouchesInTheCheck() async throws {
        var configuration = AuthKitVerifierConfiguration(
            issuer: "i",
            audiences: ["a"],
            keys: .keySet(try JWTKeySet()),
            touchSessionOnAuthenticate: true
        )
        #expect(configuration.sessionTouch == .everyRequest)
        configuration.sessionTouch = .coalesced(interval: .seconds(30))
        #expect(configuration.touchSessionOnAuthenticate)
        configuration.touchSessionOnAuthenticate = true
        #expect(configuration.sessionTouch.interval == .seconds(30), "setting true keeps a touching mode")
        configuration.touchSessionOnAuthenticate = false
        #expect(configuration.sessionTouch == .off)

        let harness = try await Harness(touchSessionOnAuthenticate: true)
        let pair = try await harness.auth.login(userID: "42")
        harness.clock.advance(by: .seconds(600))
        let calls = harness.tokens.calls
        for _ in 0..<3 {
            _ = try await harness.auth.authenticate(token: pair.accessToken)
        }
        // One store call per request, the check that touches: no separate touch, no coalescing.
        #expect(harness.tokens.calls - calls == 3)
        #expect(harness.tokens.touches == 0)
        #expect(try await harness.auth.sessions(of: "42").first?.lastSeenAt == harness.clock.now)
    }

    @Test(arguments: [Duration.zero, .seconds(-1), .seconds(3601)])
    func intervalsOutOfRangeAreRefused(interval: Duration) async throws {
        let error = await expectAuthKitError(.invalidConfiguration) {
            _ = try await AuthKitVerifier(
                configuration: AuthKitVerifierConfiguration(
                    issuer: "i",
                    audiences: ["a"],
                    keys: .keySet(try JWTKeySet()),
                    sessionTouch: .coalesced(interval: interval)
                )
            )
        }
        #expect(error?.message.contains("session touch interval") == true)
    }

    @Test func anIntervalOverHalfTheIdleLifetimeIsRefused() async throws {
        let key = try JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "k")
        func issuer(idle: Duration, interval: Duration) async throws {
            _ = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "i",
                    audience: "a",
                    signingKeys: [key],
                    refreshIdleLifetime: idle,
                    sessionTouch: .coalesced(interval: interval)
                )
            )
        }
        try await issuer(idle: .seconds(600), interval: .seconds(300))
        let error = await expectAuthKitError(.invalidConfiguration) {
            try await issuer(idle: .seconds(600), interval: .seconds(301))
        }
        #expect(error?.message.contains("half the sessions' idle lifetime") == true)
        await expectAuthKitError(.invalidConfiguration) {
            _ = try await AuthKitVerifier(
                configuration: AuthKitVerifierConfiguration(
                    issuer: "i",
                    audiences: ["a"],
                    keys: .keySet(try JWTKeySet()),
                    sessionTouch: .coalesced(interval: .seconds(1), maximumTrackedSessions: 0)
                )
            )
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
