/// The permissions one user holds, with simple wildcard grants.
///
/// Permissions are strings, conventionally `resource:action` (`orders:read`). A grant ending in `:*` covers
/// every permission that starts with the part before the `*` and has at least one more segment: `orders:*`
/// covers `orders:read` and `orders:items:delete`, but not `orders` itself nor `ordersx:read`. The grant `*` on
/// its own covers every permission (a superuser). A `*` anywhere else is an ordinary character, and a query is
/// never treated as a pattern: asking for `orders:*` is true only for the grants `orders:*` or `*`.
public struct PermissionSet: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The grants exactly as given, wildcards included.
    public let grants: Set<String>
    private let wildcardPrefixes: Set<Substring>
    private let grantsEverything: Bool

    /// A set that grants nothing.
    public static let empty = PermissionSet([String]())

    /// Creates a set from grants, which may include `prefix:*` wildcards and `*`.
    public init(_ grants: some Sequence<String>) {
        let all = Set(grants)
        self.grants = all
        self.grantsEverything = all.contains("*")
        self.wildcardPrefixes = Set(all.lazy.filter { $0.hasSuffix(":*") }.map { $0.dropLast() })
    }

    /// Creates a set from a literal list of grants.
    public init(arrayLiteral elements: String...) {
        self.init(elements)
    }

    /// Whether the grants cover `permission`, exactly or through a wildcard.
    public func contains(_ permission: String) -> Bool {
        if grantsEverything || grants.contains(permission) {
            return true
        }
        guard !wildcardPrefixes.isEmpty else { return false }
        // Each prefix ending at a ':' (longest first) could be the prefix of a wildcard grant.
        var index = permission.endIndex
        while let colon = permission[..<index].lastIndex(of: ":") {
            let prefix = permission[...colon]
            if colon < permission.index(before: permission.endIndex), wildcardPrefixes.contains(prefix) {
                return true
            }
            index = colon
        }
        return false
    }

    /// Whether the grants cover every one of `permissions` (true for an empty list).
    public func containsAll(_ permissions: some Sequence<String>) -> Bool {
        permissions.allSatisfy(contains)
    }

    /// Whether the grants cover at least one of `permissions` (false for an empty list).
    public func containsAny(_ permissions: some Sequence<String>) -> Bool {
        permissions.contains(where: contains)
    }

    /// Whether two values are the same.
    public static func == (lhs: PermissionSet, rhs: PermissionSet) -> Bool {
        lhs.grants == rhs.grants
    }

    /// Feeds the value's identity into `hasher`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(grants)
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        "[" + grants.sorted().joined(separator: ", ") + "]"
    }
}
