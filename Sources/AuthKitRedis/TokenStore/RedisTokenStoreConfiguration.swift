/// Settings of a ``RedisTokenStore``: where its keys live and how it treats the server's eviction policy.
public struct RedisTokenStoreConfiguration: Hashable, Sendable {
    /// The start of every key the store writes (default `authkit:`), so several apps can share one Redis.
    ///
    /// It must not contain `{` or `}`, which would move the hash tag that keeps a user's keys on one slot.
    public var keyPrefix: String
    /// How long past the moment a record stops mattering its key's TTL runs (default one minute).
    ///
    /// Rules are decided by comparing recorded instants with the store's clock, never by TTLs, so the
    /// margin only absorbs clock differences between app servers; it must be at least one millisecond.
    public var expiryMargin: Duration
    /// When true, ``RedisTokenStore/checkMemoryPolicy()`` throws if the server's `maxmemory-policy` could
    /// evict denylist entries (anything but `noeviction`) or cannot be read.
    public var requireSafeMemoryPolicy: Bool

    /// Creates a configuration; ``RedisTokenStore`` checks it when created.
    public init(
        keyPrefix: String = "authkit:",
        expiryMargin: Duration = .seconds(60),
        requireSafeMemoryPolicy: Bool = false
    ) {
        self.keyPrefix = keyPrefix
        self.expiryMargin = expiryMargin
        self.requireSafeMemoryPolicy = requireSafeMemoryPolicy
    }
}
