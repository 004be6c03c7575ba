/// What a ``RedisTokenStore`` found when it read the server's `maxmemory-policy`.
public struct RedisMemoryPolicyReport: Hashable, Sendable, CustomStringConvertible {
    /// The policy the server reported, or nil when `CONFIG GET` was refused (managed services often disable it).
    public var policy: String?
    /// Whether the policy can never evict a key: only `noeviction` guarantees that a denylist entry or an epoch
    /// survives memory pressure, because every key the store writes has a TTL and so is a `volatile-*` candidate.
    public var isSafe: Bool { policy == "noeviction" }

    /// Creates a report for a policy name.
    public init(policy: String?) {
        self.policy = policy
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        guard let policy else {
            return "maxmemory-policy could not be read (CONFIG GET refused); revocations may be evicted unnoticed"
        }
        if isSafe {
            return "maxmemory-policy is noeviction: revocations cannot be evicted"
        }
        return "maxmemory-policy is \(policy): under memory pressure Redis may evict denylist entries, epochs and "
            + "sessions, silently un-revoking tokens; set it to noeviction"
    }
}
