import AuthKitRedis
import RateLimiter
import RedisClient

/// The `ratelimit` scenario: one `RateLimiter.check` per operation through the Redis store, on one hot key with
/// a limit high enough that every request is allowed (the same script work as a refusal, minus nothing).
///
/// The equivalent `redis-benchmark` EVALSHA line is in Documentation/RateLimitsAndPermissions.md.
enum RateLimitScenario {
    static func operation(
        client: RedisClient,
        algorithm name: String
    ) throws(BenchmarkError) -> @Sendable () async throws -> Void {
        guard let algorithm = RateLimitAlgorithm(name: name) else {
            throw BenchmarkError("bad --algorithm \(name)")
        }
        let limiter = RateLimiter(
            store: RedisRateLimitStore(client: client),
            configuration: RateLimiterConfiguration(failureMode: .failClosed)
        )
        let policy = RateLimitPolicy(
            limit: 1_000_000_000,
            window: .seconds(3600),
            algorithm: algorithm,
            name: "bench-\(algorithm.name)"
        )
        return {
            let decision = try await limiter.check("authkit-bench", policy: policy)
            guard decision.source == .store, decision.isAllowed else {
                throw BenchmarkError("rate-limit decision came from \(decision.source), allowed \(decision.isAllowed)")
            }
        }
    }
}
