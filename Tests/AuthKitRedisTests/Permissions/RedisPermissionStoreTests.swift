import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import PermissionCache
import RedisClient
import Synchronization
import Testing

/// Starts a throwaway redis-server, hands its URL to `body`, and stops it.
private func withRedisServer<T>(_ body: (RedisTestServer) async throws -> T) async throws -> T {
    let server = try await RedisTestServer.start()
    defer { server.terminate() }
    return try await body(server)
}

/// A loader over a mutable table that counts its calls.
private final class Database: Sendable {
    let table: Mutex<[String: PermissionSet]>
    let loads = Atomic<Int>(0)

    init(_ table: [String: PermissionSet]) {
        self.table = Mutex(table)
    }

    var loader: PermissionCache.Loader {
        { [self] user in
            loads.add(1, ordering: .relaxed)
            return table.withLock { $0[user] }
        }
    }
}

@Suite("RedisPermissionStore")
struct RedisPermissionStoreTests {
    @Test(
        "conforms to PermissionStore against a real redis-server",
        arguments: PermissionStoreConformance.PermissionStoreCheck.allCases
    )
    func conformance(_ check: PermissionStoreConformance.PermissionStoreCheck) async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            let conformance = PermissionStoreConformance(
                ttl: .milliseconds(300),
                makeStore: { try RedisPermissionStore(client: client) },
                advance: { try await Task.sleep(for: $0) }
            )
            do {
                try await conformance.run(check)
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    @Test("keys follow the documented layout and every one has a TTL")
    func keyLayout() async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            let store = try RedisPermissionStore(client: client)
            #expect(store.redisKey(for: "42") == "authkit:{u:42}:perms")
            #expect(store.redisKey(for: "a}b:c") == "authkit:{u:a%7Db%3Ac}:perms")
            let lookup = try await store.lookup(user: "42")
            #expect(
                try await store.save(.init(permissions: ["a"]), for: "42", ttl: .seconds(60), ifVersion: lookup.version)
            )
            try await store.invalidate(user: "7")
            try await store.invalidateAll()
            let keys = try await client.send("KEYS", "*").array?.compactMap(\.string) ?? []
            #expect(Set(keys) == ["authkit:{u:42}:perms", "authkit:{u:7}:perms", "authkit:{global}:perms-version"])
            for key in keys {
                let ttl = try await client.pttl(RedisArgument(key))
                #expect(ttl > 0, "\(key) has PTTL \(ttl)")
            }
            await client.shutdown()
        }
    }

    /// Both retentions become TTLs: zero deleted the version `invalidate` had just written, so a load that raced
    /// the invalidation could be cached, and under 1 ms every `invalidateAll` failed (`SET … PX 0`).
    @Test("retentions that would reach Redis as TTLs under 1 ms are refused when the store is built")
    func retentionsAreValidated() async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            for retention: Duration in [.zero, .seconds(-1), .microseconds(999)] {
                #expect(throws: PermissionCacheError.self) {
                    _ = try RedisPermissionStore(client: client, versionRetention: retention)
                }
                let error = #expect(throws: PermissionCacheError.self) {
                    _ = try RedisPermissionStore(client: client, globalVersionRetention: retention)
                }
                #expect(error?.code == .invalidConfiguration)
                #expect(error?.message.contains("at least 1 ms") == true)
            }
            let store = try RedisPermissionStore(client: client, globalVersionRetention: .milliseconds(1))
            let before = try await store.lookup(user: "42")
            try await store.invalidate(user: "42")
            let raced = try await store.save(
                .init(permissions: ["old"]),
                for: "42",
                ttl: .seconds(60),
                ifVersion: before.version
            )
            #expect(!raced, "a load that raced the invalidation must not be cached")
            try await store.invalidateAll()
            await client.shutdown()
        }
    }

    /// The TTL reached Redis rounded down to whole milliseconds: under 1 ms it became 0 and the save was dropped
    /// (the in-memory store keeps it). TTLs now round up, never to 0.
    @Test("a positive TTL under 1 ms is saved for 1 ms, as the in-memory store saves it, and a TTL of 0 is not")
    func subMillisecondTTLIsSaved() async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            let store = try RedisPermissionStore(client: client)
            let memory: any PermissionStore = InMemoryPermissionStore()
            for ttl: Duration in [.microseconds(500), .nanoseconds(1)] {
                let version = try await store.lookup(user: "42").version
                let saved = try await store.save(.init(permissions: ["a"]), for: "42", ttl: ttl, ifVersion: version)
                let memoryVersion = try await memory.lookup(user: "42").version
                let kept = try await memory.save(
                    .init(permissions: ["a"]),
                    for: "42",
                    ttl: ttl,
                    ifVersion: memoryVersion
                )
                #expect(kept, "the in-memory store saves for \(ttl)")
                #expect(saved, "the Redis store must save for \(ttl) too")
            }
            let version = try await store.lookup(user: "7").version
            #expect(try await !store.save(.init(permissions: ["a"]), for: "7", ttl: .zero, ifVersion: version))
            await client.shutdown()
        }
    }

    @Test("an invalidation in one instance reaches another instance's local cache over pub/sub")
    func invalidationAcrossInstances() async throws {
        try await withRedisServer { server in
            let firstClient = try RedisClient(url: server.url)
            let secondClient = try RedisClient(url: server.url)
            let configuration = PermissionCacheConfiguration(localTTL: .seconds(30))
            let first = PermissionCache(
                store: try RedisPermissionStore(client: firstClient),
                configuration: configuration,
                invalidationChannel: RedisPermissionInvalidationChannel(client: firstClient)
            )
            let second = PermissionCache(
                store: try RedisPermissionStore(client: secondClient),
                configuration: configuration,
                invalidationChannel: RedisPermissionInvalidationChannel(client: secondClient)
            )
            let database = Database(["42": ["orders:read"]])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.run() }
                group.addTask { try await second.run() }
                _ = try await TestTiming.eventually { first.isListening && second.isListening }
                #expect(first.isListening && second.isListening)
                #expect(try await second.permissions(for: "42", load: database.loader) == ["orders:read"])
                database.table.withLock { $0["42"] = ["orders:*"] }
                #expect(
                    try await second.permissions(for: "42", load: database.loader) == ["orders:read"],
                    "the second read should come from the local cache"
                )
                #expect(database.loads.load(ordering: .relaxed) == 1)

                try await first.invalidate("42")
                let invalidated = ContinuousClock.now
                let reached = try await TestTiming.eventually(checks: 1000, every: .milliseconds(1)) {
                    try await second.permissions(for: "42", load: database.loader) == ["orders:*"]
                }
                #expect(reached, "the invalidation never reached the second instance")
                print(
                    "permission invalidation visible in the other instance after \(ContinuousClock.now - invalidated)"
                )
                group.cancelAll()
            }
            await firstClient.shutdown()
            await secondClient.shutdown()
        }
    }

    /// The ids of the server's pub/sub connections (`CLIENT LIST TYPE pubsub`).
    private static func subscriberIDs(_ client: RedisClient) async throws -> [Substring] {
        let list = try await client.send("CLIENT", "LIST", "TYPE", "pubsub").string ?? ""
        return list.split(separator: "\n").compactMap { $0.split(separator: " ").first }
    }

    /// Waits, within a bound sized for a loaded machine, until `condition` holds.
    private static func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        try await TestTiming.eventually(every: .milliseconds(10), condition)
    }

    /// A cache over `client` that keeps local entries for an hour: only a lost subscription can make it reload.
    private static func longLivedCache(_ client: RedisClient) throws -> PermissionCache {
        PermissionCache(
            store: try RedisPermissionStore(client: client),
            configuration: PermissionCacheConfiguration(
                localTTL: .seconds(3_600),
                resubscribeDelay: .milliseconds(20)
            ),
            invalidationChannel: RedisPermissionInvalidationChannel(client: client)
        )
    }

    /// Runs `body` while `cache` listens, once it holds user 42's set locally; the loader then has a new set.
    private static func whileListening(
        _ cache: PermissionCache,
        _ body: (Database) async throws -> Void
    ) async throws {
        let database = Database(["42": ["orders:read"]])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cache.run() }
            let listening = try await waitFor { cache.isListening }
            #expect(listening)
            let cached = try await cache.permissions(for: "42", load: database.loader)
            #expect(cached == ["orders:read"])
            database.table.withLock { $0["42"] = ["orders:*"] }
            try await body(database)
            group.cancelAll()
        }
    }

    /// An invalidation recorded while the subscription is gone sends a message nobody receives; the cache must
    /// have emptied its local entries before it trusts them again on the new subscription.
    @Test("a subscription killed by the server (CLIENT KILL TYPE pubsub) empties the local cache")
    func subscriptionKilledEmptiesTheLocalCache() async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            let admin = try RedisClient(url: server.url)
            let cache = try Self.longLivedCache(client)
            try await Self.whileListening(cache) { database in
                let before = try await Self.subscriberIDs(admin)
                #expect(before.count == 1)
                try await admin.send("CLIENT", "KILL", "TYPE", "pubsub")
                try await RedisPermissionStore(client: admin).invalidate(user: "42")
                let resubscribed = try await Self.waitFor {
                    let ids = try await Self.subscriberIDs(admin)
                    return ids.count == 1 && ids != before && cache.isListening
                }
                #expect(resubscribed)
                let after = try await cache.permissions(for: "42", load: database.loader)
                #expect(after == ["orders:*"], "the local entry outlived the lost subscription")
            }
            await client.shutdown()
            await admin.shutdown()
        }
    }

    /// A black-holed network: the subscription's health check fails, and from then on nothing local is trusted.
    @Test("a subscription lost to a black hole (failed health check) empties the local cache")
    func subscriptionBlackHoledEmptiesTheLocalCache() async throws {
        try await withRedisServer { server in
            let proxy = try FaultProxy.start(upstreamPort: server.port)
            var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: proxy.port))
            configuration.commandTimeout = TestTiming.scaled(.milliseconds(300))
            configuration.subscriptionHealthCheckInterval = .milliseconds(100)
            configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
            let client = RedisClient(configuration: configuration)
            let admin = try RedisClient(url: server.url)
            let cache = try Self.longLivedCache(client)
            try await Self.whileListening(cache) { database in
                try await RedisPermissionStore(client: admin).invalidate(user: "42")
                let connections = proxy.acceptedConnections
                proxy.mode = .blackHole
                // A new subscriber connection is only opened once the old one was found dead.
                let reconnecting = try await Self.waitFor { proxy.acceptedConnections > connections }
                #expect(reconnecting)
                let during = try await cache.permissions(for: "42", load: database.loader)
                #expect(during == ["orders:*"], "the local entry was served after the subscription was lost")
                proxy.mode = .pass
                let back = try await Self.waitFor { cache.isListening }
                #expect(back)
                #expect(try await cache.permissions(for: "42", load: database.loader) == ["orders:*"])
            }
            await client.shutdown()
            await admin.shutdown()
            await proxy.stop()
        }
    }
}
