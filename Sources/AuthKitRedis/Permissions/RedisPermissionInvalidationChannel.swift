public import PermissionCache
public import RedisClient

/// A `PermissionInvalidationChannel` over Redis pub/sub, on the channel `authkit:perms-invalidations`.
///
/// On a Redis Cluster it uses sharded pub/sub (`SSUBSCRIBE`/`SPUBLISH`, Redis 7): the channel lives on the primary
/// of its slot, and a message reaches that shard only instead of being broadcast to every node. A server without
/// sharded pub/sub answers that the command is unknown, and the channel uses classic pub/sub there (which a cluster
/// broadcasts).
///
/// Redis pub/sub delivers at most once: a message published while a subscriber's connection is down is lost. So the
/// stream of ``subscribe()`` ends as soon as its connection is lost (closed, reset, a failed health check, or the
/// channel's slot or primary moving), never resubscribing silently: the cache then empties its local entries and
/// subscribes again, and a message lost in the gap cannot leave a stale entry trusted.
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

    /// Whether the channel uses sharded pub/sub: on a cluster, where the server has it.
    private var sharded: Bool { client.configuration.topology.cluster != nil }

    /// Implements `PermissionInvalidationChannel.publish(_:)`; see the protocol for the contract.
    public func publish(_ invalidation: PermissionInvalidation) async throws {
        let message = RedisArgument(invalidation.wireFormat)
        if sharded {
            do {
                try await client.spublish(RedisArgument(channel), message: message)
                return
            } catch let error as RedisError where Self.lacksShardedPubSub(error) {}
        }
        try await client.publish(RedisArgument(channel), message: message)
    }

    /// Implements `PermissionInvalidationChannel.subscribe()`; see the protocol for the contract.
    public func subscribe() async throws -> AsyncStream<PermissionInvalidation> {
        let subscription = try await subscription()
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

    private func subscription() async throws -> RedisSubscription {
        if sharded {
            do {
                return try await client.subscribe(shardChannels: [channel], resubscribe: false)
            } catch let error as RedisError where Self.lacksShardedPubSub(error) {}
        }
        return try await client.subscribe([channel], resubscribe: false)
    }

    /// Whether `error` is a server's answer that it does not know the sharded pub/sub commands (before Redis 7).
    private static func lacksShardedPubSub(_ error: RedisError) -> Bool {
        error.code == .server && error.message.lowercased().contains("unknown command")
    }
}
