/// Everything an ``AuthKitVerifier`` needs to know to accept exactly the access tokens meant for its service.
public struct AuthKitVerifierConfiguration: Sendable {
    /// The claims every access token must carry unless configured otherwise: `exp`, `iat`, `sub`, `jti`, `sid`.
    public static let defaultRequiredClaims: Set<String> = ["exp", "iat", "sub", "jti", "sid"]
    /// The claims that can never be dropped: `exp` (an end), `iat` (for "log out everywhere") and `sub` (a user).
    static let mandatoryClaims: Set<String> = ["exp", "iat", "sub"]

    /// The `iss` tokens must carry: the issuer's.
    public var issuer: String
    /// The audiences this service accepts (usually one: its own); a token must name one of them in `aud`.
    public var audiences: Set<String>
    /// The issuer's public keys.
    public var keys: VerificationKeys
    /// The claims a token must carry (default ``defaultRequiredClaims``). More may be added; `exp`, `iat` and
    /// `sub` cannot be dropped. Dropping `jti` accepts tokens that cannot be logged out one by one, and dropping
    /// `sid` tokens bound to no session: only their expiry and "log out everywhere" end those.
    public var requiredClaims: Set<String>
    /// The `typ` header tokens must carry (default `at+jwt`, RFC 9068), so that no other JWT signed with the
    /// same key passes as an access token; nil does not check it.
    public var accessTokenType: String?
    /// Clock-skew allowance for `exp`, `nbf` and `iat` (default zero, at most five minutes).
    public var leeway: Duration
    /// The largest access token accepted, in bytes (default 8 KiB).
    public var maxTokenSize: Int
    /// The prefix of every key the shared store holds (default `authkit:`): the issuer's.
    public var keyPrefix: String
    /// What rate limits do while the store cannot answer (default: a local in-memory insurance limiter).
    public var rateLimitFailureMode: RateLimitFailureMode
    /// TTLs and local caching of permission sets.
    public var permissionCache: PermissionCacheConfiguration
    /// Whether, and how, ``AuthKitVerifier/authenticate(token:)`` marks the token's session as used, sliding its idle
    /// expiry (default ``SessionTouch/off``): on every request, in the store check's own call, or coalesced to at
    /// most one background write per session per interval. A coalesced interval is at most
    /// ``SessionTouch/maximumInterval`` here, and should be at most half the idle lifetime the issuer gives its
    /// sessions, which a verifier cannot check.
    public var sessionTouch: SessionTouch
    /// Whether ``AuthKitVerifier/authenticate(token:)`` also marks the session as used: whether ``sessionTouch`` is
    /// anything but ``SessionTouch/off``. Setting it true where it is off sets ``SessionTouch/everyRequest`` (one more
    /// store write per request, as before ``sessionTouch`` existed); setting it false sets ``SessionTouch/off``.
    public var touchSessionOnAuthenticate: Bool {
        get { sessionTouch.touchesSessions }
        set { sessionTouch = sessionTouch.touchingOnAuthenticate(newValue) }
    }
    /// Tokens from before the move to AuthKit, accepted until a cut-off (default none).
    public var legacyTokens: LegacyTokenPolicy?
    /// A local mirror of the store's revocations (default none). With it, ``AuthKitVerifier/authenticate(token:)``
    /// answers from memory, with no round trip, while the mirror can prove it has read every revocation older than
    /// the policy's staleness bound; otherwise — starting, catching up, the feed not answering — it checks the store
    /// as without a mirror, and with the store gone it fails closed. The trade: a revocation can take up to the
    /// staleness bound (one second by default) to be enforced on this instance. It serves tokens minted by an AuthKit
    /// issuer whose access-token lifetime is within the policy's `maxAccessTokenLifetime` and the sessions' idle
    /// lifetime; others are checked by a round trip. Needs a Redis store (the in-memory store's check is already
    /// local, and the mirror is not used there). Documentation/RevocationMirror.md has the consistency model.
    public var revocationMirror: RevocationMirrorPolicy?

    /// Creates a configuration; everything but issuer, audiences and keys has a production default.
    /// `touchSessionOnAuthenticate` is kept for compatibility: true with `sessionTouch` left ``SessionTouch/off`` is
    /// ``SessionTouch/everyRequest``.
    public init(
        issuer: String,
        audiences: Set<String>,
        keys: VerificationKeys,
        requiredClaims: Set<String> = defaultRequiredClaims,
        accessTokenType: String? = "at+jwt",
        leeway: Duration = .zero,
        maxTokenSize: Int = 8192,
        keyPrefix: String = "authkit:",
        rateLimitFailureMode: RateLimitFailureMode = .localFallback(),
        permissionCache: PermissionCacheConfiguration = PermissionCacheConfiguration(),
        touchSessionOnAuthenticate: Bool = false,
        legacyTokens: LegacyTokenPolicy? = nil,
        sessionTouch: SessionTouch = .off,
        revocationMirror: RevocationMirrorPolicy? = nil
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys
        self.requiredClaims = requiredClaims
        self.accessTokenType = accessTokenType
        self.leeway = leeway
        self.maxTokenSize = maxTokenSize
        self.keyPrefix = keyPrefix
        self.rateLimitFailureMode = rateLimitFailureMode
        self.permissionCache = permissionCache
        self.sessionTouch = sessionTouch
        self.legacyTokens = legacyTokens
        self.revocationMirror = revocationMirror
        if touchSessionOnAuthenticate { self.touchSessionOnAuthenticate = true }
    }

    /// The policy access tokens are verified under, accepting `audiences`.
    func policy(audiences: Set<String>) -> JWTValidationPolicy {
        JWTValidationPolicy(
            issuer: issuer,
            audiences: audiences,
            requiredClaims: requiredClaims,
            expectedType: accessTokenType,
            leeway: leeway,
            maxTokenSize: maxTokenSize
        )
    }

    /// The policy legacy tokens are verified under.
    func legacyPolicy(_ legacy: LegacyTokenPolicy) -> JWTValidationPolicy {
        JWTValidationPolicy(
            issuer: legacy.issuer,
            audiences: legacy.audiences,
            requiredClaims: legacy.requiredClaims.union(["sub", "exp"]),
            expectedType: legacy.expectedType,
            leeway: leeway,
            maxTokenSize: maxTokenSize
        )
    }

    /// Throws ``AuthKitError/Code-swift.struct/invalidConfiguration`` for settings that cannot work.
    func validate() throws(AuthKitError) {
        guard !issuer.isEmpty, !audiences.isEmpty, !audiences.contains("") else {
            throw AuthKitError(.invalidConfiguration, "the issuer and every audience must be non-empty")
        }
        guard requiredClaims.isSuperset(of: Self.mandatoryClaims) else {
            throw AuthKitError(.invalidConfiguration, "exp, iat and sub cannot be dropped from the required claims")
        }
        guard !keyPrefix.isEmpty, !keyPrefix.contains("{"), !keyPrefix.contains("}") else {
            throw AuthKitError(.invalidConfiguration, "the key prefix must be non-empty and hold no '{' or '}'")
        }
        do {
            try revocationMirror?.validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
        try sessionTouch.validate(idleLifetime: nil)
    }
}
