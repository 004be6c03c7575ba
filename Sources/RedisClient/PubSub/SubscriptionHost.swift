import Logging

/// Which node a subscription's connection goes to; asked again at every reconnect, so that a subscription follows
/// its channels' slot through resharding and the primary through failovers.
enum SubscriptionRoute: Sendable, Hashable {
    /// Any node that serves commands: classic channels, which a cluster broadcasts to every node.
    case anyNode
    /// The primary that owns a slot: sharded channels (`SSUBSCRIBE`) that hash to it.
    case slot(Int)
    /// One given node: a Sentinel, for its event channels.
    case node(RedisNodeAddress)
}

/// What a ``SubscriberSession`` needs from the client that runs it. Every method runs on the event-loop thread.
protocol SubscriptionHost: AnyObject, Sendable {
    /// The loop of the client.
    var loop: EventLoop { get }
    /// The client's settings (timeouts, health-check interval).
    var configuration: RedisConfiguration { get }
    /// Where reconnects are logged.
    var logger: Logger { get }
    /// Whether the client is shut down: a session then ends instead of reconnecting.
    var isShutdown: Bool { get }
    /// The wait before reconnect attempt `attempt`.
    func backoffDelay(attempt: Int) -> Duration
    /// Calls `completion` (on the loop thread, maybe later) with the pool of the node `route` leads to now.
    func subscriptionPool(
        for route: SubscriptionRoute,
        _ completion: @escaping @Sendable (Result<ConnectionPool, RedisError>) -> Void
    )
    /// Told when a subscription's connection failed or the server moved its channels, before it reconnects.
    func subscriptionLost(_ route: SubscriptionRoute)
    /// Registers a running session, so that shutdown ends it.
    func add(_ session: SubscriberSession)
    /// Forgets a session that ended.
    func remove(_ session: SubscriberSession)
}

extension ConnectionPool: SubscriptionHost {
    func subscriptionPool(
        for route: SubscriptionRoute,
        _ completion: @escaping @Sendable (Result<ConnectionPool, RedisError>) -> Void
    ) {
        completion(.success(self))
    }

    func subscriptionLost(_ route: SubscriptionRoute) {}
}
