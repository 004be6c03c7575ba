public import AuthKit
import HummingbirdBcrypt
import NIOPosix

/// The demo accounts and the one place their passwords are checked: `alice` / `alice-password` with `admin:*` and
/// `orders:*`, and `bob` / `bob-password` with `orders:read`. Only bcrypt hashes are kept, as a real user table
/// would; the passwords appear in documentation only.
public enum DemoUsers {
    /// Username → (bcrypt hash, permissions).
    static let users: [String: (hash: String, permissions: PermissionSet)] = [
        "alice": ("$2b$10$sSvCJn7ztOF5xp8EADWUd.yRrVChB9jXEUe7GQ2QBB6OnYQ0YiOPO", ["admin:*", "orders:*"]),
        "bob": ("$2b$10$Jb3LmD8eeuEt3G0ebldz/OdV7dHjYQJDJK4b.vvAnlOql7LSNkoc.", ["orders:read"]),
    ]
    /// Checked for an unknown username, so that it costs the same time as a wrong password.
    static let decoyHash = "$2b$10$MLxnc8mmBjvaHr4tSJ9Mxe6Sy3QsA2.5Ienss9TyCSklPSrsjrQXe"

    /// The credential check of `POST /login`: bcrypt (slow on purpose) runs on NIO's blocking thread pool, not
    /// on the threads that serve requests, and compares in constant time.
    public static func check(_ login: LoginCredentials) async throws -> LoginIdentity? {
        let user = users[login.username]
        let matches = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(login.password, hash: user?.hash ?? decoyHash)
        }
        return matches && user != nil ? LoginIdentity(userID: login.username) : nil
    }

    /// The permissions of `userID`, nil for an unknown user: the loader behind AuthKit's permission cache.
    @Sendable public static func permissions(of userID: String) -> PermissionSet? {
        users[userID]?.permissions
    }
}
