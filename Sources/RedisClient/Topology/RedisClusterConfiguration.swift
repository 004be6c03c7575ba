/// The settings of a Redis Cluster topology (``RedisTopology/cluster(_:)``). The connection settings of
/// ``RedisConfiguration`` (TLS, user, password, timeouts, pool size) apply to every node.
public struct RedisClusterConfiguration: Sendable, Hashable {
    /// Nodes to read the slot map from at start; any reachable node will do, and the map names the rest.
    public var seeds: [RedisNodeAddress]
    /// How often the slot map is read again while nothing else prompted it (a `MOVED`, a failed connection,
    /// `CLUSTERDOWN` read it at once).
    public var refreshInterval: Duration
    /// The shortest time between two reads of the slot map, so that a burst of redirections or failures during a
    /// failover costs one `CLUSTER SHARDS`, not one per command.
    public var minimumRefreshInterval: Duration
    /// The most `MOVED` and `ASK` redirections one command follows before it fails.
    public var maximumRedirects: Int
    /// The first pause before a retry after `TRYAGAIN`, `CLUSTERDOWN`, `LOADING` or a connection that could not be
    /// opened; it doubles with each retry up to ``maximumRetryPause``. Retries stop at the command's deadline.
    public var initialRetryPause: Duration
    /// The longest pause between two retries of one command.
    public var maximumRetryPause: Duration

    /// Creates cluster settings with the given seed nodes.
    public init(
        seeds: [RedisNodeAddress],
        refreshInterval: Duration = .seconds(30),
        minimumRefreshInterval: Duration = .milliseconds(100),
        maximumRedirects: Int = 5,
        initialRetryPause: Duration = .milliseconds(5),
        maximumRetryPause: Duration = .milliseconds(200)
    ) {
        self.seeds = seeds
        self.refreshInterval = refreshInterval
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumRedirects = maximumRedirects
        self.initialRetryPause = initialRetryPause
        self.maximumRetryPause = maximumRetryPause
    }
}
