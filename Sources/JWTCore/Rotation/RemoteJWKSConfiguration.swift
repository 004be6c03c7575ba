/// How ``RemoteJWKS`` caches and refreshes a remote key set.
public struct RemoteJWKSConfiguration: Sendable {
    /// How long a fetched set is used when the source announces no max-age (default 5 minutes).
    public var defaultMaxAge: Duration
    /// Announced max-ages are raised to at least this (default 30 seconds), so a source cannot ask to be
    /// fetched on every token.
    public var minimumMaxAge: Duration
    /// Announced max-ages are capped at this (default 24 hours), so revoked keys do not linger.
    public var maximumMaxAge: Duration
    /// At most one fetch happens per cooldown (default 60 seconds) because of an unknown `kid`, so forged
    /// `kid`s cannot make the verifier hammer the source.
    public var refreshCooldown: Duration
    /// When a refresh fails, an expired set is still used for this long past its max-age (default zero:
    /// fail closed at once).
    public var staleIfError: Duration
    /// The algorithm for keys whose JWK has no `alg` (needed for RSA keys without one).
    public var algorithm: JWTAlgorithm?

    /// Creates a configuration; every parameter has the default above.
    public init(
        defaultMaxAge: Duration = .seconds(300),
        minimumMaxAge: Duration = .seconds(30),
        maximumMaxAge: Duration = .seconds(86_400),
        refreshCooldown: Duration = .seconds(60),
        staleIfError: Duration = .zero,
        algorithm: JWTAlgorithm? = nil
    ) {
        self.defaultMaxAge = defaultMaxAge
        self.minimumMaxAge = minimumMaxAge
        self.maximumMaxAge = maximumMaxAge
        self.refreshCooldown = refreshCooldown
        self.staleIfError = staleIfError
        self.algorithm = algorithm
    }
}
