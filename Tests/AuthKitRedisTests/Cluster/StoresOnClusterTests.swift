import AuthKit
import AuthKitClock
import AuthKitTesting
import PermissionCache
import RateLimiter
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// A client of the process's shared test cluster for the length of `body`.
private func withClusterClient<T>(_ body: (RedisClient) async throws -> T) async throws -> T {
    try await withClient(url: try await RedisTestCluster.shared().url, body)
}

/// Every store's conformance suite on a three-primary Redis Cluster, each check under its own key prefix: the
/// stores assume two keys share a node only when their hash tags say so.
@Suite("Stores on a Redis Cluster")
struct StoresOnClusterTests {
    @Test("RedisTokenStore conforms on a cluster", arguments: TokenStoreConformance.checks)
    func tokenStore(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
        try await withClusterClient { client in
            for reads in [AccessCheckReads.keys, .records, .script] {
                let suite = TokenStoreConformance { clock in
                    try RedisTokenStore(
                        client: client,
                        configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix()),
                        clock: clock,
                        checkReads: reads
                    )
                }
                try await check.run(suite)
            }
        }
    }

    @Test(
        "RedisRateLimitStore conforms on a cluster",
        arguments: RateLimitStoreConformance.RateLimitStoreCheck.allCases
    )
    func rateLimitStore(_ check: RateLimitStoreConformance.RateLimitStoreCheck) async throws {
        try await withClusterClient { client in
            let prefix = uniquePrefix()
            let conformance = RateLimitStoreConformance(
                window: .milliseconds(1500),
                makeStore: { RedisRateLimitStore(client: client, keyPrefix: prefix) },
                advance: { try await Task.sleep(for: $0) },
                alignToWindow: alignToWindow
            )
            try await conformance.run(check)
        }
    }

    @Test(
        "RedisPermissionStore conforms on a cluster",
        arguments: PermissionStoreConformance.PermissionStoreCheck.allCases
    )
    func permissionStore(_ check: PermissionStoreConformance.PermissionStoreCheck) async throws {
        try await withClusterClient { client in
            let prefix = uniquePrefix()
            let conformance = PermissionStoreConformance(
                ttl: .milliseconds(300),
                makeStore: { try RedisPermissionStore(client: client, keyPrefix: prefix) },
                advance: { try await Task.sleep(for: $0) }
            )
            try await conformance.run(check)
        }
    }

    @Test("the permission lookup reads the global version and the user's entry on different primaries")
    func permissionsAcrossNodes() async throws {
        try await withClusterClient { client in
            let prefix = uniquePrefix()
            let store = try RedisPermissionStore(client: client, keyPrefix: prefix)
            let cluster = try await RedisTestCluster.shared()
            func owner(_ key: String) async throws -> Int {
                try await cluster.ownerPort(ofSlot: try await cluster.keySlot(key))
            }
            // A user whose slot lives on another primary than {global}.
            let globalOwner = try await owner(PermissionRedisKeys.globalVersion(prefix: prefix))
            var user = 0
            while try await owner(store.redisKey(for: "user-\(user)")) == globalOwner {
                user += 1
            }
            let name = "user-\(user)"
            let first = try await store.lookup(user: name)
            #expect(first.entry == nil)
            #expect(
                try await store.save(
                    PermissionEntry(permissions: ["read"]),
                    for: name,
                    ttl: .seconds(60),
                    ifVersion: first.version
                )
            )
            #expect(try await store.lookup(user: name).entry == PermissionEntry(permissions: ["read"]))
            try await store.invalidateAll()
            #expect(try await store.lookup(user: name).entry == nil)
        }
    }

    @Test("permission invalidations travel over sharded pub/sub on a cluster, from one client to another")
    func invalidationChannel() async throws {
        try await withClusterClient { publisher in
            try await withClusterClient { subscriber in
                let prefix = uniquePrefix()
                let incoming = try await RedisPermissionInvalidationChannel(client: subscriber, keyPrefix: prefix)
                    .subscribe()
                let channel = RedisPermissionInvalidationChannel(client: publisher, keyPrefix: prefix)
                // Sharded: SPUBLISH on the channel's shard reaches the one subscriber.
                let bob = RedisArgument(PermissionInvalidation.user("bob").wireFormat)
                #expect(try await publisher.spublish(RedisArgument(channel.channel), message: bob) == 1)
                try await channel.publish(.user("alice"))
                var iterator = incoming.makeAsyncIterator()
                #expect(await iterator.next() == .user("bob"))
                #expect(await iterator.next() == .user("alice"))
            }
        }
    }

    @Test("the facade's flows on a cluster")
    func facade() async throws {
        let cluster = try await RedisTestCluster.shared()
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256([UInt8](repeating: 0x31, count: 32), kid: "k1")],
                keyPrefix: uniquePrefix()
            ),
            store: .redis(url: cluster.url)
        )
        for user in (0..<12).map({ "user-\($0)" }) {
            let pair = try await auth.login(userID: user, device: DeviceInfo(name: "phone"))
            #expect(try await auth.authenticate(token: pair.accessToken).userID == user)
            let rotated = try await auth.refresh(pair.refreshToken)
            #expect(await authKitErrorCode { _ = try await auth.refresh(pair.refreshToken) } == .refreshTokenReused)
            let again = try await auth.login(userID: user)
            try await auth.logout(accessToken: again.accessToken)
            #expect(
                await authKitErrorCode { _ = try await auth.authenticate(token: again.accessToken) } == .tokenRevoked
            )
            #expect(try await auth.rateLimit("api:\(user)", policy: .perMinute(10)).isAllowed)
            #expect(try await auth.permissions(for: user) { _ in ["read"] } == ["read"])
            #expect(try await auth.logoutEverywhere(userID: user) >= 0)
            #expect(await authKitErrorCode { _ = try await auth.authenticate(token: rotated.accessToken) } != nil)
        }
        await auth.shutdown()
    }
}
