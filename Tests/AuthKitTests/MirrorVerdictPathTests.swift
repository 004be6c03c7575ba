import AuthKitClock
import AuthKitTesting
import InMemoryTracing
import Logging
import MetricsTestKit
import Synchronization
import Testing
import Tracing

@testable import AuthKit

/// How `authenticate` uses a revocation mirror's verdict, on both of its paths (without a tracer it never suspends;
/// with one it runs inside a span): the mirror is asked once per check, its answer is the check's when it gives one,
/// and a check it refers goes to the store once, counted once.
@Suite("authenticate with a mirror's verdict")
struct MirrorVerdictPathTests {
    /// A mirror that gives one scripted verdict and counts the times it was asked.
    final class ScriptedMirror: AccessCheckMirror {
        let answer: RevocationMirrorState.Verdict
        /// How many times it was asked, and the instant it was last asked at.
        private struct Asked {
            var times = 0
            var at: UnixTime?
        }

        private let asked = Mutex(Asked())

        init(_ answer: RevocationMirrorState.Verdict) {
            self.answer = answer
        }

        var times: Int { asked.withLock { $0.times } }
        var lastAskedAt: UnixTime? { asked.withLock { $0.at } }

        func verdict(for check: AccessCheck, expiresAt: UnixTime, at now: UnixTime) -> RevocationMirrorState.Verdict {
            asked.withLock {
                $0.times += 1
                $0.at = now
            }
            return answer
        }

        func run() async throws {}
    }

    /// An issuer and a verify-only service over one instrumented in-memory store, the service with `mirror`.
    struct Fixture {
        let clock = ManualClock()
        let tokens: InstrumentedTokenStore
        let issuer: AuthKit
        let service: AuthKitVerifier
        let metrics = TestMetrics()

        init(_ mirror: ScriptedMirror) async throws {
            let tokens = InstrumentedTokenStore(clock: clock.timeSource)
            self.tokens = tokens
            let store = AuthKitStore(name: "mirrored") { _, timeSource in
                var backends = AuthKitStore.Backends(
                    tokens: tokens,
                    rateLimits: InMemoryRateLimitStore(clock: timeSource),
                    permissions: InMemoryPermissionStore(clock: timeSource)
                )
                backends.revocationMirror = { _, _ in mirror }
                return backends
            }
            let key = try JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "k")
            issuer = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "https://login.example.com",
                    audience: "orders",
                    signingKeys: [key]
                ),
                store: .instrumented(tokens),
                clock: clock.timeSource
            )
            var configuration = AuthKitVerifierConfiguration(
                issuer: "https://login.example.com",
                audiences: ["orders"],
                keys: .keySet(try JWTKeySet([key]))
            )
            configuration.revocationMirror = RevocationMirrorPolicy()
            service = try await AuthKitVerifier(
                configuration: configuration,
                issuerAudiences: nil,
                store: store,
                clock: clock.timeSource,
                logger: Logger(label: "test"),
                metricsFactory: metrics
            )
        }

        func checks(_ result: String) throws -> Int64 {
            try metrics.expectCounter("authkit_mirror_checks_total", [("result", result)]).totalValue
        }
    }

    /// Runs `body` without a tracer, then again in a fresh fixture whose service was made under one.
    private static func onBothPaths(
        _ answer: RevocationMirrorState.Verdict,
        _ body: (Fixture, ScriptedMirror) async throws -> Void
    ) async throws {
        let plain = ScriptedMirror(answer)
        try await body(try await Fixture(plain), plain)
        let traced = ScriptedMirror(answer)
        let fixture = try await withTracer(InMemoryTracer()) { try await Fixture(traced) }
        try await body(fixture, traced)
    }

    @Test("a check the mirror refers is asked of it once, counted once, and answered by the store once")
    func referredOnce() async throws {
        try await Self.onBothPaths(.refer(.stale)) { fixture, mirror in
            let pair = try await fixture.issuer.login(userID: "ann")
            let before = fixture.tokens.calls
            let principal = try await fixture.service.authenticate(token: pair.accessToken)
            #expect(principal.userID == "ann")
            #expect(mirror.times == 1)
            #expect(try fixture.checks("stale") == 1)
            #expect(fixture.tokens.calls == before + 1)
        }
    }

    @Test("a check the mirror answers is not asked of the store")
    func servedByTheMirror() async throws {
        try await Self.onBothPaths(.status(.valid)) { fixture, mirror in
            let pair = try await fixture.issuer.login(userID: "ann")
            let before = fixture.tokens.calls
            _ = try await fixture.service.authenticate(token: pair.accessToken)
            fixture.clock.advance(by: .seconds(7))
            _ = try await fixture.service.authenticate(token: pair.accessToken)
            #expect(mirror.times == 2)
            #expect(try fixture.checks("served") == 2)
            #expect(fixture.tokens.calls == before)
            // Judged at the verifier's reading of the shared clock, taken when it checked the token's time claims.
            #expect(mirror.lastAskedAt == fixture.clock.now)
            // With a metrics backend, each authenticate is timed.
            #expect(try fixture.metrics.expectTimer("authkit_authenticate_duration").values.count == 2)
        }
    }

    @Test("the mirror's refusal is the check's, with its error and no store call")
    func refusedByTheMirror() async throws {
        try await Self.onBothPaths(.status(.sessionEnded)) { fixture, mirror in
            let pair = try await fixture.issuer.login(userID: "ann")
            let before = fixture.tokens.calls
            let error = await #expect(throws: AuthKitError.self) {
                _ = try await fixture.service.authenticate(token: pair.accessToken)
            }
            #expect(error?.code == .sessionEnded)
            #expect(mirror.times == 1)
            #expect(fixture.tokens.calls == before)
        }
    }
}
