// Built only with the `Configuration` trait; without it this module is empty and swift-configuration is not built.
#if Configuration
public import AuthKit
public import AuthKitRedis
public import Configuration
import Foundation
public import RedisClient
import SystemPackage

/// Reads an `AuthKitConfiguration` and the Redis URL from swift-configuration providers: the process
/// environment, a JSON file, or any other provider.
///
/// ```swift
/// let settings = try await AuthKitConfigReader.environment(jsonFile: "/etc/myapp/config.json")
/// let redis = try settings.redisURL()                       // AUTHKIT_REDIS_URL or AUTHKIT_REDIS_URL_FILE
/// let auth = try await AuthKit(
///     configuration: try settings.authKitConfiguration(),   // AUTHKIT_ISSUER, AUTHKIT_AUDIENCE, …
///     store: redis.map { .redis(url: $0.url) } ?? .inMemory())
/// ```
///
/// The names are those of ``AuthKitConfigKey``. For each key the first provider that has it wins. A value of the
/// wrong type fails with an error naming the key, never showing the value; the configuration read is checked by
/// the same rules as one built in code, before it is returned.
public struct AuthKitConfigReader: Sendable {
    /// The providers, in order of precedence.
    let providers: [any ConfigProvider]

    /// Reads from `providers`, the first one that has a key winning.
    ///
    /// The reader looks keys up in the providers itself rather than through a `ConfigReader`, whose non-throwing
    /// getters cannot tell a missing value from a malformed one: AuthKitConfig refuses a malformed value.
    public init(providers: [any ConfigProvider]) {
        self.providers = providers
    }

