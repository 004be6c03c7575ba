/// Who a verified access token speaks for: the result of ``AuthKitVerifier/authenticate(token:)`` (and of
/// ``AuthKit/authenticate(token:)``).
public struct Principal: Sendable {
    /// The user (`sub`).
    public let userID: String
    /// The session (device login) the token belongs to (`sid`); nil only for a token without one, which a
    /// configuration that does not require `sid` or a ``LegacyTokenPolicy`` accepts.
    public let sessionID: String?
    /// The token's unique id (`jti`), the handle for logging this token out; nil only for a token without one.
    public let tokenID: String?
    /// When the token was issued (`iat`; for a legacy token without one, the start of the Unix epoch).
    public let issuedAt: UnixTime
    /// When the token expires.
    public let expiresAt: UnixTime
    /// Every claim of the token, including the application's own.
    public let claims: JWTClaims
    /// Whether the token was accepted by the ``LegacyTokenPolicy`` rather than by AuthKit's own rules.
    public let isLegacy: Bool
    /// When, on the verifier's clock, the token's time claims were checked: the "now" the store half of the check
    /// is judged at.
    let checkedAt: UnixTime
}
