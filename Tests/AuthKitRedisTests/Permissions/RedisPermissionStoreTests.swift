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
        arguments: PermissionStoreConformance.Check.allCases
    )
    func conformance(_ check: PermissionStoreConformance.Check) async throws {
        try await withRedisServer { server in
            let client = try RedisClient(url: server.url)
            let conformance = PermissionStoreConformance(
                ttl: .milliseconds(300),
                makeStore: { RedisPermissionStore(client: client) },
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
            let store = RedisPermissionStore(client: client)
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

    @Test("an invalidation in one instance reaches another instance's local cache over pub/sub")
    func invalidationAcrossInstances() async throws {
        try await withRedisServer { server in
            let firstClient = try RedisClient(url: server.url)
            let secondClient = try RedisClient(url: server.url)
            let configuration = PermissionCacheConfiguration(localTTL: .seconds(30))
            let first = PermissionCache(
                store: RedisPermissionStore(client: firstClient),
                configuration: configuration,
                invalidationChannel: RedisPermissionInvalidationChannel(client: firstClient)
            )
            let second = PermissionCache(
                store: RedisPermissionStore(client: secondClient),
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
}
