import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import RateLimiter
import RedisClient
import Testing

/// Starts a throwaway redis-server, hands a client to `body`, and stops both.
private func withRedis<T>(_ body: (RedisTestServer, RedisClient) async throws -> T) async throws -> T {
    let server = try await RedisTestServer.start()
    defer { server.terminate() }
    let client = try RedisClient(url: server.url)
    do {
        let result = try await body(server, client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

@Suite("RedisRateLimitStore")
struct RedisRateLimitStoreTests {
    @Test(
        "conforms to RateLimitStore against a real redis-server",
        arguments: RateLimitStoreConformance.RateLimitStoreCheck.allCases
    )
    func conformance(_ check: RateLimitStoreConformance.RateLimitStoreCheck) async throws {
        try await withRedis { _, client in
            let conformance = RateLimitStoreConformance(
                window: .milliseconds(1500),
                makeStore: { RedisRateLimitStore(client: client) },
                advance: { try await Task.sleep(for: $0) },
                alignToWindow: alignToWindow
            )
            try await conformance.run(check)
        }
    }

    @Test("every rate-limit key carries a TTL, whatever the algorithm, outcome or block")
    func everyKeyHasTTL() async throws {
        try await withRedis { _, client in
            let store = RedisRateLimitStore(client: client)
            let policies: [[RateLimitPolicy]] = [
                [RateLimitPolicy(limit: 2, window: .seconds(60))],
                [RateLimitPolicy(limit: 2, window: .seconds(60), algorithm: .slidingWindow)],
                [.gcra(rate: 2, per: .seconds(60), burst: 2)],
                [RateLimitPolicy(limit: 1, window: .seconds(1), blockDuration: .seconds(600))],
                [.perSecond(1), .perHour(3, algorithm: .slidingWindow)],
            ]
            // The fixed 60-second window's key ends with its window (on the minute): if a minute boundary passes
            // during the test, that key may be gone by the time the keys are listed. The others outlive the test.
            let firstMinute = (TimeSource.system.now().seconds - 1) / 60
            for (index, set) in policies.enumerated() {
                for _ in 0..<4 {
                    _ = try await store.charge(key: "ttl-\(index)", policies: set, cost: 1)
                    _ = try await store.status(key: "ttl-\(index)", policies: set, cost: 1)
                }
            }
            _ = try await store.status(key: "only-status", policies: [.perSecond(1)], cost: 1)
            let keys = try await client.send("KEYS", "authkit:rl:*").array?.compactMap(\.string) ?? []
            let crossedAMinute = (TimeSource.system.now().seconds + 1) / 60 != firstMinute
            let written = Set(policies.indices.map { store.redisKey(for: "ttl-\($0)") })
            let required = crossedAMinute ? written.subtracting([store.redisKey(for: "ttl-0")]) : written
            #expect(Set(keys).isSubset(of: written), "a status call must not create a key: \(keys.sorted())")
            #expect(required.isSubset(of: Set(keys)), "missing: \(required.subtracting(keys).sorted())")
            for key in keys {
                let ttl = try await client.pttl(RedisArgument(key))
                // -2: expired between KEYS and PTTL (one-second windows, slow sanitizer runs); 0: expires within
                // this millisecond; -1: no TTL.
                #expect(ttl >= 0 || ttl == -2, "\(key) has PTTL \(ttl)")
            }
            let blocked = try await client.pttl(RedisArgument(store.redisKey(for: "ttl-3")))
            #expect(blocked > 500_000, "a block must keep the key alive for its duration")
        }
    }

    @Test("limiter keys are hash-tagged and cannot break out of their tag")
    func keyLayout() async throws {
        try await withRedis { _, client in
            let store = RedisRateLimitStore(client: client)
            #expect(store.redisKey(for: "api:42") == "authkit:rl:{api%3A42}")
            #expect(store.redisKey(for: "a}b{c") == "authkit:rl:{a%7Db%7Bc}")
            #expect(store.redisKey(for: "é%") == "authkit:rl:{%C3%A9%25}")
            let custom = RedisRateLimitStore(client: client, keyPrefix: "app1:")
            #expect(custom.redisKey(for: "k") == "app1:rl:{k}")
        }
    }

    @Test("the insurance limiter takes over while Redis is killed, and the store afterwards")
    func insuranceWhileRedisIsDown() async throws {
        try await withRedis { server, client in
            let limiter = RateLimiter(
                store: RedisRateLimitStore(client: client),
                configuration: RateLimiterConfiguration(storeRetryInterval: .milliseconds(200))
            )
            let policy = RateLimitPolicy(limit: 3, window: .seconds(3600))
            let first = try await limiter.check("user:1", policy: policy)
            #expect(first.source == .store)
            #expect(first.remaining == 2)
            await server.kill()
            var local: [RateLimitDecision] = []
            for _ in 0..<4 {
                local.append(try await limiter.check("user:1", policy: policy))
            }
            #expect(local.allSatisfy { $0.source == .localFallback })
            #expect(local.map(\.isAllowed) == [true, true, true, false])
            try await server.restart()
            var recovered: RateLimitDecision?
            _ = try await TestTiming.eventually(every: .milliseconds(50)) {
                let decision = try await limiter.check("user:2", policy: policy)
                if decision.source == .store { recovered = decision }
                return recovered != nil
            }
            #expect(recovered?.isAllowed == true, "the limiter did not return to the store after Redis came back")
        }
    }

    @Test("fail-closed refuses while Redis is killed")
    func failClosedWhileRedisIsDown() async throws {
        try await withRedis { server, client in
            let limiter = RateLimiter(
                store: RedisRateLimitStore(client: client),
                configuration: RateLimiterConfiguration(failureMode: .failClosed)
            )
            #expect(try await limiter.check("k", policy: .perMinute(5)).isAllowed)
            await server.kill()
            let decision = try await limiter.check("k", policy: .perMinute(5))
            #expect(!decision.isAllowed)
            #expect(decision.source == .failClosed)
        }
    }
}
