/// What a request needs to hold to pass a permission guard: one permission, all of a set, or any of a set.
///
/// Wildcards in the user's grants match (`orders:*` holds `orders:write`). A refusal is
/// ``AuthKitError/Code-swift.struct/forbidden`` whose ``AuthKitError/requiredScope`` lists the permissions asked
/// for, which an HTTP integration puts in its RFC 6750 `insufficient_scope` challenge.
public struct PermissionRequirement: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Whether every permission is needed, or one of them is enough.
    public enum Mode: Hashable, Sendable {
        /// Every permission of the set.
        case all
        /// At least one permission of the set.
        case any
    }

    /// The permissions, in the order given.
    public let permissions: [String]
    /// Whether all or any of them are needed.
    public let mode: Mode

    /// Every one of `permissions` is needed (an empty list is always met).
    public static func all(_ permissions: [String]) -> PermissionRequirement {
        PermissionRequirement(permissions: permissions, mode: .all)
    }

    /// At least one of `permissions` is needed (an empty list is never met).
    public static func any(_ permissions: [String]) -> PermissionRequirement {
        PermissionRequirement(permissions: permissions, mode: .any)
    }

    /// One permission: `"orders:write"`.
    public init(stringLiteral permission: String) {
        self.init(permissions: [permission], mode: .all)
    }

    private init(permissions: [String], mode: Mode) {
        self.permissions = permissions
        self.mode = mode
    }

    /// Whether `grants` meet the requirement.
    public func isMet(by grants: PermissionSet) -> Bool {
        switch mode {
        case .all: grants.containsAll(permissions)
        case .any: grants.containsAny(permissions)
        }
    }

    /// The permissions, space separated: the `scope` of an `insufficient_scope` challenge.
    public var scope: String {
        permissions.joined(separator: " ")
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        permissions.count == 1 ? permissions[0] : "\(mode == .all ? "all" : "any") of \(scope)"
    }
}
