/// Everything an ``AuthKit`` issuer needs to know about the tokens it issues and the state it keeps.
public struct AuthKitConfiguration: Sendable {
    /// The `iss` of every access token, required on verification.
    public var issuer: String
    /// The default `aud` of access tokens, and the one this instance's own ``AuthKit/authenticate(token:)``
    /// accepts.
    public var audience: String
    /// The other audiences this issuer mints access tokens for (the registered clients of single sign-on, each
    /// service verifying only its own): a login or refresh may name one, and every one of a session's tokens
    /// ends with the session. ``audience`` is always registered.
    public var registeredAudiences: Set<String>
    /// The signing keys: an array (`[key]`: the first signs, all verify), or a source reloaded at run time
    /// (``SigningKeySource/directory(_:checkInterval:publicationLead:)``,
    /// ``SigningKeySource/provider(checkInterval:publicationLead:_:)``). Each key needs a distinct `kid` when
    /// there are several.
    public var signingKeys: SigningKeySource
    /// How long an access token is valid (default 15 minutes).
    public var accessTokenLifetime: Duration
    /// How long a login (session and refresh-token family) lasts at most, however often it is refreshed
    /// (default 7 days).
    public var refreshTokenLifetime: Duration
    /// How long a login survives without a refresh; `nil` means the same as ``refreshTokenLifetime``.
    public var refreshIdleLifetime: Duration?
    /// How long the refresh token just replaced is still accepted once, to absorb a client's retry
    /// (default zero; at most 60 seconds). Any older token is always reuse.
    public var refreshReuseGracePeriod: Duration
    /// Clock-skew allowance for `exp`, `nbf` and `iat` (default zero, at most five minutes).
    public var leeway: Duration
    /// How many sessions a user may hold, and what a login beyond that does (default: up to the hard cap of
    /// 100, evicting the oldest; a policy may lower the cap, not raise it).
    public var sessionPolicy: SessionPolicy
    /// The prefix of every key a shared store writes (default `authkit:`), so apps can share one Redis.
    public var keyPrefix: String
    /// What rate limits do while the store cannot answer (default: a local in-memory insurance limiter).
    public var rateLimitFailureMode: RateLimitFailureMode
    /// TTLs and local caching of permission sets.
    public var permissionCache: PermissionCacheConfiguration
    /// Whether, and how, ``AuthKit/authenticate(token:)`` marks the token's session as used, sliding its idle expiry
    /// (default ``SessionTouch/off``): on every request, in the store check's own call (one store write per request),
    /// or coalesced to at most one background write per session per interval. A coalesced interval is at most half
    /// the sessions' idle lifetime (``refreshIdleLifetime``, else ``refreshTokenLifetime``) and at most
    /// ``SessionTouch/maximumInterval``.
    public var sessionTouch: SessionTouch
    /// Whether ``AuthKit/authenticate(token:)`` also marks the session as used: whether ``sessionTouch`` is anything
    /// but ``SessionTouch/off``. Setting it true where it is off sets ``SessionTouch/everyRequest`` (one more store
    /// write per request, as before ``sessionTouch`` existed); setting it false sets ``SessionTouch/off``.
    public var touchSessionOnAuthenticate: Bool {
        get { sessionTouch.touchesSessions }
        set { sessionTouch = sessionTouch.touchingOnAuthenticate(newValue) }
    }
    /// The `typ` header of access tokens, required on verification (default `at+jwt`, RFC 9068), so that no
    /// other kind of JWT signed with the same key can pass as an access token.
    public var accessTokenType: String
    /// The largest access token accepted, in bytes (default 8 KiB).
    public var maxTokenSize: Int
    /// The claims an access token must carry to be accepted (default
    /// ``AuthKitVerifierConfiguration/defaultRequiredClaims``; see
    /// ``AuthKitVerifierConfiguration/requiredClaims``). Tokens this issuer mints carry them all.
    public var requiredClaims: Set<String>
    /// Tokens from before the move to AuthKit, accepted until a cut-off (default none).
    public var legacyTokens: LegacyTokenPolicy?
    /// A local mirror of the store's revocations that answers `authenticate` without a round trip while it can prove
    /// it is current (default none: every check is a round trip). See ``AuthKitVerifierConfiguration/revocationMirror``
    /// for the trade. With it on, the access-token lifetime must be within the mirror's `maxAccessTokenLifetime`
    /// and not longer than the refresh idle lifetime, so that a session alive when a token is minted outlives it.
    public var revocationMirror: RevocationMirrorPolicy?

