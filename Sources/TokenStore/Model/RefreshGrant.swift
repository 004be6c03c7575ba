public import AuthKitClock

/// What a successful rotation returns: the next refresh token and who it belongs to.
public struct RefreshGrant: Sendable {
    /// The family's new current token; the presented one is now retired.
    public var refreshToken: RefreshToken
    /// The user the family belongs to, for issuing the new access token.
    public var userID: String
    /// The session (and family) id, for the new access token's `sid`.
    public var sessionID: String
    /// When the session ends unless used again.
    public var expiresAt: UnixTime
    /// When the family ends however often it is rotated.
    public var absoluteExpiresAt: UnixTime
    /// True when the presented token was the one just replaced, accepted within the reuse grace period.
    public var isGraceRetry: Bool
    /// The application data recorded with the session at login (``NewSession/claims``), empty for none.
    public var claims: String

    /// Creates a grant.
    public init(
        refreshToken: RefreshToken,
        userID: String,
        sessionID: String,
        expiresAt: UnixTime,
        absoluteExpiresAt: UnixTime,
        isGraceRetry: Bool,
        claims: String = ""
    ) {
        self.refreshToken = refreshToken
        self.userID = userID
        self.sessionID = sessionID
        self.expiresAt = expiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
        self.isGraceRetry = isGraceRetry
        self.claims = claims
    }
}