    /// Reads from the environment variables `environment` (nil: the process's), then from the JSON file at
    /// `jsonFile` when one is given: variables beat the file.
    ///
    /// Throws `AuthKitError.invalidConfiguration` when the file cannot be read or is
    /// not JSON; the message names the file, never its contents.
    public static func environment(
        _ environment: [String: String]? = nil,
        jsonFile: String? = nil
    ) async throws(AuthKitError) -> AuthKitConfigReader {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment ?? ProcessInfo.processInfo.environment)
        ]
        if let jsonFile {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(jsonFile)))
            } catch {
                throw AuthKitError(
                    .invalidConfiguration,
                    "the configuration file \(jsonFile) cannot be read or is not a JSON object"
                )
            }
        }
        return AuthKitConfigReader(providers: providers)
    }

    /// The AuthKit configuration these providers hold, with `signingKeys` when given (keys built in code), else
    /// the key directory of ``AuthKitConfigKey/signingKeysDirectory``.
    ///
    /// Throws `AuthKitError.invalidConfiguration` naming the key of a required value
    /// that is missing or a value that is malformed, or with the rule a value breaks.
    public func authKitConfiguration(signingKeys: SigningKeySource? = nil) throws(AuthKitError) -> AuthKitConfiguration
    {
        guard let issuer = try string(.issuer) else { throw Self.missing(.issuer) }
        guard let audience = try string(.audience) else { throw Self.missing(.audience) }
        var configuration = AuthKitConfiguration(issuer: issuer, audience: audience, signingKeys: [])
        if let signingKeys {
            configuration.signingKeys = signingKeys
        } else {
            configuration.signingKeys = try keyDirectory()
        }
        try read(.registeredAudiences, strings, into: &configuration) { $0.registeredAudiences = Set($1) }
        try read(.accessTokenLifetime, seconds, into: &configuration) { $0.accessTokenLifetime = $1 }
        try read(.refreshTokenLifetime, seconds, into: &configuration) { $0.refreshTokenLifetime = $1 }
        try read(.refreshIdleLifetime, seconds, into: &configuration) { $0.refreshIdleLifetime = $1 }
        try read(.refreshReuseGracePeriod, seconds, into: &configuration) { $0.refreshReuseGracePeriod = $1 }
        try read(.leeway, seconds, into: &configuration) { $0.leeway = $1 }
        try read(.maxSessions, int, into: &configuration) { $0.sessionPolicy.maxSessions = $1 }
        try read(.sessionOverflow, sessionOverflow, into: &configuration) { $0.sessionPolicy.overflow = $1 }
        try read(.keyPrefix, string, into: &configuration) { $0.keyPrefix = $1 }
        try read(.rateLimitFailureMode, rateLimitFailureMode, into: &configuration) { $0.rateLimitFailureMode = $1 }
        try read(.permissionCacheTTL, seconds, into: &configuration) { $0.permissionCache.ttl = $1 }
        try read(.permissionCacheNegativeTTL, seconds, into: &configuration) { $0.permissionCache.negativeTTL = $1 }
        try read(.permissionCacheLocalTTL, seconds, into: &configuration) { $0.permissionCache.localTTL = $1 }
        try read(.permissionCacheMaximumLocalEntries, int, into: &configuration) {
            $0.permissionCache.maximumLocalEntries = $1
        }
        try read(.touchSessionOnAuthenticate, bool, into: &configuration) { $0.touchSessionOnAuthenticate = $1 }
        try read(.sessionTouchInterval, seconds, into: &configuration) { $0.sessionTouch = .coalesced(interval: $1) }
        configuration.revocationMirror = try revocationMirror()
        try read(.accessTokenType, string, into: &configuration) { $0.accessTokenType = $1 }
        try read(.maxTokenSize, int, into: &configuration) { $0.maxTokenSize = $1 }
        try read(.requiredClaims, strings, into: &configuration) { $0.requiredClaims = Set($1) }
        do {
            try configuration.validateSettings()
        } catch {
            throw AuthKitError(.invalidConfiguration, "invalid AuthKit configuration: \(error.message)")
        }
        return configuration
    }

    /// The Redis URL of ``AuthKitConfigKey/redisURL``, else of the file ``AuthKitConfigKey/redisURLFile`` names, or
    /// nil when neither is set. Executables that also take `--redis` use
    /// `RedisURLSetting.resolve`, which orders the same sources.
    ///
    /// Throws `RedisError.invalidConfiguration` naming the key when the file cannot be read or
    /// the URL is invalid; the message never shows the URL's credentials.
    public func redisURL() throws(RedisError) -> RedisURLSetting? {
        let url: String?
        let file: String?
        do {
            url = try string(.redisURL)
            file = try string(.redisURLFile)
        } catch {
            throw RedisError(.invalidConfiguration, error.message)
        }
        return try RedisURLSetting.resolve([
            .url(url, from: AuthKitConfigKey.redisURL.description),
            .file(file, from: AuthKitConfigKey.redisURLFile.description),
        ])
    }

    // MARK: Values

    /// Sets the value of `key`, read by `value`, with `apply`, when a provider has one.
    private func read<Value>(
        _ key: AuthKitConfigKey,
        _ value: (AuthKitConfigKey) throws(AuthKitError) -> Value?,
        into configuration: inout AuthKitConfiguration,
        _ apply: (inout AuthKitConfiguration, Value) -> Void
    ) throws(AuthKitError) {
        if let found = try value(key) {
            apply(&configuration, found)
        }
    }

    /// The content of the first provider that has `key` as `type`, or nil when none has it.
    private func content(
        _ key: AuthKitConfigKey,
        _ type: ConfigType,
        _ expected: String
    ) throws(AuthKitError)
        -> ConfigContent?
    {
        for provider in providers {
            do {
                if let value = try provider.value(forKey: AbsoluteConfigKey(key.components), type: type).value {
                    return value.content
                }
            } catch {
                throw Self.invalid(key, expected)
            }
        }
        return nil
    }

    /// The mirror's policy when `revocationMirror.enabled` is true; its refinements without it are an error, since
    /// they would otherwise be silently ignored.
    private func revocationMirror() throws(AuthKitError) -> RevocationMirrorPolicy? {
        let bound = try int(.revocationMirrorStalenessBound)
        let lifetime = try seconds(.revocationMirrorMaxAccessTokenLifetime)
        guard try bool(.revocationMirrorEnabled) == true else {
            if bound != nil || lifetime != nil {
                throw AuthKitError(
                    .invalidConfiguration,
                    "\(AuthKitConfigKey.revocationMirrorEnabled) must be true for the revocation mirror's other settings"
                )
            }
            return nil
        }
        var policy = RevocationMirrorPolicy()
        if let bound {
            policy = RevocationMirrorPolicy(
                stalenessBound: .milliseconds(bound),
                maxAccessTokenLifetime: policy.maxAccessTokenLifetime
            )
        }
        if let lifetime {
            policy.maxAccessTokenLifetime = lifetime
        }
        return policy
    }

    private func string(_ key: AuthKitConfigKey) throws(AuthKitError) -> String? {
        guard case .string(let text) = try content(key, .string, "a string"), !text.isEmpty else { return nil }
        return text
    }

    private func strings(_ key: AuthKitConfigKey) throws(AuthKitError) -> [String]? {
        guard case .stringArray(let list) = try content(key, .stringArray, "a list of strings") else { return nil }
        return list
    }

    private func int(_ key: AuthKitConfigKey) throws(AuthKitError) -> Int? {
        guard case .int(let number) = try content(key, .int, "a whole number") else { return nil }
        return number
    }

    private func bool(_ key: AuthKitConfigKey) throws(AuthKitError) -> Bool? {
        guard case .bool(let flag) = try content(key, .bool, "true or false") else { return nil }
        return flag
    }

    /// A whole number of seconds, not negative.
    private func seconds(_ key: AuthKitConfigKey) throws(AuthKitError) -> Duration? {
        guard case .int(let number) = try content(key, .int, "a whole number of seconds") else { return nil }
        guard number >= 0 else { throw Self.invalid(key, "a whole number of seconds, not negative") }
        return .seconds(number)
    }

    private func sessionOverflow(_ key: AuthKitConfigKey) throws(AuthKitError) -> SessionPolicy.Overflow? {
        let choices: [String: SessionPolicy.Overflow] = [
            "evict-oldest": .evictOldest, "refuse-new-login": .refuseNewLogin,
        ]
        return try choice(key, choices)
    }

    private func rateLimitFailureMode(_ key: AuthKitConfigKey) throws(AuthKitError) -> RateLimitFailureMode? {
        let choices: [String: RateLimitFailureMode] = [
            "local-fallback": .localFallback(), "fail-open": .failOpen, "fail-closed": .failClosed,
        ]
        return try choice(key, choices)
    }

    private func choice<Value>(_ key: AuthKitConfigKey, _ choices: [String: Value]) throws(AuthKitError) -> Value? {
        guard let name = try string(key) else { return nil }
        guard let value = choices[name] else {
            throw Self.invalid(key, "one of \(choices.keys.sorted().joined(separator: ", "))")
        }
        return value
    }

    private func keyDirectory() throws(AuthKitError) -> SigningKeySource {
        guard let path = try string(.signingKeysDirectory) else { throw Self.missing(.signingKeysDirectory) }
        var source = SigningKeySource.directory(path)
        if let interval = try seconds(.signingKeysCheckInterval) {
            source.checkInterval = interval
        }
        if let lead = try seconds(.signingKeysPublicationLead) {
            source.publicationLead = lead
        }
        return source
    }

    private static func missing(_ key: AuthKitConfigKey) -> AuthKitError {
        AuthKitError(.invalidConfiguration, "\(key) is required")
    }

    private static func invalid(_ key: AuthKitConfigKey, _ expected: String) -> AuthKitError {
        AuthKitError(.invalidConfiguration, "\(key) must be \(expected)")
    }
}
#endif
