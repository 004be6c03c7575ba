import AuthKit
import Synchronization

/// An in-memory token store that can be switched to fail every call, like a store that cannot be reached.
final class SwitchableTokenStore: TokenStore {
    struct Unreachable: Error {}

    private let inner: InMemoryTokenStore
    private let failing = Mutex(false)

    init(clock: WallClock) {
        inner = InMemoryTokenStore(clock: clock)
    }

    func setFailing(_ value: Bool) {
        failing.withLock { $0 = value }
    }

    private func enter() throws {
        if failing.withLock({ $0 }) { throw Unreachable() }
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
