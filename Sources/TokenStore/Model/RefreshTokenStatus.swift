public import AuthKitClock

/// What a refresh token is worth right now, read without changing anything: the answer of
/// ``TokenStore/inspect(refreshToken:)``, for token introspection (RFC 7662) and revocation (RFC 7009).
///
/// It follows the rules of ``TokenStore/rotate(refreshToken:)`` exactly: a token is ``active(_:)`` when presenting
/// it to `rotate` now would rotate it, ``retired(userID:sessionID:)`` when it would be reuse, and ``invalid``
/// otherwise.
public enum RefreshTokenStatus: Sendable {
    /// The family would accept the token: its current one, or the one just replaced within the grace period.
    case active(ActiveRefreshToken)
    /// A token the family issued and has since replaced (or of a family revoked for reuse): presenting it to
    /// `rotate` would be reuse.
    case retired(userID: String, sessionID: String)
    /// Malformed, unknown, expired, or of a session that has ended; also a token the family never issued, even
    /// one whose user and session parts name a live session.
    case invalid
}

/// A refresh token the store would accept, and the session it belongs to.
public struct ActiveRefreshToken: Sendable {
    /// The user the family belongs to.
    public var userID: String
    /// The session (and family) id.
    public var sessionID: String
    /// When the session ends unless used again.
    public var expiresAt: UnixTime
    /// When the family ends however often it is rotated.
    public var absoluteExpiresAt: UnixTime
    /// The application data recorded with the session at login (``NewSession/claims``), empty for none.
    public var claims: String

    /// Creates a description of an active token.
    public init(userID: String, sessionID: String, expiresAt: UnixTime, absoluteExpiresAt: UnixTime, claims: String) {
        self.userID = userID
        self.sessionID = sessionID
        self.expiresAt = expiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
        self.claims = claims
    }
}
