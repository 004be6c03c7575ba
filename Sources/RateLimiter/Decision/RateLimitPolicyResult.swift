/// What one policy said about one request: whether it allows it and how much of its quota is left.
public struct RateLimitPolicyResult: Hashable, Sendable {
    /// The policy this result is for.
    public var policy: RateLimitPolicy
    /// Whether this policy, on its own, allows the request.
    public var isAllowed: Bool
    /// The quota reported in headers: the limit for the window algorithms, the burst for GCRA.
    public var limit: Int
    /// Requests (of cost one) this policy would still allow right now, after this request if it was charged.
    public var remaining: Int
    /// Time until the policy's quota is fully available again.
    public var resetAfter: Duration
    /// When refused, the time after which the same request could be allowed; `nil` when allowed.
    public var retryAfter: Duration?

    /// Creates a result; stores build these from their own state.
    public init(
        policy: RateLimitPolicy,
        isAllowed: Bool,
        limit: Int,
        remaining: Int,
        resetAfter: Duration,
        retryAfter: Duration?
    ) {
        self.policy = policy
        self.isAllowed = isAllowed
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
    }
}
