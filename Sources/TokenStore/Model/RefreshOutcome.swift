/// The answer to presenting a refresh token: a new token, detected reuse, or nothing.
public enum RefreshOutcome: Sendable {
    /// The token was the family's current one (or a retry within the grace period): here is the next one.
    case rotated(RefreshGrant)
    /// The token was one the family had already replaced: the family and its session are now revoked.
    ///
    /// This is a security event — the token was probably stolen — and should be logged and reported.
    case reuseDetected(userID: String, sessionID: String)
    /// The token is malformed, unknown, expired, or belongs to a session that has ended.
    case invalid
}
