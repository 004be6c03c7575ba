/// Who a verified access token speaks for: the result of ``AuthKitVerifier/authenticate(token:)`` (and of
/// ``AuthKit/authenticate(token:)``).
public struct Principal: Sendable {
    /// The user (`sub`).
    public var userID: String { check.userID }
    /// The session (device login) the token belongs to (`sid`); nil only for a token without one, which a
    /// configuration that does not require `sid` or a ``LegacyTokenPolicy`` accepts.
    public var sessionID: String? { check.sessionID }
    /// The token's unique id (`jti`), the handle for logging this token out; nil only for a token without one.
    public var tokenID: String? { check.jti }
    /// When the token was issued (`iat`; for a legacy token without one, the start of the Unix epoch).
    public var issuedAt: UnixTime { check.issuedAt }
    /// When the token expires.
    public let expiresAt: UnixTime
    /// Every claim of the token, including the application's own.
    public let claims: JWTClaims
    /// Whether the token was accepted by the ``LegacyTokenPolicy`` rather than by AuthKit's own rules.
    public let isLegacy: Bool
    /// When, on the verifier's clock, the token's time claims were checked: the "now" the store half of the check
    /// is judged at.
    let checkedAt: UnixTime
    /// The store half of the check of this token (without touching its session): the user, `jti`, `iat` and
    /// session, held once so that asking the revocation mirror copies none of them.
    let check: AccessCheck

    init(
        userID: String,
        tokenID: String?,
        issuedAt: UnixTime,
        sessionID: String?,
        expiresAt: UnixTime,
        claims: JWTClaims,
        isLegacy: Bool,
        checkedAt: UnixTime
    ) {
        self.check = AccessCheck(userID: userID, jti: tokenID, issuedAt: issuedAt, sessionID: sessionID)
        self.expiresAt = expiresAt
        self.claims = claims
        self.isLegacy = isLegacy
        self.checkedAt = checkedAt
    }
}
