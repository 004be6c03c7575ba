/// Where cached permissions live: in this process (``InMemoryPermissionStore``) or shared (Redis).
///
/// The store keeps a version per user and a global version, so that invalidation is one write (no scan)
/// and a load that raced an invalidation can never be cached: ``save(_:for:ttl:ifVersion:)`` is a
/// compare-and-set on the versions ``lookup(user:)`` returned.
public protocol PermissionStore: Sendable {
    /// The user's entry if one was saved under the current versions and has not expired, and those versions.
    func lookup(user: String) async throws -> PermissionLookup

    /// Saves `entry` for `ttl`, only if the user's and global versions still equal `version`.
    ///
    /// A store whose global version lives apart from the user's data (Redis Cluster: another slot) may accept a
    /// save under a stale global version, provided the entry keeps that version and ``lookup(user:)`` never
    /// returns it.
    /// - Returns: whether the entry was saved; `false` means an invalidation happened since the lookup (or the
    ///   store had no room), and the caller must simply not rely on it being cached.
    func save(
        _ entry: PermissionEntry,
        for user: String,
        ttl: Duration,
        ifVersion version: PermissionVersion
    )
        async throws -> Bool

    /// Drops the user's entry and changes the user's version, so no load that started earlier can be saved.
    func invalidate(user: String) async throws

    /// Changes the global version, which makes every entry of every user invalid at once.
    func invalidateAll() async throws
}
