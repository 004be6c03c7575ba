public import AuthKitClock
import Synchronization

/// A ``RateLimitStore`` in this process's memory: for tests, single-process apps, and as the insurance
/// limiter a ``RateLimiter`` falls back on while its shared store is down.
///
/// Memory is bounded by ``maximumKeys``, and every decision costs O(1) amortised however many distinct keys
/// arrive: expired state is swept once the operations since the last sweep reach the number of keys held, and a new
/// key that finds the table full makes room for an eighth of it at once (see ``maximumKeys``), so the next eighth
/// of new keys costs nothing extra.
public final class InMemoryRateLimitStore: RateLimitStore {
    private struct Entry {
        var policies: [String: RateLimitPolicyState]
        var expiresAt: Int64
        /// The cost charged to the key since it was stored: how many requests forgetting it would let through again.
        var charged: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var operationsSinceSweep = 0
        var random = SplitMix64()

        mutating func sweep(now: Int64) {
            entries = entries.filter { $0.value.expiresAt > now }
            operationsSinceSweep = 0
        }

        /// Room for a new key in a table of `maximumKeys`: expired keys go, and if the table is still more than seven
        /// eighths full, the keys whose state matters least go until it is not — the fewest requests charged first
        /// (a flood of new keys has charged one each), then the nearest expiry. One O(n) pass buys room for n/8 keys.
        mutating func makeRoom(now: Int64, maximumKeys: Int) {
            sweep(now: now)
            let target = maximumKeys - max(1, maximumKeys / 8)
            guard entries.count > target else { return }
            var ranked = entries.map { (key: $0.key, charged: $0.value.charged, expiresAt: $0.value.expiresAt) }
            // Equally ranked keys are taken at random, never a run of the table's iteration order: emptying one
            // stretch of a Swift dictionary's buckets leaves it probing long chains (ten times slower here).
            ranked.shuffle(using: &random)
            let evicted = entries.count - target
            ranked.partitionSmallest(evicted, using: &random) {
                ($0.charged, $0.expiresAt) < ($1.charged, $1.expiresAt)
            }
            for victim in ranked.prefix(evicted) {
                entries.removeValue(forKey: victim.key)
            }
        }
    }

    /// The most keys kept at once.
    ///
    /// A new key that finds the table full evicts the eighth of the keys whose state matters least: those charged
    /// the fewest requests, then those nearest expiry. An evicted key's counters are forgotten, so its limit
    /// restarts — its next requests are allowed as if it were new, which errs towards allowing. A flood of distinct
    /// keys (each charged once) therefore evicts its own keys before the counter of a key in real use: a key charged
    /// `c` requests is only forgotten once some seven eighths of the table are keys charged at least `c` each.
    public let maximumKeys: Int
    private let clock: TimeSource
    private let state = Mutex(State())

    /// Creates an empty store that reads time from `clock` and keeps at most `maximumKeys` keys.
    public init(clock: TimeSource = .system, maximumKeys: Int = 100_000) {
        self.clock = clock
        self.maximumKeys = max(1, maximumKeys)
    }

    /// The number of keys currently held, expired or not (expired ones go at the next sweep).
    public var keyCount: Int {
        state.withLock { $0.entries.count }
    }

    /// Implements ``RateLimitStore/charge(key:policies:cost:)``.
    public func charge(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        try RateLimitPolicy.validate(key: key, policies: policies, cost: cost)
        let now = RateLimitCalculator.microseconds(clock.now())
        return state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= max(1024, state.entries.count) {
                state.sweep(now: now)
            }
            let stored = state.entries[key].flatMap { $0.expiresAt > now ? $0.policies : nil } ?? [:]
            let outcomes = policies.map { policy in
                RateLimitCalculator.evaluate(policy, state: stored[policy.name], now: now, cost: cost)
            }
            let allowed = outcomes.allSatisfy(\.result.isAllowed)
            var updated = stored
            var changed = false
            let charged =
                (state.entries[key].flatMap { $0.expiresAt > now ? $0.charged : nil } ?? 0) + (allowed ? cost : 0)
            for (policy, outcome) in zip(policies, outcomes) {
                if allowed {
                    updated[policy.name] = outcome.stateIfCharged
                    changed = true
                } else if let blocked = outcome.stateIfRefused {
                    updated[policy.name] = blocked
                    changed = true
                }
            }
            if changed {
                store(updated, charged: charged, key: key, now: now, in: &state)
            }
            return outcomes.map(\.result)
        }
    }

    /// Implements ``RateLimitStore/status(key:policies:cost:)``.
    public func status(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        try RateLimitPolicy.validate(key: key, policies: policies, cost: cost)
        let now = RateLimitCalculator.microseconds(clock.now())
        let stored = state.withLock { $0.entries[key].flatMap { $0.expiresAt > now ? $0.policies : nil } } ?? [:]
        return policies.map { policy in
            var result = RateLimitCalculator.evaluate(policy, state: stored[policy.name], now: now, cost: cost).result
            if result.isAllowed {
                // Status does not charge, so report the quota as it stands, before this hypothetical request.
                result.remaining = min(result.limit, result.remaining + cost)
            }
            return result
        }
    }

    /// Implements ``RateLimitStore/reset(key:)``.
    public func reset(key: String) {
        _ = state.withLock { $0.entries.removeValue(forKey: key) }
    }

    private func store(
        _ policies: [String: RateLimitPolicyState],
        charged: Int,
        key: String,
        now: Int64,
        in state: inout State
    ) {
        let expiresAt = policies.values.map(\.expiresAt).max() ?? now
        if state.entries[key] == nil && state.entries.count >= maximumKeys {
            state.makeRoom(now: now, maximumKeys: maximumKeys)
        }
        state.entries[key] = Entry(policies: policies, expiresAt: expiresAt, charged: charged)
    }
}
