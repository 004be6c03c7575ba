public import AuthKitClock
import Synchronization
public import TokenStore

/// A token store for tests of code built on a `TokenStore`: it forwards to a real `InMemoryTokenStore`, counts
/// the calls it receives, and can be switched to fail every call like a store that cannot be reached.
public final class InstrumentedTokenStore: TokenStore {
    /// What every call throws while the store is failing.
    public struct Unreachable: Error {
        /// Creates the error.
        public init() {}
    }

    /// The store calls are forwarded to.
    public let inner: InMemoryTokenStore
    private struct Counts {
        var calls = 0
        var touches = 0
        var failing = false
        var failingTouches = false
    }
    private let state = Mutex(Counts())

    /// Creates a store over a fresh `InMemoryTokenStore` on `clock`.
    public init(clock: TimeSource) {
        inner = InMemoryTokenStore(clock: clock)
    }

    /// How many calls the store has received, failed ones included.
    public var calls: Int { state.withLock { $0.calls } }

    /// Makes every following call throw ``Unreachable`` (or work again, with `false`).
    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    /// How many ``touchSession(userID:sessionID:)`` calls the store has received, failed ones included.
    public var touches: Int { state.withLock { $0.touches } }

    /// Makes every following ``touchSession(userID:sessionID:)`` call throw ``Unreachable`` while every other call
    /// works (or work again, with `false`): a store that fails between a request's check and its session's touch.
    public func setFailingTouches(_ failing: Bool) {
        state.withLock { $0.failingTouches = failing }
    }

    private func enter() throws {
        let failing = state.withLock { state in
            state.calls += 1
            return state.failing
        }
        if failing { throw Unreachable() }
    }

    /// Forwards to the in-memory store unless failing.
    public func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool {
        try enter()
        return try await inner.revoke(jti: jti, userID: userID, expiresAt: expiresAt)
    }

    /// Forwards to the in-memory store unless failing.
    public func logOutEverywhere(userID: String, retention: Duration) async throws -> Int {
        try enter()
        return try await inner.logOutEverywhere(userID: userID, retention: retention)
    }

    /// Forwards to the in-memory store unless failing.
    public func epoch(userID: String) async throws -> UnixTime? {
        try enter()
        return try await inner.epoch(userID: userID)
    }

    /// Forwards to the in-memory store unless failing.
    public func createSession(_ request: NewSession) async throws -> SessionGrant {
        try enter()
        return try await inner.createSession(request)
    }

    /// Forwards to the in-memory store unless failing.
    public func rotate(refreshToken presented: String) async throws -> RefreshOutcome {
        try enter()
        return try await inner.rotate(refreshToken: presented)
    }

    /// Forwards to the in-memory store unless failing.
    public func inspect(refreshToken presented: String) async throws -> RefreshTokenStatus {
        try enter()
        return try await inner.inspect(refreshToken: presented)
    }

    /// Forwards to the in-memory store unless failing.
    public func sessions(userID: String) async throws -> [Session] {
        try enter()
        return try await inner.sessions(userID: userID)
    }

    /// Forwards to the in-memory store unless failing.
    public func session(userID: String, sessionID: String) async throws -> Session? {
        try enter()
        return try await inner.session(userID: userID, sessionID: sessionID)
    }

    /// Forwards to the in-memory store unless failing.
    public func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try enter()
        let failing = state.withLock { state in
            state.touches += 1
            return state.failingTouches
        }
        if failing { throw Unreachable() }
        return try await inner.touchSession(userID: userID, sessionID: sessionID)
    }

    /// Forwards to the in-memory store unless failing.
    public func revokeSession(userID: String, sessionID: String) async throws -> Bool {
        try enter()
        return try await inner.revokeSession(userID: userID, sessionID: sessionID)
    }

    /// Forwards to the in-memory store unless failing.
    public func revokeAllSessions(userID: String) async throws -> Int {
        try enter()
        return try await inner.revokeAllSessions(userID: userID)
    }

    /// Forwards to the in-memory store unless failing.
    public func check(_ check: AccessCheck) async throws -> AccessStatus {
        try enter()
        return try await inner.check(check)
    }
}
