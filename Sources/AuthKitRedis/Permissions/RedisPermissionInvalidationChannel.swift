public import PermissionCache
public import RedisClient

/// A `PermissionInvalidationChannel` over Redis pub/sub, on the channel `authkit:perms-invalidations`.
///
/// Redis pub/sub delivers at most once: a message published while a subscriber's connection is being reopened is
/// lost without notice. The local cache's short TTL is what bounds staleness in that case.
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

    public func publish(_ invalidation: PermissionInvalidation) async throws {
        try await client.publish(RedisArgument(channel), message: RedisArgument(invalidation.wireFormat))
    }

    public func subscribe() async throws -> AsyncStream<PermissionInvalidation> {
        let subscription = try await client.subscribe([channel])
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
