/// The answer of ``PermissionStore/lookup(user:)``: the valid entry if any, and the versions it was read under.
public struct PermissionLookup: Hashable, Sendable {
    /// The cached entry, or `nil` on a miss (never stored, expired, or invalidated).
    public var entry: PermissionEntry?
    /// The current versions, to pass back to ``PermissionStore/save(_:for:ttl:ifVersion:)`` after a load.
    public var version: PermissionVersion

    /// Creates a lookup answer.
    public init(entry: PermissionEntry?, version: PermissionVersion) {
        self.entry = entry
        self.version = version
    }
}