    /// Creates a configuration; everything but issuer, audience and keys has a production default.
    /// `touchSessionOnAuthenticate` is kept for compatibility: true with `sessionTouch` left ``SessionTouch/off`` is
    /// ``SessionTouch/everyRequest``.
    public init(
        issuer: String,
        audience: String,
        registeredAudiences: Set<String> = [],
        signingKeys: SigningKeySource,
        accessTokenLifetime: Duration = .seconds(15 * 60),
        refreshTokenLifetime: Duration = .seconds(7 * 86_400),
        refreshIdleLifetime: Duration? = nil,
        refreshReuseGracePeriod: Duration = .zero,
        leeway: Duration = .zero,
        sessionPolicy: SessionPolicy = .default,
        keyPrefix: String = "authkit:",
        rateLimitFailureMode: RateLimitFailureMode = .localFallback(),
        permissionCache: PermissionCacheConfiguration = PermissionCacheConfiguration(),
        touchSessionOnAuthenticate: Bool = false,
        accessTokenType: String = "at+jwt",
        maxTokenSize: Int = 8192,
        requiredClaims: Set<String> = AuthKitVerifierConfiguration.defaultRequiredClaims,
        legacyTokens: LegacyTokenPolicy? = nil,
        sessionTouch: SessionTouch = .off,
        revocationMirror: RevocationMirrorPolicy? = nil
    ) {
        self.issuer = issuer
        self.audience = audience
        self.registeredAudiences = registeredAudiences
        self.signingKeys = signingKeys
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.refreshIdleLifetime = refreshIdleLifetime
        self.refreshReuseGracePeriod = refreshReuseGracePeriod
        self.leeway = leeway
        self.sessionPolicy = sessionPolicy
        self.keyPrefix = keyPrefix
        self.rateLimitFailureMode = rateLimitFailureMode
        self.permissionCache = permissionCache
        self.sessionTouch = sessionTouch
        self.accessTokenType = accessTokenType
        self.maxTokenSize = maxTokenSize
        self.requiredClaims = requiredClaims
        self.legacyTokens = legacyTokens
        self.revocationMirror = revocationMirror
        if touchSessionOnAuthenticate { self.touchSessionOnAuthenticate = true }
    }

    /// Every audience this issuer mints for: ``audience`` and ``registeredAudiences``.
    var audiences: Set<String> {
        registeredAudiences.union([audience])
    }

    /// The verification side of this configuration, checking tokens with `keys`.
    func verifierConfiguration(keys: VerificationKeys) -> AuthKitVerifierConfiguration {
        AuthKitVerifierConfiguration(
            issuer: issuer,
            audiences: [audience],
            keys: keys,
            requiredClaims: requiredClaims,
            accessTokenType: accessTokenType,
            leeway: leeway,
            maxTokenSize: maxTokenSize,
            keyPrefix: keyPrefix,
            rateLimitFailureMode: rateLimitFailureMode,
            permissionCache: permissionCache,
            legacyTokens: legacyTokens,
            sessionTouch: sessionTouch,
            revocationMirror: revocationMirror
        )
    }

    /// The session lifetime handed to the token store at login.
    var sessionLifetime: SessionLifetime {
        SessionLifetime(
            absolute: refreshTokenLifetime,
            idle: refreshIdleLifetime,
            reuseGracePeriod: refreshReuseGracePeriod
        )
    }

    /// Every rule ``AuthKit`` holds its configuration to, checked without loading keys or opening a store: the
    /// verifier's (issuer, audience, claims, key prefix), the token policy's (leeway, token size) and the issuer's.
    /// AuthKitConfig checks what it reads here.
    package func validateSettings() throws(AuthKitError) {
        // The verifier's rules do not look at the keys: an empty key set stands in for them.
        let noKeys: JWTKeySet
        do {
            noKeys = try JWTKeySet()
        } catch {
            throw AuthKitError(.invalidConfiguration, "\(error)")
        }
        let verifier = verifierConfiguration(keys: .keySet(noKeys))
        try verifier.validate()
        do {
            try verifier.policy(audiences: audiences).validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
        try validate()
    }

    /// Throws ``AuthKitError/Code-swift.struct/invalidConfiguration`` for settings that cannot work.
    /// The verification settings (issuer, audience, claims, key prefix) are validated by the ``AuthKitVerifier``
    /// the issuer is built on, before its store opens.
    func validate() throws(AuthKitError) {
        guard !registeredAudiences.contains("") else {
            throw AuthKitError(.invalidConfiguration, "a registered audience must not be empty")
        }
        guard accessTokenLifetime > .zero, accessTokenLifetime <= .seconds(86_400) else {
            throw AuthKitError(.invalidConfiguration, "the access-token lifetime must be between 0 and 24 hours")
        }
        guard refreshTokenLifetime >= accessTokenLifetime else {
            throw AuthKitError(
                .invalidConfiguration,
                "the refresh-token lifetime must not be shorter than the access token's"
            )
        }
        do {
            try sessionLifetime.validate()
            try sessionPolicy.validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
        try sessionTouch.validate(idleLifetime: sessionLifetime.idle)
        do {
            try permissionCache.validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
        if let revocationMirror {
            guard accessTokenLifetime <= revocationMirror.maxAccessTokenLifetime else {
                throw AuthKitError(
                    .invalidConfiguration,
                    "the access-token lifetime is longer than the revocation mirror's maxAccessTokenLifetime"
                )
            }
            guard accessTokenLifetime <= sessionLifetime.idle else {
                throw AuthKitError(
                    .invalidConfiguration,
                    "with the revocation mirror on, the access-token lifetime must not exceed the refresh idle lifetime"
                )
            }
        }
    }
}
