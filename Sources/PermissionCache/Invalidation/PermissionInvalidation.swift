/// A message telling every process to drop locally cached permissions: of one user, or of everyone.
public struct PermissionInvalidation: Hashable, Sendable, CustomStringConvertible {
    /// The user whose permissions changed, or `nil` for everyone.
    public var user: String?

    private init(user: String?) {
        self.user = user
    }

    /// The permissions of `user` changed.
    public static func user(_ user: String) -> PermissionInvalidation {
        PermissionInvalidation(user: user)
    }

    /// Everyone's permissions may have changed (a role was edited).
    public static let all = PermissionInvalidation(user: nil)

    /// The message as sent on a text channel: `*` for everyone, `u:<user id>` for one user.
    public var wireFormat: String {
        user.map { "u:" + $0 } ?? "*"
    }

    /// Parses ``wireFormat``; `nil` for anything else, which a listener should treat as ``all`` to stay safe.
    public init?(wireFormat: String) {
        if wireFormat == "*" {
            self.init(user: nil)
        } else if wireFormat.hasPrefix("u:"), wireFormat.utf8.count > 2 {
            self.init(user: String(wireFormat.dropFirst(2)))
        } else {
            return nil
        }
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        user.map { "invalidate(\($0))" } ?? "invalidateAll"
    }
}
