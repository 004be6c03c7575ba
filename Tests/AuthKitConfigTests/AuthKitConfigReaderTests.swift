#if Configuration
import AuthKit
import AuthKitConfig
import AuthKitRedis
import Configuration
import Foundation
import RedisClient
import Testing

/// AuthKitConfig: settings read from the environment, JSON files and in-memory providers, checked by the code
/// path's rules, with errors that name the key and never show a secret.
@Suite("AuthKitConfig")
struct AuthKitConfigReaderTests {
    /// The required settings, as environment variables.
    static let required = [
        "AUTHKIT_ISSUER": "https://auth.example.com", "AUTHKIT_AUDIENCE": "api",
        "AUTHKIT_SIGNING_KEYS_DIRECTORY": "/etc/authkit/keys",
    ]

    private func configuration(_ environment: [String: String]) async throws -> AuthKitConfiguration {
        try await AuthKitConfigReader.environment(environment).authKitConfiguration()
    }

    /// The error reading `environment` (the required settings plus these) throws.
    private func error(_ environment: [String: String]) async -> AuthKitError? {
        await #expect(throws: AuthKitError.self) {
            try await configuration(Self.required.merging(environment) { $1 })
        }
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("authkit-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("every key's environment variable is the one swift-configuration's environment provider looks up")
    func environmentNames() throws {
        for key in AuthKitConfigKey.all {
            let provider = EnvironmentVariablesProvider(environmentVariables: [key.environmentVariable: "x"])
            let found = try provider.value(forKey: AbsoluteConfigKey(key.components), type: .string).value
            #expect(found?.content == .string("x"), "\(key)")
        }
        #expect(AuthKitConfigKey.redisURL.environmentVariable == RedisURLSetting.urlVariable)
        #expect(AuthKitConfigKey.redisURLFile.environmentVariable == RedisURLSetting.urlFileVariable)
        #expect(AuthKitConfigKey.accessTokenLifetime.environmentVariable == "AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS")
        #expect(
            AuthKitConfigKey.permissionCacheNegativeTTL.description
                == "authkit.permissionCache.negativeTtlSeconds (AUTHKIT_PERMISSION_CACHE_NEGATIVE_TTL_SECONDS)"
        )
    }

