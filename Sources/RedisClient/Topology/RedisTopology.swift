/// How the servers behind a ``RedisClient`` are arranged: one server, a Redis Cluster, or a primary that Sentinels
/// watch.
///
/// A struct rather than an enum, so that new arrangements never break a user's `switch`.
public struct RedisTopology: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case single
        case cluster(RedisClusterConfiguration)
        case sentinel(RedisSentinelConfiguration)
    }

    let kind: Kind

    /// One server at ``RedisConfiguration/endpoint`` (or a proxy that looks like one).
    public static let single = RedisTopology(kind: .single)

    /// A Redis Cluster: the client reads the slot map from the seed nodes, keeps a pool per primary and routes
    /// every command to the primary that owns its keys.
    public static func cluster(_ configuration: RedisClusterConfiguration) -> RedisTopology {
        RedisTopology(kind: .cluster(configuration))
    }

    /// A primary watched by Sentinels: the client asks the Sentinels where the primary is, checks it with `ROLE`,
    /// and follows it through failovers.
    public static func sentinel(_ configuration: RedisSentinelConfiguration) -> RedisTopology {
        RedisTopology(kind: .sentinel(configuration))
    }

    /// The cluster settings, when this is a cluster.
    public var cluster: RedisClusterConfiguration? {
        if case .cluster(let configuration) = kind { return configuration }
        return nil
    }

    /// The Sentinel settings, when the primary is found through Sentinels.
    public var sentinel: RedisSentinelConfiguration? {
        if case .sentinel(let configuration) = kind { return configuration }
        return nil
    }
}
