/// Which HTTP header fields ``RateLimitDecision/headers(_:)`` produces.
public struct RateLimitHeaderOptions: OptionSet, Hashable, Sendable {
    /// The raw bits of the option set.
    public let rawValue: Int

    /// Creates options from their raw bits.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `RateLimit-Policy` and `RateLimit` as in draft-ietf-httpapi-ratelimit-headers-08 to -10
    /// (`"name";q=100;w=60` and `"name";r=42;t=17`), one list member per policy.
    public static let draft = RateLimitHeaderOptions(rawValue: 1 << 0)
    /// `Retry-After` in whole seconds (rounded up) on a refusal (RFC 9110, section 10.2.3).
    public static let retryAfter = RateLimitHeaderOptions(rawValue: 1 << 1)
    /// The legacy `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until reset)
    /// for the binding policy, for clients written against older APIs.
    public static let legacy = RateLimitHeaderOptions(rawValue: 1 << 2)

    /// The draft fields and `Retry-After`.
    public static let standard: RateLimitHeaderOptions = [.draft, .retryAfter]
}