    @Test("every setting is read from the environment; what is not set keeps the code path's default")
    func fromEnvironment() async throws {
        let defaults = try await configuration(Self.required)
        let code = AuthKitConfiguration(issuer: "https://auth.example.com", audience: "api", signingKeys: [])
        #expect(defaults.accessTokenLifetime == code.accessTokenLifetime)
        #expect(defaults.refreshTokenLifetime == code.refreshTokenLifetime)
        #expect(defaults.keyPrefix == code.keyPrefix)
        #expect(defaults.requiredClaims == code.requiredClaims)
        #expect(defaults.signingKeys.checkInterval == SigningKeySource.directory("/x").checkInterval)

        let all = try await configuration(
            Self.required.merging([
                "AUTHKIT_REGISTERED_AUDIENCES": "web,mobile",
                "AUTHKIT_SIGNING_KEYS_CHECK_INTERVAL_SECONDS": "10",
                "AUTHKIT_SIGNING_KEYS_PUBLICATION_LEAD_SECONDS": "60",
                "AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS": "300",
                "AUTHKIT_REFRESH_TOKEN_LIFETIME_SECONDS": "86400",
                "AUTHKIT_REFRESH_IDLE_LIFETIME_SECONDS": "3600",
                "AUTHKIT_REFRESH_REUSE_GRACE_PERIOD_SECONDS": "5",
                "AUTHKIT_LEEWAY_SECONDS": "30",
                "AUTHKIT_MAX_SESSIONS": "5",
                "AUTHKIT_SESSION_OVERFLOW": "refuse-new-login",
                "AUTHKIT_KEY_PREFIX": "app:",
                "AUTHKIT_RATE_LIMIT_FAILURE_MODE": "fail-closed",
                "AUTHKIT_PERMISSION_CACHE_TTL_SECONDS": "120",
                "AUTHKIT_PERMISSION_CACHE_NEGATIVE_TTL_SECONDS": "10",
                "AUTHKIT_PERMISSION_CACHE_LOCAL_TTL_SECONDS": "2",
                "AUTHKIT_PERMISSION_CACHE_MAXIMUM_LOCAL_ENTRIES": "500",
                "AUTHKIT_TOUCH_SESSION_ON_AUTHENTICATE": "true",
                "AUTHKIT_SESSION_TOUCH_INTERVAL_SECONDS": "60",
                "AUTHKIT_REVOCATION_MIRROR_ENABLED": "true",
                "AUTHKIT_REVOCATION_MIRROR_STALENESS_BOUND_MILLISECONDS": "500",
                "AUTHKIT_REVOCATION_MIRROR_MAX_ACCESS_TOKEN_LIFETIME_SECONDS": "600",
                "AUTHKIT_ACCESS_TOKEN_TYPE": "jwt",
                "AUTHKIT_MAX_TOKEN_SIZE": "4096",
                "AUTHKIT_REQUIRED_CLAIMS": "exp,iat,sub,jti,sid",
            ]) { $1 }
        )
        #expect(all.issuer == "https://auth.example.com")
        #expect(all.audience == "api")
        #expect(all.registeredAudiences == ["web", "mobile"])
        #expect(all.signingKeys.checkInterval == .seconds(10))
        #expect(all.signingKeys.publicationLead == .seconds(60))
        #expect(all.accessTokenLifetime == .seconds(300))
        #expect(all.refreshTokenLifetime == .seconds(86_400))
        #expect(all.refreshIdleLifetime == .seconds(3600))
        #expect(all.refreshReuseGracePeriod == .seconds(5))
        #expect(all.leeway == .seconds(30))
        #expect(all.sessionPolicy == SessionPolicy(maxSessions: 5, overflow: .refuseNewLogin))
        #expect(all.keyPrefix == "app:")
        #expect(all.rateLimitFailureMode == .failClosed)
        #expect(all.permissionCache.ttl == .seconds(120))
        #expect(all.permissionCache.negativeTTL == .seconds(10))
        #expect(all.permissionCache.localTTL == .seconds(2))
        #expect(all.permissionCache.maximumLocalEntries == 500)
        #expect(all.touchSessionOnAuthenticate)
        #expect(all.sessionTouch == .coalesced(interval: .seconds(60)))
        #expect(all.revocationMirror?.stalenessBound == .milliseconds(500))
        #expect(all.revocationMirror?.maxAccessTokenLifetime == .seconds(600))
        #expect(all.accessTokenType == "jwt")
        #expect(all.maxTokenSize == 4096)
        #expect(all.requiredClaims == ["exp", "iat", "sub", "jti", "sid"])
    }

    @Test("a JSON file holds the settings under authkit; the environment comes first")
    func fromJSONFile() async throws {
        let path = try temporaryFile(
            """
            {"authkit": {"issuer": "https://file.example.com", "audience": "api",
              "registeredAudiences": ["web"], "accessTokenLifetimeSeconds": 600, "touchSessionOnAuthenticate": true,
              "signingKeys": {"directory": "/keys", "checkIntervalSeconds": 5},
              "redis": {"url": "redis://:\(Self.secret)@db:6379"}}}
            """
        )
        let fileOnly = try await AuthKitConfigReader.environment([:], jsonFile: path)
        let configuration = try fileOnly.authKitConfiguration()
        #expect(configuration.issuer == "https://file.example.com")
        #expect(configuration.registeredAudiences == ["web"])
        #expect(configuration.accessTokenLifetime == .seconds(600))
        #expect(configuration.touchSessionOnAuthenticate)
        #expect(configuration.signingKeys.checkInterval == .seconds(5))
        #expect(try fileOnly.redisURL()?.configuration.password == Self.secret)
        #expect(
            try fileOnly.redisURL()?.description
                == "redis://:***@db:6379/0 (from authkit.redis.url (AUTHKIT_REDIS_URL))"
        )

