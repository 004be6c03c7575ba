/// A time-limited welcome for access tokens minted before the move to AuthKit (by vapor/jwt-kit, say), so that
/// users stay logged in through the switch.
///
/// A token that AuthKit's own rules refuse is tried against this policy while it is in force: it must verify
/// with one of ``keys`` (and only those), meet this policy's claims, and lack at least one of `jti`, `sid` or
/// the access-token `typ` — a token carrying all three is a current token and gets no second chance. A legacy
/// token is then checked against the store like any other: against the user's epoch, so "log out everywhere"
/// ends it, and against the denylist and the session when it has a `jti` or a `sid`. One without `iat` counts
/// as issued at the start of time, so any epoch refuses it. Each one accepted is counted in the
/// `authkit_legacy_tokens_total` metric (`result` = `accepted`, or `refused` when the store refused it), which
/// says when the old tokens are gone. From ``acceptedUntil`` on, the policy accepts nothing.
///
/// ```swift
/// legacyTokens: LegacyTokenPolicy(
///     keys: try JWTKeySet([try .hs256(oldJWTKitSecret)]),
///     acceptedUntil: UnixTime(seconds: 1_798_761_600))   // the old tokens' longest lifetime after the switch
/// ```
public struct LegacyTokenPolicy: Sendable {
    /// The keys the old tokens were signed with; a legacy token must verify with one of them.
    public var keys: JWTKeySet
    /// The instant from which no legacy token is accepted: the switch plus the old tokens' longest lifetime.
    public var acceptedUntil: UnixTime
    /// When set, a legacy token's `iss` must equal it.
    public var issuer: String?
    /// When non-empty, a legacy token's `aud` must contain one of these.
    public var audiences: Set<String>
    /// Claims a legacy token must carry (default `sub` and `exp`: a user, and an end).
    public var requiredClaims: Set<String>
    /// When set, a legacy token's `typ` header must name this media type (jwt-kit writes `JWT`).
    public var expectedType: String?

    /// Creates a policy; `sub` and `exp` are always required, whatever `requiredClaims` says.
    public init(
        keys: JWTKeySet,
        acceptedUntil: UnixTime,
        issuer: String? = nil,
        audiences: Set<String> = [],
        requiredClaims: Set<String> = ["sub", "exp"],
        expectedType: String? = nil
    ) {
        self.keys = keys
        self.acceptedUntil = acceptedUntil
        self.issuer = issuer
        self.audiences = audiences
        self.requiredClaims = requiredClaims
        self.expectedType = expectedType
    }
}
