import AuthKit
import PermissionCache

/// A permission store that cannot be reached.
struct UnreachablePermissionStore: PermissionStore {
    struct Unreachable: Error {}

    func lookup(user: String) async throws -> PermissionLookup { throw Unreachable() }

    func save(
        _ entry: PermissionEntry,
        for user: String,
        ttl: Duration,
        ifVersion version: PermissionVersion
    ) async throws -> Bool { throw Unreachable() }

    func invalidate(user: String) async throws { throw Unreachable() }

    func invalidateAll() async throws { throw Unreachable() }
}
