public import Logging
public import RedisClient
public import TokenStore

/// A revocation mirror polled by hand, with the default policy, for AuthKit's own benchmarks (`Benchmarks/`, a
/// package of its own, which cannot see `package` symbols): `authkit-bench mirror-rebuild` times how long a mirror
/// starting beside a full feed takes to read it, and weighs what it then holds.
///
/// Not for apps: they turn the mirror on with `AuthKitConfiguration.revocationMirror`, and the facade's `run()` polls
/// it. As SPI (`@_spi(Benchmarks) import AuthKitRedis`) it is no part of the public API and may change in any release.
@_spi(Benchmarks)
public struct RevocationMirrorProbe: Sendable {
    private let mirror: RedisRevocationMirror

    /// A mirror of the store under `keyPrefix`, reached through `client`, that reads the feed only when ``poll()`` is
    /// called, and logs to `logger`.
    public init(client: RedisClient, keyPrefix: String, logger: Logger) throws(TokenStoreError) {
        mirror = try RedisRevocationMirror(client: client, keyPrefix: keyPrefix, logger: logger)
    }

    /// Reads the feed once, as one poll of a running mirror does (the first one begins the feed when there is none).
    /// - Returns: Whether the mirror has read every entry and is proven current; false while more entries wait or
    ///   when this poll began the feed.
    /// - Throws: The client's error when the poll failed, and `TokenStoreError.Code.corruptRecord` when the feed holds
    ///   an entry the mirror cannot read.
    public func poll() async throws -> Bool {
        switch try await mirror.poll() {
        case .caughtUp:
            return true
        case .began, .behind, .diverged:
            return false
        case .unreadable:
            throw TokenStoreError(.corruptRecord, "the revocation feed holds an entry the mirror cannot read")
        }
    }

    /// The configuration a facade gives its mirror's own client, from the store's (one connection, reply caps for
    /// large batches).
    public static func clientConfiguration(from store: RedisConfiguration) -> RedisConfiguration {
        RedisRevocationMirror.ownClientConfiguration(store)
    }

    /// How many facts the mirror holds: denylisted tokens, ended sessions and user epochs.
    public var count: Int {
        mirror.count
    }
}
