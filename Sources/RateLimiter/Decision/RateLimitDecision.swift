/// The answer to one rate-limit check: allowed or not, the quota left, and when to come back.
///
/// With several policies, the top-level numbers come from the policy that binds: when refused, the refusing
/// policy with the longest wait; when allowed, the policy with the fewest requests remaining. Every policy's
/// own result is in ``results``.
public struct RateLimitDecision: Hashable, Sendable {
    /// Whether the request may proceed; when `false`, no policy was charged for it.
    public var isAllowed: Bool
    /// The binding policy's quota (limit, or burst for GCRA).
    public var limit: Int
    /// Requests the binding policy would still allow right now.
    public var remaining: Int
    /// Time until the binding policy's quota is fully available again.
    public var resetAfter: Duration
    /// When refused, the time after which the same request could be allowed; `nil` when allowed.
    public var retryAfter: Duration?
    /// Which path made the decision: the store, or a fallback while the store is down.
    public var source: RateLimitDecisionSource
    /// The policy whose numbers are reported at the top level.
    public var policy: RateLimitPolicy
    /// Every policy's own result, in the order the policies were given.
    public var results: [RateLimitPolicyResult]

    /// Combines per-policy results into one decision; `results` must not be empty.
    public init(results: [RateLimitPolicyResult], source: RateLimitDecisionSource) throws(RateLimitError) {
        guard let binding = Self.binding(in: results) else {
            throw RateLimitError(.corruptState, "a decision needs at least one policy result")
        }
        self.isAllowed = results.allSatisfy(\.isAllowed)
        self.limit = binding.limit
        self.remaining = binding.remaining
        self.resetAfter = binding.resetAfter
        self.retryAfter = isAllowed ? nil : binding.retryAfter
        self.source = source
        self.policy = binding.policy
        self.results = results
    }

    private static func binding(in results: [RateLimitPolicyResult]) -> RateLimitPolicyResult? {
        let refused = results.filter { !$0.isAllowed }
        if !refused.isEmpty {
            return refused.max { ($0.retryAfter ?? .zero) < ($1.retryAfter ?? .zero) }
        }
        return results.min { lhs, rhs in
            lhs.remaining != rhs.remaining ? lhs.remaining < rhs.remaining : lhs.resetAfter > rhs.resetAfter
        }
    }
}
