/// Everything an ``AuthKit`` instance needs to know about the tokens it issues and the state it keeps.
public struct AuthKitConfiguration: Sendable {
    /// The `iss` of every access token, required on verification.
    public var issuer: String
    /// The `aud` of every access token, required on verification.
    public var audience: String
    /// The signing keys: the first signs new tokens, all of them verify (keep a retired key here until the
    /// tokens it signed have expired). Each key needs a distinct `kid` when there are several.
    public var signingKeys: [JWTKey]
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
    /// `TokenStoreLimits.maxSessionsPerUser`, evicting the oldest; a policy may lower the cap, not raise it).
    public var sessionPolicy: SessionPolicy
    /// The prefix of every key a shared store writes (default `authkit:`), so apps can share one Redis.
    public var keyPrefix: String
    /// What rate limits do while the store cannot answer (default: a local in-memory insurance limiter).
    public var rateLimitFailureMode: RateLimitFailureMode
    /// TTLs and local caching of permission sets.
    public var permissionCache: PermissionCacheConfiguration
    /// Whether ``AuthKit/authenticate(token:)`` also marks the session as used (one more store write).
    public var touchSessionOnAuthenticate: Bool
    /// The `typ` header of access tokens, required on verification (default `at+jwt`, RFC 9068), so that no
    /// other kind of JWT signed with the same key can pass as an access token.
    public var accessTokenType: String
    /// The largest access token accepted, in bytes (default 8 KiB).
    public var maxTokenSize: Int

    /// Creates a configuration; everything but issuer, audience and keys has a production default.
    public init(
        issuer: String,
        audience: String,
        signingKeys: [JWTKey],
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
        maxTokenSize: Int = 8192
    ) {
        self.issuer = issuer
        self.audience = audience
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
        self.touchSessionOnAuthenticate = touchSessionOnAuthenticate
        self.accessTokenType = accessTokenType
        self.maxTokenSize = maxTokenSize
    }

    /// The session lifetime handed to the token store at login.
    var sessionLifetime: SessionLifetime {
        SessionLifetime(
            absolute: refreshTokenLifetime,
            idle: refreshIdleLifetime,
            reuseGracePeriod: refreshReuseGracePeriod
        )
    }

    /// Throws ``AuthKitError/Code-swift.struct/invalidConfiguration`` for settings that cannot work.
    func validate() throws(AuthKitError) {
        guard !issuer.isEmpty, !audience.isEmpty else {
            throw AuthKitError(.invalidConfiguration, "issuer and audience must not be empty")
        }
        guard let first = signingKeys.first else {
            throw AuthKitError(.invalidConfiguration, "at least one signing key is needed")
        }
        guard first.canSign else {
            throw AuthKitError(.invalidConfiguration, "the first signing key cannot sign (it is a public key)")
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
        guard !keyPrefix.isEmpty, !keyPrefix.contains("{"), !keyPrefix.contains("}") else {
            throw AuthKitError(.invalidConfiguration, "the key prefix must be non-empty and hold no '{' or '}'")
        }
        do {
            try sessionLifetime.validate()
            try sessionPolicy.validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
        do {
            try permissionCache.validate()
        } catch {
            throw AuthKitError(.invalidConfiguration, error.message)
        }
    }
}
