import AuthKitClock
public import RateLimiter
public import RedisClient

/// A `RateLimitStore` in Redis, shared by every process that uses the same server and key prefix.
///
/// Each decision is one `EVALSHA` of a Lua script that reads the server's `TIME`, decides every policy of the
/// key, charges them only if all allow, and sets the key's TTL in the same step, so there is no window in which a
/// counter exists without an expiry (the INCR-then-EXPIRE race). State lives in one hash per limiter key,
/// `authkit:rl:{<key>}`, with fields `<policy>:s|c|p|b|e`.
///
/// ```swift
/// let limiter = RateLimiter(store: RedisRateLimitStore(client: redis))
/// let decision = try await limiter.check("api:42", policy: .perMinute(600))
/// ```
public final class RedisRateLimitStore: RateLimitStore {
    /// The client the store sends its scripts through.
    public let client: RedisClient
    /// The prefix of every key (default `authkit:`).
    public let keyPrefix: String
    /// The clock decisions are made by, in tests; nil (always, outside tests) for the server's `TIME`.
    private let testClock: (@Sendable () -> UnixTime)?

    /// Creates a store over `client`, naming keys `<keyPrefix>rl:{<key>}`.
    public init(client: RedisClient, keyPrefix: String = "authkit:") {
        self.client = client
        self.keyPrefix = keyPrefix
        self.testClock = nil
    }

    /// A store that decides at `testClock`'s instants (sent to the script, see `decideAt`) instead of the server's
    /// `TIME`, so that a test can hold it to `InMemoryRateLimitStore` at the same instants.
    init(client: RedisClient, keyPrefix: String = "authkit:", testClock: @escaping @Sendable () -> UnixTime) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.testClock = testClock
    }

    /// The Redis key that holds `limiterKey`'s state, for operators and the CLI's `status`.
    public func redisKey(for limiterKey: String) -> String {
        RateLimitRedisKeys.state(prefix: keyPrefix, limiterKey: limiterKey)
    }

    /// Implements `RateLimitStore.charge(key:policies:cost:)`; see the protocol for the contract.
    public func charge(key: String, policies: [RateLimitPolicy], cost: Int) async throws -> [RateLimitPolicyResult] {
        try await decide(key: key, policies: policies, cost: cost, charge: true)
    }

    /// Implements `RateLimitStore.status(key:policies:cost:)`; see the protocol for the contract.
    public func status(key: String, policies: [RateLimitPolicy], cost: Int) async throws -> [RateLimitPolicyResult] {
        let results = try await decide(key: key, policies: policies, cost: cost, charge: false)
        return results.map { result in
            var result = result
            if result.isAllowed {
                // Nothing was charged, so report the quota before the hypothetical request, as the in-memory store does.
                result.remaining = min(result.limit, result.remaining + cost)
            }
            return result
        }
    }

    /// Implements `RateLimitStore.reset(key:)`; see the protocol for the contract.
    public func reset(key: String) async throws {
        guard !key.isEmpty, key.utf8.count <= RateLimitPolicy.maximumKeyLength else {
            throw RateLimitError(.invalidKey, "limiter key must be 1-\(RateLimitPolicy.maximumKeyLength) bytes")
        }
        do {
            try await client.send("DEL", RedisArgument(redisKey(for: key)))
        } catch {
            throw RateLimitError(.storeUnavailable, "Redis DEL failed: \(error)")
        }
    }

    private func decide(
        key: String,
        policies: [RateLimitPolicy],
        cost: Int,
        charge: Bool
    ) async throws -> [RateLimitPolicyResult] {
        try RateLimitPolicy.validate(key: key, policies: policies, cost: cost)
        var arguments: [RedisArgument] = [charge ? "1" : "0", RedisArgument(cost), RedisArgument(policies.count)]
        arguments.reserveCapacity(4 + policies.count * 6)
        for policy in policies {
            arguments.append(RedisArgument(policy.name))
            arguments.append(RedisArgument(Self.code(policy.algorithm)))
            arguments.append(RedisArgument(policy.limit))
            arguments.append(RedisArgument(policy.windowMicroseconds))
            arguments.append(RedisArgument(policy.burst))
            arguments.append(RedisArgument(policy.blockDuration?.ttl(in: .microseconds) ?? 0))
        }
        var script = RedisRateLimitStoreScripts.decide
        if let testClock {
            arguments.append(RedisArgument(testClock().sinceEpoch.wholeUnits(in: .microseconds)))
            script = RedisRateLimitStoreScripts.decideAt
        }
        let reply: RedisReply
        do {
            reply = try await client.eval(
                script,
                keys: [RedisArgument(redisKey(for: key))],
                arguments: arguments
            )
        } catch {
            throw RateLimitError(.storeUnavailable, "Redis rate-limit script failed: \(error)")
        }
        guard let values = reply.array?.compactMap(\.integer), values.count == policies.count * 5 else {
            throw RateLimitError(.corruptState, "Redis rate-limit script returned an unexpected reply")
        }
        return policies.enumerated().map { index, policy in
            let base = index * 5
            return RateLimitPolicyResult(
                policy: policy,
                isAllowed: values[base] == 1,
                limit: Int(values[base + 1]),
                remaining: Int(values[base + 2]),
                resetAfter: .microseconds(max(0, values[base + 3])),
                retryAfter: values[base + 4] < 0 ? nil : .microseconds(values[base + 4])
            )
        }
    }

    private static func code(_ algorithm: RateLimitAlgorithm) -> String {
        switch algorithm {
        case .slidingWindow: "s"
        case .gcra: "g"
        default: "f"
        }
    }
}
