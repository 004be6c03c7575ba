/// Where rate-limit state lives: in this process (``InMemoryRateLimitStore``) or shared (Redis).
///
/// Every method sees all of a key's policies at once, so that a store can decide them in one atomic step:
/// a request refused by one policy is charged to none. Implementations validate their input with
/// ``RateLimitPolicy/validate(key:policies:cost:)`` and use their own clock (Redis uses the server's `TIME`).
public protocol RateLimitStore: Sendable {
    /// Decides a request of `cost` against every policy and, only when all allow it, charges all of them.
    ///
    /// A refused request changes nothing, except that a refusing policy with a block duration starts its block.
    /// - Returns: one result per policy, in the order given.
    func charge(key: String, policies: [RateLimitPolicy], cost: Int) async throws -> [RateLimitPolicyResult]

    /// Reports what ``charge(key:policies:cost:)`` would decide now, without changing any state.
    func status(key: String, policies: [RateLimitPolicy], cost: Int) async throws -> [RateLimitPolicyResult]

    /// Forgets every policy's state (and any block) under `key`.
    func reset(key: String) async throws
}
