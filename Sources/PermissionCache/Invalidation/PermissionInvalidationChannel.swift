/// The pub/sub transport that tells other processes' ``PermissionCache``s to drop their local copies.
///
/// Delivery may be lost (a reconnect, a slow subscriber); the local cache's short TTL bounds the staleness
/// that a lost message can cause, and a cache stops trusting its local copies while not subscribed.
public protocol PermissionInvalidationChannel: Sendable {
    /// Sends `invalidation` to every current subscriber, this process's included.
    func publish(_ invalidation: PermissionInvalidation) async throws

    /// Subscribes; the subscription is active when this returns, and the stream finishes when it is lost.
    func subscribe() async throws -> AsyncStream<PermissionInvalidation>
}
