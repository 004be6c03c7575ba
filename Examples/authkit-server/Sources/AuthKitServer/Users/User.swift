public import AuthKit

/// An account that can log in: a name, a salted password hash, and the permissions it holds.
public struct User: Sendable {
    /// The login name, also the user id (`sub`) of the user's tokens.
    public let username: String
    /// The bcrypt hash of the password (`$2b$…`, salt and cost included): the password itself is never kept.
    public let passwordHash: String
    /// What the user may do, wildcards included (`orders:*`).
    public let permissions: PermissionSet

    /// Creates an account from an already hashed password (see ``PasswordHasher/hash(_:)``).
    public init(username: String, passwordHash: String, permissions: PermissionSet) {
        self.username = username
        self.passwordHash = passwordHash
        self.permissions = permissions
    }
}
