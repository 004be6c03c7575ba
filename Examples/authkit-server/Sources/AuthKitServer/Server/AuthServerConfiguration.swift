public import AuthKit

/// What the example server issues and how hard it limits: everything but the store and the clock.
public struct AuthServerConfiguration: Sendable {
    /// The `iss` of the access tokens.
    public var issuer: String
    /// The `aud` of the access tokens.
    public var audience: String
    /// The algorithm of the signing key generated at start.
    public var algorithm: SigningAlgorithm
    /// Login attempts per username (`POST /login`): 5 a minute, failed or not. A sliding window, because a
    /// fixed one would let 10 guesses through in two seconds around a minute boundary.
    public var loginPolicy: RateLimitPolicy
    /// Refreshes per client address (`POST /refresh`).
    public var refreshPolicy: RateLimitPolicy
    /// Requests per user on the authenticated routes.
    public var apiPolicy: RateLimitPolicy

    /// Creates a configuration; the defaults are the documented behaviour of `authkit-server`.
    public init(
        issuer: String = "http://localhost:8080",
        audience: String = "authkit-server",
        algorithm: SigningAlgorithm = .es256,
        loginPolicy: RateLimitPolicy = RateLimitPolicy(
            limit: 5,
            window: .seconds(60),
            algorithm: .slidingWindow,
            name: "login"
        ),
        refreshPolicy: RateLimitPolicy = RateLimitPolicy(limit: 60, window: .seconds(60), name: "refresh"),
        apiPolicy: RateLimitPolicy = RateLimitPolicy(limit: 600, window: .seconds(60), name: "api")
    ) {
        self.issuer = issuer
        self.audience = audience
        self.algorithm = algorithm
        self.loginPolicy = loginPolicy
        self.refreshPolicy = refreshPolicy
        self.apiPolicy = apiPolicy
    }
}
