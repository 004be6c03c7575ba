public import AuthKitClock
import Synchronization

/// A ``RateLimitStore`` in this process's memory: for tests, single-process apps, and as the insurance
/// limiter a ``RateLimiter`` falls back on while its shared store is down.
///
/// Memory is bounded: expired state is swept as the store is used, and when ``maximumKeys`` keys are live
/// the key closest to expiry is dropped to make room (that key's limit restarts, which errs towards allowing).
public final class InMemoryRateLimitStore: RateLimitStore {
    private struct Entry {
        var policies: [String: RateLimitPolicyState]
        var expiresAt: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var operationsSinceSweep = 0

        mutating func sweep(now: Int64) {
            entries = entries.filter { $0.value.expiresAt > now }
            operationsSinceSweep = 0
        }
    }

    /// The most keys kept at once.
    public let maximumKeys: Int
    private let clock: WallClock
    private let state = Mutex(State())

    /// Creates an empty store that reads time from `clock` and keeps at most `maximumKeys` keys.
    public init(clock: WallClock = .system, maximumKeys: Int = 100_000) {
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
        let now = RateLimitCalculator.microseconds(clock.now().sinceEpoch)
        return state.withLock { state in
            state.operationsSinceSweep += 1
            if state.operationsSinceSweep >= 1024 {
                state.sweep(now: now)
            }
            let stored = state.entries[key].flatMap { $0.expiresAt > now ? $0.policies : nil } ?? [:]
            let outcomes = policies.map { policy in
                RateLimitCalculator.evaluate(policy, state: stored[policy.name], now: now, cost: cost)
            }
            let allowed = outcomes.allSatisfy(\.result.isAllowed)
            var updated = stored
            var changed = false
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
                store(updated, key: key, now: now, in: &state)
            }
            return outcomes.map(\.result)
        }
    }

    /// Implements ``RateLimitStore/status(key:policies:cost:)``.
    public func status(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        try RateLimitPolicy.validate(key: key, policies: policies, cost: cost)
        let now = RateLimitCalculator.microseconds(clock.now().sinceEpoch)
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

    private func store(_ policies: [String: RateLimitPolicyState], key: String, now: Int64, in state: inout State) {
        let expiresAt = policies.values.map(\.expiresAt).max() ?? now
        if state.entries[key] == nil && state.entries.count >= maximumKeys {
            state.sweep(now: now)
            if state.entries.count >= maximumKeys,
                let victim = state.entries.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key
            {
                state.entries.removeValue(forKey: victim)
            }
        }
        state.entries[key] = Entry(policies: policies, expiresAt: expiresAt)
    }
}
