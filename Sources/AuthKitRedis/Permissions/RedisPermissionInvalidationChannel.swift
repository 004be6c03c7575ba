public import PermissionCache
public import RedisClient

/// A `PermissionInvalidationChannel` over Redis pub/sub, on the channel `authkit:perms-invalidations`.
///
/// Redis pub/sub delivers at most once: a message published while a subscriber's connection is down is lost. So the
/// stream of ``subscribe()`` ends as soon as its connection is lost (closed, reset, or a failed health check), never
/// resubscribing silently: the cache then empties its local entries and subscribes again, and a message lost in
/// the gap cannot leave a stale entry trusted.
public final class RedisPermissionInvalidationChannel: PermissionInvalidationChannel {
    /// The client used to publish and subscribe.
    public let client: RedisClient
    /// The pub/sub channel name.
    public let channel: String

    /// Creates a channel over `client`, named `<keyPrefix>perms-invalidations`.
    public init(client: RedisClient, keyPrefix: String = "authkit:") {
        self.client = client
        self.channel = PermissionRedisKeys.channel(prefix: keyPrefix)
    }

    /// Implements `PermissionInvalidationChannel.publish(_:)`; see the protocol for the contract.
    public func publish(_ invalidation: PermissionInvalidation) async throws {
        try await client.publish(RedisArgument(channel), message: RedisArgument(invalidation.wireFormat))
    }

    /// Implements `PermissionInvalidationChannel.subscribe()`; see the protocol for the contract.
    public func subscribe() async throws -> AsyncStream<PermissionInvalidation> {
        let subscription = try await client.subscribe([channel], resubscribe: false)
        let (stream, continuation) = AsyncStream.makeStream(of: PermissionInvalidation.self)
        let relay = Task {
            for await message in subscription {
                // A message this version cannot parse still means "something changed": drop everything.
                continuation.yield(PermissionInvalidation(wireFormat: message.text) ?? .all)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in relay.cancel() }
        return stream
    }
}
