import AuthKitClock
import AuthKitTesting
import RateLimiter
import Testing

@Suite("InMemoryRateLimitStore")
struct InMemoryRateLimitStoreTests {
    @Test("conforms to RateLimitStore", arguments: RateLimitStoreConformance.RateLimitStoreCheck.allCases)
    func conformance(_ check: RateLimitStoreConformance.RateLimitStoreCheck) async throws {
        let clock = ManualClock()
        let conformance = RateLimitStoreConformance(
            makeStore: { InMemoryRateLimitStore(clock: clock.timeSource) },
            advance: { clock.advance(by: $0) }
        )
        try await conformance.run(check)
    }

    @Test("fixed window: refusal waits exactly until the boundary, which resets the count")
    func fixedWindowBoundary() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource)
        let policy = RateLimitPolicy(limit: 2, window: .seconds(60))
        clock.advance(by: .seconds(45))
        #expect(try store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        #expect(try store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        let refused = try store.charge(key: "k", policies: [policy], cost: 1)[0]
        #expect(!refused.isAllowed)
        #expect(refused.retryAfter == .seconds(15))
        #expect(refused.resetAfter == .seconds(15))
        clock.advance(by: .seconds(15))
        let fresh = try store.charge(key: "k", policies: [policy], cost: 1)[0]
        #expect(fresh.isAllowed)
        #expect(fresh.remaining == 1)
    }

    @Test("sliding window weighs the previous window by the part still inside the sliding window")
    func slidingWindowWeights() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource)
        let policy = RateLimitPolicy(limit: 10, window: .seconds(60), algorithm: .slidingWindow)
        for _ in 0..<10 {
            #expect(try store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        }
        clock.advance(by: .seconds(60))
        // Previous count 10 at full weight: refused until a tenth of it (6 s) has slid out.
        let refused = try store.charge(key: "k", policies: [policy], cost: 1)[0]
        #expect(!refused.isAllowed)
        #expect(refused.retryAfter == .seconds(6))
        clock.advance(by: .seconds(6))
        #expect(try store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        #expect(try !store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        clock.advance(by: .seconds(24))
        // Half of the previous window remains: 10 * 0.5 + 1 = 6 used, 4 remaining.
        let status = try store.status(key: "k", policies: [policy], cost: 1)[0]
        #expect(status.remaining == 4)
    }

    @Test("sliding window: a full current window waits into the next one")
    func slidingWindowFullCurrent() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource)
        let policy = RateLimitPolicy(limit: 4, window: .seconds(60), algorithm: .slidingWindow)
        clock.advance(by: .seconds(30))
        for _ in 0..<4 {
            _ = try store.charge(key: "k", policies: [policy], cost: 1)
        }
        let refused = try store.charge(key: "k", policies: [policy], cost: 1)[0]
        // 30 s to the boundary, then 4 * (1 - t/60) + 1 <= 4 needs t >= 15 s.
        #expect(refused.retryAfter == .seconds(45))
    }

    @Test("GCRA allows the burst, then one request per emission interval")
    func gcra() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource)
        let policy = RateLimitPolicy.gcra(rate: 10, per: .seconds(1), burst: 5)
        for expected in [4, 3, 2, 1, 0] {
            let result = try store.charge(key: "k", policies: [policy], cost: 1)[0]
            #expect(result.isAllowed)
            #expect(result.remaining == expected)
            #expect(result.limit == 5)
        }
        let refused = try store.charge(key: "k", policies: [policy], cost: 1)[0]
        #expect(!refused.isAllowed)
        #expect(refused.retryAfter == .milliseconds(100))
        #expect(refused.resetAfter == .milliseconds(500))
        clock.advance(by: .milliseconds(100))
        #expect(try store.charge(key: "k", policies: [policy], cost: 1)[0].isAllowed)
        clock.advance(by: .seconds(10))
        let rested = try store.status(key: "k", policies: [policy], cost: 1)[0]
        #expect(rested.remaining == 5)
    }

    @Test("GCRA charges a cost as that many emission intervals")
    func gcraCost() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource)
        let policy = RateLimitPolicy.gcra(rate: 10, per: .seconds(1), burst: 10)
        #expect(try store.charge(key: "k", policies: [policy], cost: 7)[0].remaining == 3)
        let refused = try store.charge(key: "k", policies: [policy], cost: 5)[0]
        #expect(!refused.isAllowed)
        #expect(refused.retryAfter == .milliseconds(200))
    }

    @Test("memory stays bounded: expired keys are swept and the cap holds")
    func boundedMemory() throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource, maximumKeys: 50)
        let policy = RateLimitPolicy(limit: 1, window: .seconds(1))
        for index in 0..<500 {
            _ = try store.charge(key: "key-\(index)", policies: [policy], cost: 1)
        }
        #expect(store.keyCount <= 50)
        clock.advance(by: .seconds(2))
        for index in 0..<1024 {
            _ = try store.status(key: "key-\(index)", policies: [policy], cost: 1)
        }
        _ = try store.charge(key: "fresh", policies: [policy], cost: 1)
        #expect(store.keyCount == 1)
    }

    /// When the store is full, eviction forgets a key's counters, and the key's limit restarts. A flood of distinct
    /// keys, each charged once, must evict its own keys, never the counter of a key that is being limited.
    @Test("a flood of distinct keys does not evict the counter of a key in use", arguments: RateLimitAlgorithm.all)
    func floodSparesKeysInUse(_ algorithm: RateLimitAlgorithm) throws {
        let clock = ManualClock()
        let store = InMemoryRateLimitStore(clock: clock.timeSource, maximumKeys: 100)
        let policy = RateLimitPolicy(limit: 10, window: .seconds(3_600), algorithm: algorithm)
        for _ in 0..<10 {
            #expect(try store.charge(key: "victim", policies: [policy], cost: 1)[0].isAllowed)
        }
        #expect(try !store.charge(key: "victim", policies: [policy], cost: 1)[0].isAllowed)
        for index in 0..<5_000 {
            _ = try store.charge(key: "flood-\(index)", policies: [policy], cost: 1)
            #expect(store.keyCount <= 100)
        }
        let after = try store.charge(key: "victim", policies: [policy], cost: 1)[0]
        #expect(!after.isAllowed, "the flood reset the victim's counter")
    }

    @Test("invalid requests are rejected with a clear code")
    func invalidInput() {
        let store = InMemoryRateLimitStore(clock: ManualClock().timeSource)
        let good = RateLimitPolicy(limit: 5, window: .seconds(1))
        #expect(throws: RateLimitError(.invalidKey, "limiter key must be 1-512 bytes")) {
            try store.charge(key: "", policies: [good], cost: 1)
        }
        #expect {
            try store.charge(key: "k", policies: [], cost: 1)
        } throws: { ($0 as? RateLimitError)?.code == .invalidPolicies }
        #expect {
            try store.charge(key: "k", policies: [good, good], cost: 1)
        } throws: { ($0 as? RateLimitError)?.code == .invalidPolicies }
        #expect {
            try store.charge(key: "k", policies: [RateLimitPolicy(limit: 0, window: .seconds(1))], cost: 1)
        } throws: { ($0 as? RateLimitError)?.code == .invalidPolicy }
        #expect {
            try store.charge(key: "k", policies: [RateLimitPolicy(limit: 1, window: .zero)], cost: 1)
        } throws: { ($0 as? RateLimitError)?.code == .invalidPolicy }
        #expect {
            try store.charge(key: "k", policies: [RateLimitPolicy(limit: 1, window: .seconds(1), name: "a b")], cost: 1)
        } throws: { ($0 as? RateLimitError)?.code == .invalidPolicy }
        #expect {
            try store.charge(key: "k", policies: [good], cost: 0)
        } throws: { ($0 as? RateLimitError)?.code == .invalidCost }
    }
}
