/// Where an ``AuthKit`` instance keeps its state: in memory (the embedded default) or in Redis
/// (`AuthKitStore.redis(url:)` from the `AuthKitRedis` module).
///
/// A store is a recipe, opened by ``AuthKit/init(configuration:store:clock:logger:)`` with the configuration
/// (for the key prefix) and the clock, so that every part shares them.
public struct AuthKitStore: Sendable {
    /// The opened parts of a store.
    public struct Backends: Sendable {
        /// Revocation, refresh-token families and sessions.
        public var tokens: any TokenStore
        /// Rate-limit state.
        public var rateLimits: any RateLimitStore
        /// Cached permission sets.
        public var permissions: any PermissionStore
        /// How permission invalidations reach other instances, if they can.
        public var invalidations: (any PermissionInvalidationChannel)?
        /// Long-running work the store needs (connections, subscriptions); returns when the store shuts down.
        public var run: @Sendable () async throws -> Void
        /// Releases the store's resources.
        public var shutdown: @Sendable () async -> Void

        /// Bundles the parts of a store.
        public init(
            tokens: any TokenStore,
            rateLimits: any RateLimitStore,
            permissions: any PermissionStore,
            invalidations: (any PermissionInvalidationChannel)? = nil,
            run: @escaping @Sendable () async throws -> Void = {},
            shutdown: @escaping @Sendable () async -> Void = {}
        ) {
            self.tokens = tokens
            self.rateLimits = rateLimits
            self.permissions = permissions
            self.invalidations = invalidations
            self.run = run
            self.shutdown = shutdown
        }
    }

    /// A short name for logs (`in-memory`, `redis`).
    public let name: String
    let open: @Sendable (AuthKitConfiguration, WallClock) async throws -> Backends

    /// A store from a function that opens its parts.
    public init(
        name: String,
        open: @escaping @Sendable (_ configuration: AuthKitConfiguration, _ clock: WallClock) async throws -> Backends
    ) {
        self.name = name
        self.open = open
    }

    /// State in this process only: for tests, development and single-instance apps.
    public static func inMemory() -> AuthKitStore {
        AuthKitStore(name: "in-memory") { _, clock in
            Backends(
                tokens: InMemoryTokenStore(clock: clock),
                rateLimits: InMemoryRateLimitStore(clock: clock),
                permissions: InMemoryPermissionStore(clock: clock),
                invalidations: InMemoryPermissionInvalidationBus()
            )
        }
    }
}
