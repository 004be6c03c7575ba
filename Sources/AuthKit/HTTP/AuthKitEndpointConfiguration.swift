/// How AuthKit's HTTP endpoints limit their callers, and who may introspect other users' tokens.
///
/// Every rate-limit key is `"<policy name>:<what is counted>"` (``AuthKitVerifier/chargeRequest(_:counting:)``):
/// `login:<username>` (`login:address:<client address>` for a body without one), `refresh:<client address>`,
/// `revoke:<client address>` and, on the signed-in endpoints, `<signedIn name>:<user id>`. Every response a limit
/// charged carries `RateLimit-Policy` and `RateLimit`; a refusal is a 429 with `Retry-After`.
public struct AuthKitEndpointConfiguration: Sendable {
    /// Login attempts per username, failed or not (default 5 a minute, sliding window: a fixed window would let 10
    /// guesses through in two seconds around a minute boundary); nil for no limit.
    public var loginPolicy: RateLimitPolicy?
    /// Refreshes per client address (default 60 a minute); nil for no limit.
    public var refreshPolicy: RateLimitPolicy?
    /// Revocations per client address (default 60 a minute); nil for no limit.
    public var revocationPolicy: RateLimitPolicy?
    /// Requests per user on the signed-in endpoints (logout, sessions, introspection; default 600 a minute); nil for
    /// no limit. Apps usually put their own signed-in routes under the same policy.
    public var signedInPolicy: RateLimitPolicy?
    /// The permission that lets a caller introspect any user's tokens (a resource server's service account);
    /// without it a caller learns only about its own user's tokens and anything else is `{"active":false}`.
    public var introspectionPermission: String
    /// The longest username accepted at login, in UTF-8 bytes.
    public var maxUsernameBytes: Int

    /// Creates a configuration; the defaults are the documented behaviour.
    public init(
        loginPolicy: RateLimitPolicy? = RateLimitPolicy(
            limit: 5,
            window: .seconds(60),
            algorithm: .slidingWindow,
            name: "login"
        ),
        refreshPolicy: RateLimitPolicy? = RateLimitPolicy(limit: 60, window: .seconds(60), name: "refresh"),
        revocationPolicy: RateLimitPolicy? = RateLimitPolicy(limit: 60, window: .seconds(60), name: "revoke"),
        signedInPolicy: RateLimitPolicy? = RateLimitPolicy(limit: 600, window: .seconds(60), name: "api"),
        introspectionPermission: String = "authkit:introspect",
        maxUsernameBytes: Int = 128
    ) {
        self.loginPolicy = loginPolicy
        self.refreshPolicy = refreshPolicy
        self.revocationPolicy = revocationPolicy
        self.signedInPolicy = signedInPolicy
        self.introspectionPermission = introspectionPermission
        self.maxUsernameBytes = maxUsernameBytes
    }
}
