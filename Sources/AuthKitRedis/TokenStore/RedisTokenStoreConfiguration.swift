public import AuthKitClock

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
    /// During a rolling upgrade from a version before the one-command access check (AuthKit's data layout 1, see
    /// Documentation/RedisDataLayout.md), an instant by which no process of that version writes to the store any
    /// more; nil (the default) when none does.
    ///
    /// The default check reads small keys that this version's scripts keep in step with the full records; an
    /// earlier version ends sessions and logs users out without touching those keys. Tokens issued at or before this
    /// instant are therefore checked against the full records, which every version writes (three reads in one round
    /// trip, as before), so that a session ended by an earlier version's process during the upgrade is refused at
    /// once rather than when its access tokens expire. Later tokens cost one command. Once the instant has passed
    /// by an access-token lifetime, the setting has no effect and can be removed.
    public var previousVersionWritesUntil: UnixTime?

    /// Creates a configuration; ``RedisTokenStore`` checks it when created.
    public init(
        keyPrefix: String = "authkit:",
        expiryMargin: Duration = .seconds(60),
        requireSafeMemoryPolicy: Bool = false,
        previousVersionWritesUntil: UnixTime? = nil
    ) {
        self.keyPrefix = keyPrefix
        self.expiryMargin = expiryMargin
        self.requireSafeMemoryPolicy = requireSafeMemoryPolicy
        self.previousVersionWritesUntil = previousVersionWritesUntil
    }
}
