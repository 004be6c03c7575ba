/// The settings of a Sentinel topology (``RedisTopology/sentinel(_:)``): where the Sentinels listen and which
/// primary to ask them for. The connection settings of ``RedisConfiguration`` apply to the primary; TLS applies to
/// the Sentinels too.
public struct RedisSentinelConfiguration: Sendable, Hashable {
    /// The Sentinels; the client asks them in turn until one answers.
    public var sentinels: [RedisNodeAddress]
    /// The name the Sentinels monitor the primary under (`sentinel monitor <name> …`).
    public var primaryName: String
    /// The ACL user sent with AUTH to the Sentinels; `nil` for the default user.
    public var sentinelUsername: String?
    /// The password sent with AUTH to the Sentinels (their `requirepass`); `nil` sends no AUTH. Never logged.
    public var sentinelPassword: String?
    /// How long the client refuses a primary the Sentinels are failing over: from the moment one of them picks a
    /// replica to promote (`+selected-slave`) until it announces the new primary (`+switch-master`) or gives up
    /// (`-failover-abort-…`), and after a switch, while Sentinels that have not heard of it yet still name the old
    /// primary (which keeps answering as a primary until they reconfigure it). Commands wait for the new primary
    /// meanwhile, within their deadline. Like the Sentinels' own `failover-timeout`; default 30 seconds.
    public var failoverPause: Duration

    /// Creates Sentinel settings.
    public init(
        sentinels: [RedisNodeAddress],
        primaryName: String,
        sentinelUsername: String? = nil,
        sentinelPassword: String? = nil,
        failoverPause: Duration = .seconds(30)
    ) {
        self.sentinels = sentinels
        self.primaryName = primaryName
        self.sentinelUsername = sentinelUsername
        self.sentinelPassword = sentinelPassword
        self.failoverPause = failoverPause
    }
}
