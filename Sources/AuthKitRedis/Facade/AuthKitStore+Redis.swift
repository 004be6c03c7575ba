public import AuthKit
public import RedisClient

extension AuthKitStore {
    /// State in Redis at `url` (`redis://[user:password@]host[:port][/db]`, `rediss://…`, `unix:///path`):
    /// revocations, sessions, rate limits and permissions shared by every instance of the app.
    ///
    /// The store owns its connection pool: `run()` services it and `shutdown()` closes it.
    /// At start the server's `maxmemory-policy` is checked; with `strictMemoryPolicy` a policy that could
    /// evict revocations refuses to start. Set `previousVersionWritesUntil` only for a rolling upgrade from a version
    /// before the one-command access check (see `RedisTokenStoreConfiguration.previousVersionWritesUntil`).
    public static func redis(
        url: String,
        strictMemoryPolicy: Bool = false,
        previousVersionWritesUntil: UnixTime? = nil
    ) -> AuthKitStore {
        AuthKitStore(name: "redis") { prefix, clock in
            let client = try RedisClient(url: url)
            do {
                return try await backends(
                    client: client,
                    ownsClient: true,
                    prefix: prefix,
                    clock: clock,
                    configuration: RedisTokenStoreConfiguration(
                        keyPrefix: prefix,
                        requireSafeMemoryPolicy: strictMemoryPolicy,
                        previousVersionWritesUntil: previousVersionWritesUntil
                    )
                )
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    /// State in Redis through a client the app already has; the app keeps running and shutting it down. The
    /// options are those of ``redis(url:strictMemoryPolicy:previousVersionWritesUntil:)``.
    public static func redis(
        client: RedisClient,
        strictMemoryPolicy: Bool = false,
        previousVersionWritesUntil: UnixTime? = nil
    ) -> AuthKitStore {
        AuthKitStore(name: "redis") { prefix, clock in
            try await backends(
                client: client,
                ownsClient: false,
                prefix: prefix,
                clock: clock,
                configuration: RedisTokenStoreConfiguration(
                    keyPrefix: prefix,
                    requireSafeMemoryPolicy: strictMemoryPolicy,
                    previousVersionWritesUntil: previousVersionWritesUntil
                )
            )
        }
    }

    private static func backends(
        client: RedisClient,
        ownsClient: Bool,
        prefix: String,
        clock: TimeSource,
        configuration: RedisTokenStoreConfiguration
    ) async throws -> Backends {
        let tokens = try await RedisTokenStore.start(client: client, configuration: configuration, clock: clock)
        var backends = Backends(
            tokens: tokens,
            rateLimits: RedisRateLimitStore(client: client, keyPrefix: prefix),
            permissions: try RedisPermissionStore(client: client, keyPrefix: prefix),
            invalidations: RedisPermissionInvalidationChannel(client: client, keyPrefix: prefix),
            // Not `client.run()`, which closes the client as soon as a graceful shutdown begins: the facade's `run()`
            // cancels this after it has written the pending session touches.
            run: { if ownsClient { await client.runUntilCancelled() } },
            shutdown: { if ownsClient { await client.shutdown() } }
        )
        // The mirror polls on a connection of its own when the store owns its client, so that neither a slow feed
        // nor a slow store holds up the other; on an app's client it shares the app's pool.
        backends.revocationMirror = { policy, logger in
            let own = RedisRevocationMirror.ownClientConfiguration(client.configuration)
            let kind: any RedisFeedMirror.Type =
                client.configuration.topology.cluster == nil
                ? RedisRevocationMirror.self : RedisClusterRevocationMirror.self
            return try kind.init(
                client: ownsClient ? RedisClient(configuration: own, logger: logger) : client,
                ownsClient: ownsClient,
                keyPrefix: prefix,
                policy: policy,
                clock: clock,
                logger: logger,
                metricsFactory: nil
            )
        }
        return backends
    }
}
