public import AuthKitClock
import JWTCore

/// One login of one user on one device: what a "my devices" page lists and what access tokens point to.
///
/// Each session owns exactly one refresh-token family, identified by the same id.
public struct Session: Hashable, Sendable {
    /// The session's id: 128 random bits in base64url, carried by access tokens (`sid`) and refresh tokens.
    public var id: String
    /// The user the session belongs to.
    public var userID: String
    /// The device the login came from.
    public var device: DeviceInfo
    /// When the login happened.
    public var createdAt: UnixTime
    /// When the session was last used (login, refresh, or a touch).
    public var lastSeenAt: UnixTime
    /// When the session ends unless used again: the last use plus the idle lifetime, never past
    /// ``absoluteExpiresAt``.
    public var expiresAt: UnixTime
    /// When the session ends however much it is used.
    public var absoluteExpiresAt: UnixTime

    /// Creates a session description.
    public init(
        id: String,
        userID: String,
        device: DeviceInfo,
        createdAt: UnixTime,
        lastSeenAt: UnixTime,
        expiresAt: UnixTime,
        absoluteExpiresAt: UnixTime
    ) {
        self.id = id
        self.userID = userID
        self.device = device
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
    }

    /// A new random session id: 128 bits from the system CSPRNG, in unpadded base64url (22 characters).
    public static func newID() -> String {
        Base64URL.encode(SecureRandom.bytes(16))
    }
}
