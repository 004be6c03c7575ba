public import AuthKit

/// The accounts the server knows, and the one place passwords are checked.
public struct UserDirectory: Sendable {
    private let users: [String: User]
    /// Checked when the username is unknown, so that an unknown name costs the same time as a wrong password
    /// and response times do not reveal which usernames exist.
    private let decoyHash: String

    /// Creates a directory; `decoyHash` is any bcrypt hash of the same cost as the users' hashes.
    public init(_ users: [User], decoyHash: String) {
        self.users = Dictionary(users.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })
        self.decoyHash = decoyHash
    }

    /// The user whose password is `password`, or `nil` for an unknown username or a wrong password.
    public func authenticate(username: String, password: String) async throws -> User? {
        guard let user = users[username] else {
            _ = try await PasswordHasher.verify(password, against: decoyHash)
            return nil
        }
        return try await PasswordHasher.verify(password, against: user.passwordHash) ? user : nil
    }

    /// The permissions of `userID`, or `nil` for an unknown user: the loader behind AuthKit's permission cache.
    public func permissions(of userID: String) -> PermissionSet? {
        users[userID]?.permissions
    }
}
