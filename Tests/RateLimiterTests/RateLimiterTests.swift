import AuthKitClock
import AuthKitTesting
import RateLimiter
import Synchronization
import Testing

/// A store that fails while `failing` is set, and otherwise delegates to an in-memory store.
private final class FlakyStore: RateLimitStore {
    struct Down: Error {}

    let inner: InMemoryRateLimitStore
    let failing = Atomic<Bool>(false)
    let calls = Atomic<Int>(0)

    init(clock: TimeSource) {
        inner = InMemoryRateLimitStore(clock: clock)
    }

    func charge(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        calls.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw Down() }
        return try inner.charge(key: key, policies: policies, cost: cost)
    }

    func status(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        calls.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw Down() }
        return try inner.status(key: key, policies: policies, cost: cost)
    }

    func reset(key: String) throws {
        if failing.load(ordering: .relaxed) { throw Down() }
        inner.reset(key: key)
    }
}

@Suite("RateLimiter")
struct RateLimiterTests {
    @Test("100 concurrent requests at a limit of 10: exactly 10 allowed", arguments: RateLimitAlgorithm.all)
    func concurrent(_ algorithm: RateLimitAlgorithm) async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(store: InMemoryRateLimitStore(clock: clock.timeSource), clock: clock.timeSource)
        let policy = RateLimitPolicy(limit: 10, window: .seconds(60), algorithm: algorithm)
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 {
                group.addTask { try await limiter.check("api:42", policy: policy).isAllowed }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 10)
    }

    @Test("several policies: the binding one is reported, and a refusal charges none")
    func multiplePolicies() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(store: InMemoryRateLimitStore(clock: clock.timeSource), clock: clock.timeSource)
        let perSecond = RateLimitPolicy(limit: 2, window: .seconds(1), name: "burst")
        let perHour = RateLimitPolicy(limit: 4, window: .seconds(3600), name: "hourly")
        let first = try await limiter.check("k", policies: [perSecond, perHour])
        #expect(first.isAllowed)
        #expect(first.source == .store)
        #expect(first.policy.name == "burst")
        #expect(first.remaining == 1)
        _ = try await limiter.check("k", policies: [perSecond, perHour])
        let refused = try await limiter.check("k", policies: [perSecond, perHour])
        #expect(!refused.isAllowed)
        #expect(refused.policy.name == "burst")
        #expect(refused.results.map(\.isAllowed) == [false, true])
        let hourly = try await limiter.status("k", policies: [perHour])
        #expect(hourly.remaining == 2)
        clock.advance(by: .seconds(1))
        _ = try await limiter.check("k", policies: [perSecond, perHour])
        let last = try await limiter.check("k", policies: [perSecond, perHour])
        #expect(last.isAllowed)
        #expect(last.policy.name == "hourly")
        #expect(last.remaining == 0)
        let overHour = try await limiter.check("k", policies: [perSecond, perHour])
        #expect(overHour.policy.name == "hourly")
        #expect(overHour.retryAfter == .seconds(3599))
    }

    @Test("while the store throws, the local insurance limiter decides, then the store again")
    func insurance() async throws {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        let limiter = RateLimiter(
            store: store,
            configuration: RateLimiterConfiguration(storeRetryInterval: .seconds(1)),
            clock: clock.timeSource
        )
        let policy = RateLimitPolicy(limit: 3, window: .seconds(60))
        _ = try await limiter.check("k", policy: policy)
        store.failing.store(true, ordering: .relaxed)
        var local: [RateLimitDecision] = []
        for _ in 0..<4 {
            local.append(try await limiter.check("k", policy: policy))
        }
        #expect(local.allSatisfy { $0.source == .localFallback })
        #expect(local.map(\.isAllowed) == [true, true, true, false])
        #expect(limiter.isUsingFallback)
        // Within the retry interval the dead store is not asked again.
        #expect(store.calls.load(ordering: .relaxed) == 2)
        store.failing.store(false, ordering: .relaxed)
        clock.advance(by: .seconds(1))
        let back = try await limiter.check("k", policy: policy)
        #expect(back.source == .store)
        #expect(back.isAllowed)
        #expect(back.remaining == 1)
    }

    @Test("the insurance limiter scales limits for several processes")
    func scaledInsurance() async throws {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        store.failing.store(true, ordering: .relaxed)
        let limiter = RateLimiter(
            store: store,
            configuration: RateLimiterConfiguration(failureMode: .localFallback(limitScale: 0.25)),
            clock: clock.timeSource
        )
        let policy = RateLimitPolicy(limit: 8, window: .seconds(60))
        var allowed = 0
        for _ in 0..<8 where try await limiter.check("k", policy: policy).isAllowed {
            allowed += 1
        }
        #expect(allowed == 2)
    }

    /// With N instances each given `limitScale: 1/N`, what they admit together while the store is down stays
    /// within the shared capacity whatever the requests cost: a request costing the whole capacity is admitted
    /// by no instance's share, and cheap requests use the shares up exactly.
    @Test(
        "the insurance limiter scales a request's cost: N instances admit at most the shared capacity",
        arguments: RateLimitAlgorithm.all
    )
    func scaledInsuranceChargesScaledCosts(_ algorithm: RateLimitAlgorithm) async throws {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        store.failing.store(true, ordering: .relaxed)
        let instances = (0..<4).map { _ in
            RateLimiter(
                store: store,
                configuration: RateLimiterConfiguration(failureMode: .localFallback(limitScale: 0.25)),
                clock: clock.timeSource
            )
        }
        let policy = RateLimitPolicy(limit: 100, window: .seconds(60), algorithm: algorithm)
        for cost in [100, 60, 30] {
            var admitted = 0
            for limiter in instances {
                let decision = try await limiter.check("expensive-\(cost)", policy: policy, cost: cost)
                #expect(decision.source == .localFallback)
                if decision.isAllowed {
                    admitted += cost
                } else {
                    #expect(decision.retryAfter != nil)
                }
            }
            #expect(admitted <= 100, "cost \(cost): the four instances admitted \(admitted) of a capacity of 100")
        }
        var admitted = 0
        for limiter in instances {
            for _ in 0..<40 where try await limiter.check("cheap", policy: policy, cost: 5).isAllowed {
                admitted += 5
            }
        }
        #expect(admitted == 100, "cost 5: the shares add up to the capacity, \(admitted) admitted")
    }

    @Test("fail-open allows and fail-closed refuses while the store throws")
    func failModes() async throws {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        store.failing.store(true, ordering: .relaxed)
        let policy = RateLimitPolicy(limit: 1, window: .seconds(60))
        let open = RateLimiter(
            store: store,
            configuration: RateLimiterConfiguration(failureMode: .failOpen),
            clock: clock.timeSource
        )
        for _ in 0..<3 {
            let decision = try await open.check("k", policy: policy)
            #expect(decision.isAllowed)
            #expect(decision.source == .failOpen)
        }
        let closed = RateLimiter(
            store: store,
            configuration: RateLimiterConfiguration(failureMode: .failClosed, storeRetryInterval: .seconds(2)),
            clock: clock.timeSource
        )
        let refused = try await closed.check("k", policy: policy)
        #expect(!refused.isAllowed)
        #expect(refused.source == .failClosed)
        #expect(refused.retryAfter == .seconds(2))
    }

    @Test("invalid input throws instead of falling back")
    func invalidInputThrows() async {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        store.failing.store(true, ordering: .relaxed)
        let limiter = RateLimiter(store: store, clock: clock.timeSource)
        await #expect {
            try await limiter.check("k", policy: RateLimitPolicy(limit: 2, window: .seconds(1)), cost: 3)
        } throws: { ($0 as? RateLimitError)?.code == .invalidCost }
        #expect(store.calls.load(ordering: .relaxed) == 0)
    }

    @Test("reset clears the store and the local limiter, and reports a dead store")
    func reset() async throws {
        let clock = ManualClock()
        let store = FlakyStore(clock: clock.timeSource)
        let limiter = RateLimiter(store: store, clock: clock.timeSource)
        let policy = RateLimitPolicy(limit: 1, window: .seconds(60))
        _ = try await limiter.check("k", policy: policy)
        #expect(try await !limiter.check("k", policy: policy).isAllowed)
        try await limiter.reset("k")
        #expect(try await limiter.check("k", policy: policy).isAllowed)
        store.failing.store(true, ordering: .relaxed)
        await #expect {
            try await limiter.reset("k")
        } throws: { ($0 as? RateLimitError)?.code == .storeUnavailable }
    }
}