        let both = try await AuthKitConfigReader.environment(
            ["AUTHKIT_ISSUER": "https://env.example.com", "AUTHKIT_REDIS_URL": "redis://envdb"],
            jsonFile: path
        )
        #expect(try both.authKitConfiguration().issuer == "https://env.example.com")
        #expect(try both.authKitConfiguration().accessTokenLifetime == .seconds(600))
        #expect(try both.redisURL()?.url == "redis://envdb")
    }

    @Test("an in-memory provider works like any other; keys given in code replace the key directory")
    func fromInMemoryProvider() throws {
        let provider = InMemoryProvider(values: [
            "authkit.issuer": "https://memory.example.com", "authkit.audience": "api", "authkit.leewaySeconds": 10,
        ])
        let reader = AuthKitConfigReader(providers: [provider])
        let configuration = try reader.authKitConfiguration(signingKeys: [])
        #expect(configuration.issuer == "https://memory.example.com")
        #expect(configuration.leeway == .seconds(10))
        #expect(try reader.redisURL() == nil)
        let error = #expect(throws: AuthKitError.self) { try reader.authKitConfiguration() }
        #expect(error?.message == "authkit.signingKeys.directory (AUTHKIT_SIGNING_KEYS_DIRECTORY) is required")
    }

    @Test(
        "a missing required value names its key",
        arguments: ["AUTHKIT_ISSUER", "AUTHKIT_AUDIENCE", "AUTHKIT_SIGNING_KEYS_DIRECTORY"]
    )
    func missing(variable: String) async throws {
        var environment = Self.required
        environment[variable] = nil
        let error = await #expect(throws: AuthKitError.self) { try await configuration(environment) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasSuffix("(\(variable)) is required") == true, "\(error?.message ?? "")")
    }

    @Test(
        "a malformed value names its key and what it must be, never the value",
        arguments: [
            ("AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS", "s3cr3t", "must be a whole number of seconds"),
            ("AUTHKIT_LEEWAY_SECONDS", "-5", "must be a whole number of seconds, not negative"),
            ("AUTHKIT_MAX_TOKEN_SIZE", "s3cr3t", "must be a whole number"),
            ("AUTHKIT_TOUCH_SESSION_ON_AUTHENTICATE", "s3cr3t", "must be true or false"),
            ("AUTHKIT_SESSION_OVERFLOW", "s3cr3t", "must be one of evict-oldest, refuse-new-login"),
            ("AUTHKIT_RATE_LIMIT_FAILURE_MODE", "s3cr3t", "must be one of fail-closed, fail-open, local-fallback"),
        ]
    )
    func malformed(variable: String, value: String, expected: String) async {
        let error = await error([variable: value])
        #expect(error?.message.hasSuffix("(\(variable)) \(expected)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("s3cr3t") == false)
    }

    @Test("a JSON value of the wrong type names its key")
    func wrongJSONType() async throws {
        let path = try temporaryFile(#"{"authkit": {"issuer": "i", "audience": "a", "maxTokenSize": "big"}}"#)
        let reader = try await AuthKitConfigReader.environment([:], jsonFile: path)
        let error = #expect(throws: AuthKitError.self) { try reader.authKitConfiguration(signingKeys: []) }
        #expect(error?.message == "authkit.maxTokenSize (AUTHKIT_MAX_TOKEN_SIZE) must be a whole number")
    }

    @Test("a file that is missing or not JSON is refused, naming the file and not its contents")
    func unreadableFile() async throws {
        let notJSON = try temporaryFile("issuer = \(Self.secret)")
        for path in ["/nonexistent/authkit.json", notJSON] {
            let error = await #expect(throws: AuthKitError.self) {
                try await AuthKitConfigReader.environment([:], jsonFile: path)
            }
            #expect(error?.message == "the configuration file \(path) cannot be read or is not a JSON object")
        }
    }

    /// Settings that break a rule of the code path, and that rule's message.
    static let ruleBreakers: [([String: String], String)] = [
        (["AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS": "0"], "the access-token lifetime must be between 0 and 24 hours"),
        (
            ["AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS": "90000"],
            "the access-token lifetime must be between 0 and 24 hours"
        ),
        (
            ["AUTHKIT_ACCESS_TOKEN_LIFETIME_SECONDS": "600", "AUTHKIT_REFRESH_TOKEN_LIFETIME_SECONDS": "300"],
            "the refresh-token lifetime must not be shorter than the access token's"
        ),
        (["AUTHKIT_REQUIRED_CLAIMS": "exp,sub"], "exp, iat and sub cannot be dropped from the required claims"),
        (["AUTHKIT_KEY_PREFIX": "a{b}:"], "the key prefix must be non-empty and hold no '{' or '}'"),
        (["AUTHKIT_REGISTERED_AUDIENCES": "web,,mobile"], "a registered audience must not be empty"),
        (["AUTHKIT_LEEWAY_SECONDS": "301"], "leeway must be between 0 and 300 seconds"),
        (["AUTHKIT_MAX_TOKEN_SIZE": "0"], "maxTokenSize must be between 1 byte and 1 MiB"),
        (
            ["AUTHKIT_REFRESH_REUSE_GRACE_PERIOD_SECONDS": "61"],
            "the reuse grace period must be between 0 and 60 seconds"
        ),
        (["AUTHKIT_MAX_SESSIONS": "0"], "a session limit must allow at least one session"),
        (["AUTHKIT_PERMISSION_CACHE_TTL_SECONDS": "0"], "the permission TTL must be at least 1 ms"),
        (["AUTHKIT_PERMISSION_CACHE_MAXIMUM_LOCAL_ENTRIES": "0"], "maximumLocalEntries must be at least 1"),
        (
            ["AUTHKIT_SESSION_TOUCH_INTERVAL_SECONDS": "0"],
            "the session touch interval must be more than zero and at most"
        ),
        (
            ["AUTHKIT_REFRESH_IDLE_LIFETIME_SECONDS": "600", "AUTHKIT_SESSION_TOUCH_INTERVAL_SECONDS": "301"],
            "the session touch interval must be at most half the sessions' idle lifetime"
        ),
        (
            [
                "AUTHKIT_REVOCATION_MIRROR_ENABLED": "true",
                "AUTHKIT_REVOCATION_MIRROR_MAX_ACCESS_TOKEN_LIFETIME_SECONDS": "60",
            ],
            "the access-token lifetime is longer than the revocation mirror's maxAccessTokenLifetime"
        ),
        (
            [
                "AUTHKIT_REVOCATION_MIRROR_ENABLED": "true",
                "AUTHKIT_REVOCATION_MIRROR_STALENESS_BOUND_MILLISECONDS": "0",
            ],
            "the mirror's staleness bound must be at least 1 ms"
        ),
    ]

    @Test("the revocation mirror's settings without revocationMirror.enabled are refused, not ignored")
    func mirrorSettingsNeedTheMirror() async throws {
        let error = await error(["AUTHKIT_REVOCATION_MIRROR_STALENESS_BOUND_MILLISECONDS": "500"])
        #expect(error?.code == .invalidConfiguration)
        #expect(
            error?.message.contains("(AUTHKIT_REVOCATION_MIRROR_ENABLED) must be true") == true,
            "\(error?.message ?? "")"
        )
        #expect(try await configuration(Self.required).revocationMirror == nil)
    }

    @Test("a value that breaks a rule fails with the code path's message", arguments: ruleBreakers)
    func rules(environment: [String: String], expected: String) async throws {
        let error = await error(environment)
        #expect(error?.code == .invalidConfiguration)
        #expect(
            error?.message.hasPrefix("invalid AuthKit configuration: \(expected)") == true,
            "\(error?.message ?? "")"
        )
    }

    @Test("the Redis URL: the variable before the file, errors naming the key without the password")
    func redisURL() throws {
        let file = try temporaryFile("redis://:\(Self.secret)@file-db:6379\n")
        let reader = { (environment: [String: String]) in
            AuthKitConfigReader(providers: [EnvironmentVariablesProvider(environmentVariables: environment)])
        }
        let fromFile = try reader(["AUTHKIT_REDIS_URL_FILE": file]).redisURL()
        #expect(fromFile?.configuration.password == Self.secret)
        #expect(fromFile?.description.contains(Self.secret) == false)
        let both = try reader(["AUTHKIT_REDIS_URL": "redis://db", "AUTHKIT_REDIS_URL_FILE": file]).redisURL()
        #expect(both?.url == "redis://db")
        #expect(try reader([:]).redisURL() == nil)

        let invalid = #expect(throws: RedisError.self) {
            try reader(["AUTHKIT_REDIS_URL": "redis://:\(Self.secret)/x@db"]).redisURL()
        }
        #expect(invalid?.message.hasPrefix("authkit.redis.url (AUTHKIT_REDIS_URL): ") == true)
        #expect(invalid?.message.contains(Self.secret) == false)
        let missing = #expect(throws: RedisError.self) {
            try reader(["AUTHKIT_REDIS_URL_FILE": "/nonexistent/url"]).redisURL()
        }
        #expect(
            missing?.message
                == "authkit.redis.urlFile (AUTHKIT_REDIS_URL_FILE) (file /nonexistent/url): the file cannot be read"
        )
    }

    private static let secret = "s3cr3t-pw"
}
#endif
