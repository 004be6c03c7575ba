public import AuthKitClock
import Synchronization

/// A ``TokenStore`` held in process memory: for tests, development and single-process applications.
///
/// It follows exactly the rules of the Redis store (the shared conformance suite checks both), under an
/// injected `TimeSource`. All state sits in one plain struct behind a `Mutex`, so each method is atomic.
/// Random secrets are drawn and hashed before the lock is taken, keeping the critical sections short.
/// Entries are dropped once they stop mattering, so memory is bounded by what is live (see ``entryCount``).
public final class InMemoryTokenStore: TokenStore {
    private let clock: TimeSource
    private let state = Mutex(InMemoryTokenStoreState())

    /// Creates an empty store that reads time from `clock`.
    public init(clock: TimeSource = .system) {
        self.clock = clock
    }

    /// How many records (denylist entries, epochs, sessions and reuse tombstones) the store holds right now,
    /// including expired ones not yet swept; call ``sweep()`` first for the live count.
    public var entryCount: Int {
        state.withLock { $0.entryCount }
    }

    /// Drops every record that no longer matters now; writes also do this on their own, amortised.
    public func sweep() {
        let now = clock.now()
        state.withLock { $0.sweep(at: now) }
    }

    /// Implements ``TokenStore/revoke(jti:userID:expiresAt:)``.
    @discardableResult
    public func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkJTI(jti)
        let now = clock.now()
        let until = TokenStoreLimits.revokedUntil(expiresAt: expiresAt)
        return state.withLock { $0.revoke(jti: jti, userID: userID, until: until, now: now) }
    }

    /// Implements ``TokenStore/logOutEverywhere(userID:retention:)``.
    @discardableResult
    public func logOutEverywhere(userID: String, retention: Duration) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkDuration(retention, name: "the epoch retention")
        let now = clock.now()
        return state.withLock { $0.logOutEverywhere(userID: userID, retainedUntil: now + retention, now: now) }
    }

    /// Implements ``TokenStore/epoch(userID:)``.
    public func epoch(userID: String) async throws -> UnixTime? {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        return state.withLock { $0.epoch(userID: userID, now: now) }
    }

    /// Implements ``TokenStore/createSession(_:)``.
    public func createSession(_ request: NewSession) async throws -> SessionGrant {
        try request.validate()
        let sessionID = Session.newID()
        let token = RefreshToken.issue(userID: request.userID, sessionID: sessionID)
        let digest = token.digest
        let now = clock.now()
        let result = state.withLock {
            $0.createSession(request, sessionID: sessionID, token: token, digest: digest, now: now)
        }
        switch result {
        case .created(let grant):
            return grant
        case .limitReached(let limit):
            throw TokenStoreError(.sessionLimitReached, "the user already has the \(limit) sessions the policy allows")
        }
    }

    /// Implements ``TokenStore/rotate(refreshToken:)``.
    public func rotate(refreshToken presented: String) async throws -> RefreshOutcome {
        guard let token = RefreshToken(parsing: presented) else {
            return .invalid
        }
        let presentedDigest = token.digest
        let next = RefreshToken.issue(userID: token.userID, sessionID: token.sessionID)
        let nextDigest = next.digest
        let now = clock.now()
        return state.withLock {
            $0.rotate(presented: token, presentedDigest: presentedDigest, next: next, nextDigest: nextDigest, now: now)
        }
    }

    /// Implements ``TokenStore/inspect(refreshToken:)``.
    public func inspect(refreshToken presented: String) async throws -> RefreshTokenStatus {
        guard let token = RefreshToken(parsing: presented) else {
            return .invalid
        }
        let digest = token.digest
        let now = clock.now()
        return state.withLock { $0.inspect(presented: token, presentedDigest: digest, now: now) }
    }

    /// Implements ``TokenStore/sessions(userID:)``.
    public func sessions(userID: String) async throws -> [Session] {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        return state.withLock { $0.sessions(userID: userID, now: now) }
    }

    /// Implements ``TokenStore/session(userID:sessionID:)``.
    public func session(userID: String, sessionID: String) async throws -> Session? {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        return state.withLock { $0.session(userID: userID, sessionID: sessionID, now: now) }
    }

    /// Implements ``TokenStore/touchSession(userID:sessionID:)``.
    @discardableResult
    public func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        return state.withLock { $0.touchSession(userID: userID, sessionID: sessionID, now: now) }
    }

    /// Implements ``TokenStore/revokeSession(userID:sessionID:)``.
    @discardableResult
    public func revokeSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        return state.withLock { $0.revokeSession(userID: userID, sessionID: sessionID, now: now) }
    }

    /// Implements ``TokenStore/revokeAllSessions(userID:)``.
    @discardableResult
    public func revokeAllSessions(userID: String) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        return state.withLock { $0.revokeAllSessions(userID: userID, now: now) }
    }

    /// Implements ``TokenStore/check(_:)``.
    public func check(_ check: AccessCheck) async throws -> AccessStatus {
        try check.validate()
        let now = clock.now()
        return state.withLock { $0.check(check, now: now) }
    }
}
