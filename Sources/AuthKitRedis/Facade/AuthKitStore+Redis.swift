public import AuthKit
public import RedisClient

extension AuthKitStore {
    /// State in Redis at `url` (`redis://[user:password@]host[:port][/db]`, `rediss://…`, `unix:///path`):
    /// revocations, sessions, rate limits and permissions shared by every instance of the app.
    ///
    /// The store owns its connection pool: `run()` services it and `shutdown()` closes it.
    /// At start the server's `maxmemory-policy` is checked; with `strictMemoryPolicy` a policy that could
    /// evict revocations refuses to start.
    public static func redis(url: String, strictMemoryPolicy: Bool = false) -> AuthKitStore {
        AuthKitStore(name: "redis") { prefix, clock in
            let client = try RedisClient(url: url)
            do {
                return try await backends(
                    client: client,
                    ownsClient: true,
                    prefix: prefix,
                    clock: clock,
                    strictMemoryPolicy: strictMemoryPolicy
                )
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    /// State in Redis through a client the app already has; the app keeps running and shutting it down.
    public static func redis(client: RedisClient, strictMemoryPolicy: Bool = false) -> AuthKitStore {
        AuthKitStore(name: "redis") { prefix, clock in
            try await backends(
                client: client,
                ownsClient: false,
                prefix: prefix,
                clock: clock,
                strictMemoryPolicy: strictMemoryPolicy
            )
        }
    }

    private static func backends(
        client: RedisClient,
        ownsClient: Bool,
        prefix: String,
        clock: WallClock,
        strictMemoryPolicy: Bool
    ) async throws -> Backends {
        let tokens = try await RedisTokenStore.start(
            client: client,
            configuration: RedisTokenStoreConfiguration(keyPrefix: prefix, requireSafeMemoryPolicy: strictMemoryPolicy),
            clock: clock
        )
        return Backends(
            tokens: tokens,
            rateLimits: RedisRateLimitStore(client: client, keyPrefix: prefix),
            permissions: try RedisPermissionStore(client: client, keyPrefix: prefix),
            invalidations: RedisPermissionInvalidationChannel(client: client, keyPrefix: prefix),
            run: { if ownsClient { try await client.run() } },
            shutdown: { if ownsClient { await client.shutdown() } }
        )
    }
}
