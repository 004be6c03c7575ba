import AuthKit
import AuthKitTesting
import Synchronization

/// A token store that forwards to a real in-memory store, counts calls, and can be switched to fail like an
/// unreachable server.
final class InstrumentedTokenStore: TokenStore {
    struct Unreachable: Error {}

    let inner: InMemoryTokenStore
    private let state = Mutex((calls: 0, failing: false))

    init(clock: WallClock) {
        inner = InMemoryTokenStore(clock: clock)
    }

    var calls: Int { state.withLock { $0.calls } }

    func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    private func enter() throws {
        let failing = state.withLock { state in
            state.calls += 1
            return state.failing
        }
        if failing { throw Unreachable() }
    }

    func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool {
        try enter()
        return try await inner.revoke(jti: jti, userID: userID, expiresAt: expiresAt)
    }

    func logOutEverywhere(userID: String, retention: Duration) async throws -> Int {
        try enter()
        return try await inner.logOutEverywhere(userID: userID, retention: retention)
    }

    func epoch(userID: String) async throws -> UnixTime? {
        try enter()
        return try await inner.epoch(userID: userID)
    }

    func createSession(_ request: NewSession) async throws -> SessionGrant {
        try enter()
        return try await inner.createSession(request)
    }

    func rotate(refreshToken presented: String) async throws -> RefreshOutcome {
        try enter()
        return try await inner.rotate(refreshToken: presented)
    }

    func sessions(userID: String) async throws -> [Session] {
        try enter()
        return try await inner.sessions(userID: userID)
    }

    func session(userID: String, sessionID: String) async throws -> Session? {
        try enter()
        return try await inner.session(userID: userID, sessionID: sessionID)
    }

    func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try enter()
        return try await inner.touchSession(userID: userID, sessionID: sessionID)
    }

    func revokeSession(userID: String, sessionID: String) async throws -> Bool {
        try enter()
        return try await inner.revokeSession(userID: userID, sessionID: sessionID)
    }

    func revokeAllSessions(userID: String) async throws -> Int {
        try enter()
        return try await inner.revokeAllSessions(userID: userID)
    }

    func check(_ check: AccessCheck) async throws -> AccessStatus {
        try enter()
        return try await inner.check(check)
    }
}

/// An AuthKit instance over in-memory stores and a manual clock, with the token store instrumented.
struct Harness {
    let clock = ManualClock()
    let tokens: InstrumentedTokenStore
    let auth: AuthKit
    static let secret = [UInt8](repeating: 0x42, count: 32)

    init(sessionPolicy: SessionPolicy = .unlimited, gracePeriod: Duration = .zero) async throws {
        let tokens = InstrumentedTokenStore(clock: clock.wallClock)
        let clock = self.clock
        self.tokens = tokens
        let store = AuthKitStore(name: "instrumented") { _, wallClock in
            AuthKitStore.Backends(
                tokens: tokens,
                rateLimits: InMemoryRateLimitStore(clock: wallClock),
                permissions: InMemoryPermissionStore(clock: wallClock),
                invalidations: InMemoryPermissionInvalidationBus()
            )
        }
        auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256(Self.secret, kid: "2026-11")],
                refreshReuseGracePeriod: gracePeriod,
                sessionPolicy: sessionPolicy
            ),
            store: store,
            clock: clock.wallClock
        )
    }
}
