/// How long a ``PermissionCache`` keeps what, and what it does when its store fails.
public struct PermissionCacheConfiguration: Sendable {
    /// How long a loaded permission set stays in the store.
    public var ttl: Duration
    /// How long an unknown user (the loader returned `nil`) stays cached; short, as the user may be created soon.
    public var negativeTTL: Duration
    /// How long an entry stays in this process's local cache, or `nil` for no local cache.
    ///
    /// Keep it short: it bounds how stale a process can be when an invalidation message is lost.
    public var localTTL: Duration?
    /// The most users held in the local cache.
    public var maximumLocalEntries: Int
    /// Whether to call the loader directly (without caching) when the store cannot answer a lookup; when
    /// `false`, such lookups throw ``PermissionCacheError/Code/storeUnavailable``.
    public var loadWhenStoreFails: Bool
    /// How long ``PermissionCache/run()`` waits before subscribing again after the channel failed.
    public var resubscribeDelay: Duration

    /// Creates a configuration; the defaults cache for five minutes, unknown users for thirty seconds, and keep
    /// no local cache.
    public init(
        ttl: Duration = .seconds(300),
        negativeTTL: Duration = .seconds(30),
        localTTL: Duration? = nil,
        maximumLocalEntries: Int = 10_000,
        loadWhenStoreFails: Bool = true,
        resubscribeDelay: Duration = .seconds(1)
    ) {
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.localTTL = localTTL
        self.maximumLocalEntries = maximumLocalEntries
        self.loadWhenStoreFails = loadWhenStoreFails
        self.resubscribeDelay = resubscribeDelay
    }

    /// Throws ``PermissionCacheError/Code/invalidConfiguration`` for a value that cannot work: a TTL (``ttl``,
    /// ``negativeTTL``, ``localTTL``) under one millisecond, which a store would turn into an immediate expiry, a
    /// ``maximumLocalEntries`` below one or a negative ``resubscribeDelay``. `AuthKit` checks its configuration's
    /// cache settings with it when it starts.
    public func validate() throws(PermissionCacheError) {
        try Self.checkTTL(ttl, "the permission TTL")
        try Self.checkTTL(negativeTTL, "the negative TTL")
        if let localTTL {
            try Self.checkTTL(localTTL, "the local TTL")
        }
        guard maximumLocalEntries >= 1 else {
            throw PermissionCacheError(.invalidConfiguration, "maximumLocalEntries must be at least 1")
        }
        guard resubscribeDelay >= .zero else {
            throw PermissionCacheError(.invalidConfiguration, "the resubscribe delay must not be negative")
        }
    }

    /// Throws ``PermissionCacheError/Code/invalidConfiguration`` unless `duration`, which becomes a TTL, is at
    /// least one millisecond (the unit of Redis TTLs).
    package static func checkTTL(_ duration: Duration, _ name: String) throws(PermissionCacheError) {
        guard duration >= .milliseconds(1) else {
            throw PermissionCacheError(.invalidConfiguration, "\(name) must be at least 1 ms, got \(duration)")
        }
    }
}
