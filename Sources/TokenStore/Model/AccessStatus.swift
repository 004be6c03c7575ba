/// The store's verdict on an access token: still honoured, or why not.
public enum AccessStatus: Hashable, Sendable {
    /// Not revoked, issued after the user's epoch, and its session (if any) is alive.
    case valid
    /// The token's `jti` is on the denylist.
    case revoked
    /// The token was issued at or before the user's epoch ("log out everywhere").
    case predatesEpoch
    /// The token's session was revoked, evicted or expired.
    case sessionEnded

    /// Whether the token is still honoured.
    public var isValid: Bool { self == .valid }
}
