/// How a ``RateLimiter`` behaves around its store.
public struct RateLimiterConfiguration: Sendable {
    /// What to do while the store fails; by default the local insurance limiter decides.
    public var failureMode: RateLimitFailureMode
    /// After a store failure, how long to answer from the fallback before asking the store again.
    ///
    /// Skipping the store for a moment keeps a dead store's timeouts off every request's latency.
    public var storeRetryInterval: Duration
    /// The most keys the local insurance limiter keeps; a flood of new keys evicts those charged the fewest requests
    /// first, and an evicted key's limit restarts (see ``InMemoryRateLimitStore/maximumKeys``).
    public var maximumLocalKeys: Int

    /// Creates a configuration; the defaults suit an API behind a shared Redis.
    public init(
        failureMode: RateLimitFailureMode = .localFallback(),
        storeRetryInterval: Duration = .milliseconds(500),
        maximumLocalKeys: Int = 100_000
    ) {
        self.failureMode = failureMode
        self.storeRetryInterval = storeRetryInterval
        self.maximumLocalKeys = maximumLocalKeys
    }
}
