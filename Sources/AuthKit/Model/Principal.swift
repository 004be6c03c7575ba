/// Who a verified access token speaks for: the result of ``AuthKit/authenticate(token:)``.
public struct Principal: Sendable {
    /// The user (`sub`).
    public let userID: String
    /// The session (device login) the token belongs to (`sid`).
    public let sessionID: String
    /// The token's unique id (`jti`), the handle for logging this token out.
    public let tokenID: String
    /// When the token was issued.
    public let issuedAt: UnixTime
    /// When the token expires.
    public let expiresAt: UnixTime
    /// Every claim of the token, including the application's own.
    public let claims: JWTClaims
}
