import RateLimiter
import Synchronization

/// The `ratelimit-flood` scenario: the local fallback limiter (what a `RateLimiter` decides with while its shared
/// store is down) under a flood of distinct keys. Its table is first filled with `--keys` live keys (the
/// limiter's `maximumLocalKeys`), then every operation is a decision for a key never seen before, so each one must
/// make room in a full table. Decisions that stay O(1) amortised show as the same rate whatever `--keys` is.
enum RateLimitFloodScenario {
    static func operation(options: BenchmarkOptions) async throws -> @Sendable (Int) async throws -> Void {
        guard let algorithm = RateLimitAlgorithm(name: options.algorithm) else {
            throw BenchmarkError("bad --algorithm \(options.algorithm)")
        }
        let limiter = RateLimiter(
            store: UnreachableStore(),
            configuration: RateLimiterConfiguration(
                failureMode: .localFallback(),
                storeRetryInterval: .seconds(86_400),
                maximumLocalKeys: options.keys
            )
        )
        let policy = RateLimitPolicy(limit: 100, window: .seconds(3600), algorithm: algorithm, name: "flood")
        for index in 0..<options.keys {
            _ = try await limiter.check("fill-\(index)", policy: policy)
        }
        let next = Atomic<Int>(0)
        return { _ in
            let key = "flood-\(next.add(1, ordering: .relaxed).newValue)"
            let decision = try await limiter.check(key, policy: policy)
            guard decision.source == .localFallback, decision.isAllowed else {
                throw BenchmarkError("a new key was decided by \(decision.source), allowed \(decision.isAllowed)")
            }
        }
    }
}

/// A rate-limit store that is always down, so the limiter decides with its local fallback.
private struct UnreachableStore: RateLimitStore {
    struct Down: Error {}

    func charge(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        throw Down()
    }

    func status(key: String, policies: [RateLimitPolicy], cost: Int) throws -> [RateLimitPolicyResult] {
        throw Down()
    }

    func reset(key: String) throws {
        throw Down()
    }
}
