/// The user table of the README's quick starts: `alice` with the password `secret`.
package struct QuickStartUsers: Sendable {
    /// A user found by ``check(_:_:)``.
    package struct User: Sendable {
        /// The user id.
        package let id: String
    }

    /// Creates the table.
    package init() {}

    /// The user named `username` when `password` is theirs, nil for anything else.
    package func check(_ username: String, _ password: String) async throws -> User? {
        username == "alice" && password == "secret" ? User(id: "alice") : nil
    }
}
