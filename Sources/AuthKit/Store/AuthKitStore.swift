package import Logging
import Synchronization

/// Where an ``AuthKit`` issuer or an ``AuthKitVerifier`` keeps its state: in memory (the embedded default) or in
/// Redis (`AuthKitStore.redis(url:)` from the `AuthKitRedis` module).
///
/// A store is a recipe, opened by ``AuthKit/init(configuration:store:clock:logger:)`` or
/// ``AuthKitVerifier/init(configuration:store:clock:logger:)`` with the configured key prefix and the clock, so
/// that every part shares them. An issuer and the services that verify its tokens open the same store with the
/// same prefix: that is how a logout on one is seen by all.
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
        /// Long-running work the store needs (connections, subscriptions); returns when the store shuts down. The
        /// facade's `run()` cancels it on a graceful shutdown once the pending session touches are written, so it
        /// should keep the store usable until then rather than close it when the graceful shutdown begins.
        public var run: @Sendable () async throws -> Void
        /// Releases the store's resources.
        public var shutdown: @Sendable () async -> Void
        /// Makes a local mirror of the store's revocations under a policy, for stores that have a revocation feed.
        package var revocationMirror: (@Sendable (RevocationMirrorPolicy, Logger) throws -> any AccessCheckMirror)?

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
    let open: @Sendable (String, TimeSource) async throws -> Backends

    /// A store from a function that opens its parts under a key prefix with a clock.
    public init(
        name: String,
        open: @escaping @Sendable (_ keyPrefix: String, _ clock: TimeSource) async throws -> Backends
    ) {
        self.name = name
        self.open = open
    }

    /// State in this process only: for tests, development and single-instance apps.
    ///
    /// One value is one state: an issuer and the ``AuthKitVerifier``s opened with the same value in one process
    /// share it (read with the clock of the first to open it), as they would share one Redis.
    public static func inMemory() -> AuthKitStore {
        let shared = SharedInMemoryBackends()
        return AuthKitStore(name: "in-memory") { _, clock in shared.backends(clock: clock) }
    }
}

/// The in-memory parts of one ``AuthKitStore/inMemory()`` value, made by its first open and handed to the rest.
private final class SharedInMemoryBackends: Sendable {
    private let opened = Mutex<AuthKitStore.Backends?>(nil)

    func backends(clock: TimeSource) -> AuthKitStore.Backends {
        opened.withLock { opened in
            if let opened { return opened }
            let backends = AuthKitStore.Backends(
                tokens: InMemoryTokenStore(clock: clock),
                rateLimits: InMemoryRateLimitStore(clock: clock),
                permissions: InMemoryPermissionStore(clock: clock),
                invalidations: InMemoryPermissionInvalidationBus()
            )
            opened = backends
            return backends
        }
    }
}
