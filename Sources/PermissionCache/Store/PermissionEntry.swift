/// What a store holds for one user: the user's permissions, or the fact that the user does not exist.
public struct PermissionEntry: Hashable, Sendable {
    /// The permissions, or `nil` when the loader said the user is unknown (a briefly cached negative result).
    public var permissions: PermissionSet?

    /// Creates an entry; pass `nil` to record an unknown user.
    public init(permissions: PermissionSet?) {
        self.permissions = permissions
    }

    /// An entry recording that the user does not exist.
    public static let unknownUser = PermissionEntry(permissions: nil)
}
