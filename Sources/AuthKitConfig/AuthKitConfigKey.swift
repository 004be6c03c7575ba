// Built only with the `Configuration` trait; without it this module is empty and swift-configuration is not built.
#if Configuration

/// The name of one AuthKit setting: its key in a configuration file (`authkit.issuer`, nested objects in JSON)
/// and its environment variable (`AUTHKIT_ISSUER`), which swift-configuration derives from the key (dots and
/// camel-case word boundaries become underscores, letters upper case).
///
/// Every key AuthKitConfig reads is listed in ``all``; Documentation/Configuration.md describes each one.
public struct AuthKitConfigKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's components: `["authkit", "redis", "url"]`.
    public let components: [String]

    init(_ components: String...) {
        self.components = ["authkit"] + components
    }

    /// The dotted key of a configuration file: `authkit.redis.url`.
    public var key: String { components.joined(separator: ".") }

    /// The environment variable: `AUTHKIT_REDIS_URL`.
    public var environmentVariable: String {
        components.map { component in
            var word = ""
            var previous: Character?
            for character in component {
                if let previous, previous.isLowercase, character.isUppercase {
                    word.append("_")
                }
                word.append(character)
                previous = character
            }
            return word.uppercased()
        }
        .joined(separator: "_")
    }

    /// The key and its environment variable, as errors name them: `authkit.issuer (AUTHKIT_ISSUER)`.
    public var description: String { "\(key) (\(environmentVariable))" }

    /// `issuer`, string, required: the `iss` of every access token.
    public static let issuer = AuthKitConfigKey("issuer")
    /// `audience`, string, required: the default `aud`.
    public static let audience = AuthKitConfigKey("audience")
    /// `registeredAudiences`, list of strings (comma-separated in the environment).
    public static let registeredAudiences = AuthKitConfigKey("registeredAudiences")
    /// `signingKeys.directory`, path: the key directory (manifest and key files), reloaded at run time.
    public static let signingKeysDirectory = AuthKitConfigKey("signingKeys", "directory")
    /// `signingKeys.checkIntervalSeconds`, integer: how often the key directory is read again.
    public static let signingKeysCheckInterval = AuthKitConfigKey("signingKeys", "checkIntervalSeconds")
    /// `signingKeys.publicationLeadSeconds`, integer: how long a next key is published before it signs.
    public static let signingKeysPublicationLead = AuthKitConfigKey("signingKeys", "publicationLeadSeconds")
    /// `accessTokenLifetimeSeconds`, integer.
    public static let accessTokenLifetime = AuthKitConfigKey("accessTokenLifetimeSeconds")
    /// `refreshTokenLifetimeSeconds`, integer.
    public static let refreshTokenLifetime = AuthKitConfigKey("refreshTokenLifetimeSeconds")
    /// `refreshIdleLifetimeSeconds`, integer.
    public static let refreshIdleLifetime = AuthKitConfigKey("refreshIdleLifetimeSeconds")
    /// `refreshReuseGracePeriodSeconds`, integer.
    public static let refreshReuseGracePeriod = AuthKitConfigKey("refreshReuseGracePeriodSeconds")
    /// `leewaySeconds`, integer: clock-skew allowance.
    public static let leeway = AuthKitConfigKey("leewaySeconds")
    /// `maxSessions`, integer: the most sessions per user.
    public static let maxSessions = AuthKitConfigKey("maxSessions")
    /// `sessionOverflow`, `evict-oldest` or `refuse-new-login`.
    public static let sessionOverflow = AuthKitConfigKey("sessionOverflow")
    /// `keyPrefix`, string: the prefix of every store key.
    public static let keyPrefix = AuthKitConfigKey("keyPrefix")
    /// `rateLimitFailureMode`, `local-fallback`, `fail-open` or `fail-closed`.
    public static let rateLimitFailureMode = AuthKitConfigKey("rateLimitFailureMode")
    /// `permissionCache.ttlSeconds`, integer.
    public static let permissionCacheTTL = AuthKitConfigKey("permissionCache", "ttlSeconds")
    /// `permissionCache.negativeTtlSeconds`, integer.
    public static let permissionCacheNegativeTTL = AuthKitConfigKey("permissionCache", "negativeTtlSeconds")
    /// `permissionCache.localTtlSeconds`, integer.
    public static let permissionCacheLocalTTL = AuthKitConfigKey("permissionCache", "localTtlSeconds")
    /// `permissionCache.maximumLocalEntries`, integer.
    public static let permissionCacheMaximumLocalEntries = AuthKitConfigKey("permissionCache", "maximumLocalEntries")
    /// `touchSessionOnAuthenticate`, boolean.
    public static let touchSessionOnAuthenticate = AuthKitConfigKey("touchSessionOnAuthenticate")
    /// `sessionTouchIntervalSeconds`, integer: coalesced session touches at most once per this many seconds
    /// (`SessionTouch.coalesced(interval:maximumTrackedSessions:)`); wins over `touchSessionOnAuthenticate`.
    public static let sessionTouchInterval = AuthKitConfigKey("sessionTouchIntervalSeconds")
    /// `revocationMirror.enabled`, boolean: a local revocation mirror answers `authenticate` without a round trip
    /// (`RevocationMirrorPolicy`, its defaults refined by the two keys below, which need it on).
    public static let revocationMirrorEnabled = AuthKitConfigKey("revocationMirror", "enabled")
    /// `revocationMirror.stalenessBoundMilliseconds`, integer: how old a revocation may be and not yet be applied.
    public static let revocationMirrorStalenessBound = AuthKitConfigKey(
        "revocationMirror",
        "stalenessBoundMilliseconds"
    )
    /// `revocationMirror.maxAccessTokenLifetimeSeconds`, integer: the longest access-token lifetime it answers for.
    public static let revocationMirrorMaxAccessTokenLifetime = AuthKitConfigKey(
        "revocationMirror",
        "maxAccessTokenLifetimeSeconds"
    )
    /// `accessTokenType`, string: the required `typ` header.
    public static let accessTokenType = AuthKitConfigKey("accessTokenType")
    /// `maxTokenSize`, integer: the largest access token accepted, in bytes.
    public static let maxTokenSize = AuthKitConfigKey("maxTokenSize")
    /// `requiredClaims`, list of strings.
    public static let requiredClaims = AuthKitConfigKey("requiredClaims")
    /// `redis.url`, string, secret: the Redis URL (its variable is `RedisURLSetting.urlVariable`).
    public static let redisURL = AuthKitConfigKey("redis", "url")
    /// `redis.urlFile`, path: a file holding the Redis URL (its variable is `RedisURLSetting.urlFileVariable`).
    public static let redisURLFile = AuthKitConfigKey("redis", "urlFile")

    /// Every key AuthKitConfig reads.
    public static let all: [AuthKitConfigKey] = [
        issuer, audience, registeredAudiences, signingKeysDirectory, signingKeysCheckInterval,
        signingKeysPublicationLead, accessTokenLifetime, refreshTokenLifetime, refreshIdleLifetime,
        refreshReuseGracePeriod, leeway, maxSessions, sessionOverflow, keyPrefix, rateLimitFailureMode,
        permissionCacheTTL, permissionCacheNegativeTTL, permissionCacheLocalTTL, permissionCacheMaximumLocalEntries,
        touchSessionOnAuthenticate, sessionTouchInterval, revocationMirrorEnabled, revocationMirrorStalenessBound,
        revocationMirrorMaxAccessTokenLifetime, accessTokenType, maxTokenSize, requiredClaims, redisURL,
        redisURLFile,
    ]
}
#endif
