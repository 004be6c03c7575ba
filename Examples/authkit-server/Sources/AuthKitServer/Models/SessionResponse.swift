public import AuthKit
import Foundation
public import Hummingbird

/// One entry of `GET /sessions`: a device the user is logged in on.
public struct SessionResponse: ResponseEncodable, Sendable {
    /// The session id, for `DELETE /sessions/{id}`.
    public let id: String
    /// The device name given at login.
    public let device: String
    /// The client address at login.
    public let ip: String
    /// When the login happened (RFC 3339, UTC).
    public let createdAt: String
    /// When the session was last used (RFC 3339, UTC).
    public let lastSeen: String
    /// Whether this is the session of the token that asked.
    public let current: Bool

    /// The entry for `session`, marked current when it is `currentSessionID`.
    public init(_ session: Session, currentSessionID: String?) {
        id = session.id
        device = session.device.name
        ip = session.device.ipAddress
        createdAt = Self.timestamp(session.createdAt)
        lastSeen = Self.timestamp(session.lastSeenAt)
        current = session.id == currentSessionID
    }

    private static func timestamp(_ time: UnixTime) -> String {
        Date(timeIntervalSince1970: Double(time.seconds)).formatted(.iso8601)
    }

    enum CodingKeys: String, CodingKey {
        case id, device, ip, current
        case createdAt = "created_at"
        case lastSeen = "last_seen"
    }
}
