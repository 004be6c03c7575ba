public import AuthKitClock

/// The state that makes JWTs revocable: a jti denylist, per-user epochs, refresh-token families and sessions.
///
/// Every method is one atomic step against the store (one Lua script in Redis), so concurrent callers — in one
/// process or many — never see half an operation. Time comes from the store's injected `TimeSource`; rules are
/// decided by comparing recorded instants with that clock, and backing-store expiry (Redis TTLs) only cleans
/// up, set generously past the instant at which a record stops mattering.
///
/// All user-scoped state of one user is reachable from the user id alone, and each method touches one user,
/// which is what lets a Redis implementation keep every operation on one cluster slot.
///
/// An implementation outside AuthKit reaches the shared limits and checks (`TokenStoreLimits`) and refresh-token
/// issuing and digests (`RefreshToken.issue`, `digest`) through `@_spi(TokenStoreImplementation) import TokenStore`:
/// apps never need them, so they are not part of the public API. `TokenStoreConformance` checks the result.
public protocol TokenStore: Sendable {
    /// Denylists the access token `jti` of `userID`, whose own `exp` is `expiresAt`, for as long as any verifier
    /// could still accept it: until `expiresAt` plus five minutes (the largest leeway a
    /// verifier may allow), see `TokenStoreLimits.revokedUntil(expiresAt:)` (SPI `TokenStoreImplementation`).
    ///
    /// A token already past that instant needs no entry: the call does nothing and returns false.
    /// - Returns: Whether an entry was written.
    @discardableResult
    func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool

    /// Logs `userID` out everywhere: every access token issued at or before now stops being honoured, and
    /// every session (with its refresh-token family) ends.
    ///
    /// The epoch only moves forward, and is remembered for `retention`, which must be at least the longest
    /// access-token lifetime (plus leeway) so that it outlives every token it invalidates, and should be at least
    /// the longest session lifetime: while it is remembered, a session created at or before it is refused by
    /// ``rotate(refreshToken:)``, ``check(_:)`` and ``touchSession(userID:sessionID:)`` whatever the clocks say,
    /// even one this call could not reach. A retention under one millisecond is refused with
    /// ``TokenStoreError/Code-swift.struct/invalidConfiguration``.
    /// - Returns: The number of sessions ended (those alive until this call).
    @discardableResult
    func logOutEverywhere(userID: String, retention: Duration) async throws -> Int

    /// The user's epoch: tokens issued at or before it are not honoured. Nil when none is remembered.
    func epoch(userID: String) async throws -> UnixTime?

    /// Records a login: applies the user's session policy, creates the session and its refresh-token family,
    /// and returns the family's first token. The session is recorded as created after the user's epoch even when
    /// the store's clock has not passed it (a login after a log-out-everywhere is a new one). Throws ``TokenStoreError/Code-swift.struct/sessionLimitReached``
    /// when the policy refuses the login.
    func createSession(_ request: NewSession) async throws -> SessionGrant

    /// Exchanges a presented refresh token for the next one, in one atomic step.
    ///
    /// The family's current token is rotated; the token it replaced is accepted again only within the
    /// family's grace period; any other token the family issued before is reuse, which revokes the family
    /// and its session. Rotation slides the idle expiry but never the absolute one.
    func rotate(refreshToken presented: String) async throws -> RefreshOutcome

    /// What presenting `presented` to ``rotate(refreshToken:)`` would do now, under the same rules, without changing
    /// anything: no rotation, no reuse revocation, no use of the session. A token is only ever reported active when
    /// its digest is the family's, so knowing a user and a session id is not enough to learn that a session lives.
    func inspect(refreshToken presented: String) async throws -> RefreshTokenStatus

    /// The user's live sessions, oldest first, read from the user's index (never by scanning).
    func sessions(userID: String) async throws -> [Session]

    /// One live session of the user, or nil when it does not exist or has ended.
    func session(userID: String, sessionID: String) async throws -> Session?

    /// Marks a session as used now: updates last seen and slides its idle expiry (never past the absolute one).
    /// - Returns: Whether the session was alive.
    @discardableResult
    func touchSession(userID: String, sessionID: String) async throws -> Bool

    /// Ends one session and its refresh-token family.
    /// - Returns: Whether the session was alive.
    @discardableResult
    func revokeSession(userID: String, sessionID: String) async throws -> Bool

    /// Ends every session of the user and their families, without touching the epoch.
    /// - Returns: The number of sessions ended.
    @discardableResult
    func revokeAllSessions(userID: String) async throws -> Int

    /// The authenticate-path check, in one store call: is the token denylisted, does it predate the user's
    /// epoch, has its session ended. Checked in that order; the first failing rule is the answer. Every rule of
    /// the check, including how a whole-second `iat` meets the epoch, is written out on ``AccessCheck``.
    func check(_ check: AccessCheck) async throws -> AccessStatus
}
