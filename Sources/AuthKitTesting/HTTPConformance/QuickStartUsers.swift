/// The user table of the README's quick starts: `alice` with the password `secret`.
public struct QuickStartUsers: Sendable {
    /// A user found by ``check(_:_:)``.
    public struct User: Sendable {
        /// The user id.
        public let id: String
    }

    /// Creates the table.
    public init() {}

    /// The user named `username` when `password` is theirs, nil for anything else.
    public func check(_ username: String, _ password: String) async throws -> User? {
        username == "alice" && password == "secret" ? User(id: "alice") : nil
    }
}
