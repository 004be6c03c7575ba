public import AuthKitClock
import Synchronization

/// The rate limiter an application calls: checks keys against policies in a store, and keeps answering
/// (by its configured failure mode) while the store is down.
///
/// ```swift
/// let limiter = RateLimiter(store: redisStore)
/// let decision = try await limiter.check("api:42", policies: [.perSecond(10), .perHour(1000)])
/// for (name, value) in decision.headers() { response.headers.add(name: name, value: value) }
/// ```
public final class RateLimiter: Sendable {
    /// The shared store consulted first.
    public let store: any RateLimitStore
    /// The failure behaviour and fallback settings.
    public let configuration: RateLimiterConfiguration
    /// The in-memory insurance limiter used in ``RateLimitFailureMode/localFallback(limitScale:)`` mode.
    public let localStore: InMemoryRateLimitStore
    private let clock: TimeSource
    /// The instant (microseconds) before which the store is not asked again after a failure.
    private let storeDownUntil = Mutex<Int64?>(nil)

    /// Creates a limiter in front of `store`; `clock` drives the local insurance limiter and the retry interval.
    public init(
        store: any RateLimitStore,
        configuration: RateLimiterConfiguration = RateLimiterConfiguration(),
        clock: TimeSource = .system
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.localStore = InMemoryRateLimitStore(clock: clock, maximumKeys: configuration.maximumLocalKeys)
    }

    /// Whether the limiter is currently answering from its failure mode instead of the store.
    public var isUsingFallback: Bool {
        let now = RateLimitCalculator.microseconds(clock.now())
        return storeDownUntil.withLock { until in until.map { $0 > now } ?? false }
    }

    /// Decides a request of `cost` against every policy at once and charges them only when all allow it.
    ///
    /// - Throws: ``RateLimitError`` for invalid input (key, policies, cost) only; a failing store never
    ///   throws from here but produces a decision from the configured failure mode.
    public func check(_ key: String, policies: [RateLimitPolicy], cost: Int = 1) async throws -> RateLimitDecision {
        try await decide(key, policies: policies, cost: cost, charge: true)
    }

    /// Decides a request of `cost` against one policy; see ``check(_:policies:cost:)``.
    public func check(_ key: String, policy: RateLimitPolicy, cost: Int = 1) async throws -> RateLimitDecision {
        try await check(key, policies: [policy], cost: cost)
    }

    /// Reports what ``check(_:policies:cost:)`` would decide now, charging nothing.
    ///
    /// `remaining` counts the quota before this hypothetical request.
    public func status(_ key: String, policies: [RateLimitPolicy], cost: Int = 1) async throws -> RateLimitDecision {
        try await decide(key, policies: policies, cost: cost, charge: false)
    }

    /// Asks the store (charging or not) unless it is known to be down, and falls back on any store failure.
    private func decide(
        _ key: String,
        policies: [RateLimitPolicy],
        cost: Int,
        charge: Bool
    ) async throws -> RateLimitDecision {
        try RateLimitPolicy.validate(key: key, policies: policies, cost: cost)
        if !isUsingFallback {
            do {
                let results =
                    charge
                    ? try await store.charge(key: key, policies: policies, cost: cost)
                    : try await store.status(key: key, policies: policies, cost: cost)
                return try decision(results, policies: policies, source: .store)
            } catch let error as CancellationError {
                throw error
            } catch let error as RateLimitError where error.code != .storeUnavailable {
                throw error
            } catch {
                markStoreDown()
            }
        }
        return try fallback(key: key, policies: policies, cost: cost, charge: charge)
    }

    /// Forgets `key`'s state in the store and in the local insurance limiter.
    ///
    /// - Throws: ``RateLimitError/Code/storeUnavailable`` when the store cannot do it; the local state is
    ///   reset either way.
    public func reset(_ key: String) async throws {
        guard !key.isEmpty, key.utf8.count <= RateLimitPolicy.maximumKeyLength else {
            throw RateLimitError(.invalidKey, "limiter key must be 1-\(RateLimitPolicy.maximumKeyLength) bytes")
        }
        localStore.reset(key: key)
        do {
            try await store.reset(key: key)
        } catch let error as RateLimitError {
            throw error
        } catch {
            throw RateLimitError(.storeUnavailable, "could not reset \(key): \(error)")
        }
    }

    private func decision(
        _ results: [RateLimitPolicyResult],
        policies: [RateLimitPolicy],
        source: RateLimitDecisionSource
    ) throws(RateLimitError) -> RateLimitDecision {
        guard results.count == policies.count else {
            throw RateLimitError(
                .corruptState,
                "store returned \(results.count) results for \(policies.count) policies"
            )
        }
        return try RateLimitDecision(results: results, source: source)
    }

    private func markStoreDown() {
        let now = RateLimitCalculator.microseconds(clock.now())
        let until = now + configuration.storeRetryInterval.ttl(in: .microseconds)
        storeDownUntil.withLock { $0 = until }
    }

    private func fallback(
        key: String,
        policies: [RateLimitPolicy],
        cost: Int,
        charge: Bool
    ) throws -> RateLimitDecision {
        switch configuration.failureMode.kind {
        case .open:
            let results = policies.map { policy in
                RateLimitPolicyResult(
                    policy: policy,
                    isAllowed: true,
                    limit: policy.capacity,
                    remaining: max(0, policy.capacity - (charge ? cost : 0)),
                    resetAfter: .zero,
                    retryAfter: nil
                )
            }
            return try RateLimitDecision(results: results, source: .failOpen)
        case .closed:
            let results = policies.map { policy in
                RateLimitPolicyResult(
                    policy: policy,
                    isAllowed: false,
                    limit: policy.capacity,
                    remaining: 0,
                    resetAfter: configuration.storeRetryInterval,
                    retryAfter: configuration.storeRetryInterval
                )
            }
            return try RateLimitDecision(results: results, source: .failClosed)
        case .localFallback(let scale):
            // This instance enforces its share of each limit, and a request is charged its whole cost against that
            // share: N instances with scale 1/N then admit together what the store would. A request that costs
            // more than an instance's share is refused by every instance, never admitted once by each.
            let scaled = policies.map { policy in
                var local = policy
                local.limit = max(1, Int((Double(policy.limit) * scale).rounded(.down)))
                local.burst = max(1, Int((Double(policy.burst) * scale).rounded(.down)))
                return local
            }
            guard scaled.allSatisfy({ cost <= $0.capacity }) else {
                return try tooExpensiveForTheShare(key: key, policies: scaled, cost: cost)
            }
            let results =
                charge
                ? try localStore.charge(key: key, policies: scaled, cost: cost)
                : try localStore.status(key: key, policies: scaled, cost: cost)
            return try RateLimitDecision(results: results, source: .localFallback)
        }
    }

    /// The local fallback's refusal of a request that costs more than this instance's share of a policy: it could
    /// never be admitted here, so it waits for the store (``RateLimiterConfiguration/storeRetryInterval``); the
    /// quota of every policy is reported as it stands, and nothing is charged.
    private func tooExpensiveForTheShare(
        key: String,
        policies: [RateLimitPolicy],
        cost: Int
    ) throws -> RateLimitDecision {
        let standing = try localStore.status(key: key, policies: policies, cost: 1)
        let results = standing.map { result in
            guard cost > result.policy.capacity else { return result }
            var refused = result
            refused.isAllowed = false
            refused.retryAfter = configuration.storeRetryInterval
            return refused
        }
        return try RateLimitDecision(results: results, source: .localFallback)
    }
}
