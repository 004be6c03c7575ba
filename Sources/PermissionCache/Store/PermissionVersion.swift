/// The versions a cached entry is valid under: the user's and the global one.
///
/// ``PermissionStore/invalidate(user:)`` changes the user's version and ``PermissionStore/invalidateAll()``
/// the global one; a store only returns an entry saved under both current versions, and only saves an entry
/// when the versions read before loading are still current, so a load that raced an invalidation is dropped.
public struct PermissionVersion: Hashable, Sendable, CustomStringConvertible {
    /// The user's version; zero when the user was never invalidated (or long enough ago to be forgotten).
    public var user: UInt64
    /// The store-wide version, changed by every invalidate-all.
    public var global: UInt64

    /// Creates a version pair.
    public init(user: UInt64, global: UInt64) {
        self.user = user
        self.global = global
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(user)/\(global)" }
}
