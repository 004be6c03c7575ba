/// How a ``RedisTestCluster`` is set up.
public struct RedisTestClusterOptions: Sendable {
    /// How many primaries (at least 3, as `redis-cli --cluster create` requires).
    public var primaries: Int
    /// Replicas per primary.
    public var replicasPerPrimary: Int
    /// `cluster-node-timeout` in milliseconds: how long a silent node takes to be failed over. Low, so that a
    /// killed primary's replica takes over within a few seconds; high enough that a busy test machine does not
    /// fail a slow node over by mistake.
    public var nodeTimeoutMilliseconds: Int
    /// More `redis.conf` lines for every node, appended last.
    public var extraConfiguration: [String]

    /// Creates options; the default is three primaries with one replica each and a 2-second node timeout.
    public init(
        primaries: Int = 3,
        replicasPerPrimary: Int = 1,
        nodeTimeoutMilliseconds: Int = 2000,
        extraConfiguration: [String] = []
    ) {
        self.primaries = primaries
        self.replicasPerPrimary = replicasPerPrimary
        self.nodeTimeoutMilliseconds = nodeTimeoutMilliseconds
        self.extraConfiguration = extraConfiguration
    }
}
