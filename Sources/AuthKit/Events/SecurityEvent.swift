/// Something a security team wants to know about, delivered on ``AuthKit/events`` and logged.
public struct SecurityEvent: Hashable, Sendable, CustomStringConvertible {
    /// The kind of event.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The kind's stable name, as logged.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// An already-rotated refresh token was presented: its login has been revoked.
        public static let refreshTokenReuse = Kind("refreshTokenReuse")
        /// A logged-out, pre-epoch or session-ended access token was presented.
        public static let revokedTokenPresented = Kind("revokedTokenPresented")
        /// A rate limit refused a request.
        public static let rateLimitExceeded = Kind("rateLimitExceeded")
        /// The state store could not answer and a request was refused (fail closed).
        public static let storeUnavailable = Kind("storeUnavailable")
        /// A login was refused by the session policy.
        public static let sessionLimitReached = Kind("sessionLimitReached")
    }

    /// What happened.
    public let kind: Kind
    /// The user concerned, when known.
    public let userID: String?
    /// The session concerned, when known.
    public let sessionID: String?
    /// More detail (the rate-limit key, the revocation reason, the failed operation); never a token.
    public let detail: String
    /// When it happened.
    public let at: UnixTime

    /// Creates an event.
    public init(kind: Kind, userID: String? = nil, sessionID: String? = nil, detail: String = "", at: UnixTime) {
        self.kind = kind
        self.userID = userID
        self.sessionID = sessionID
        self.detail = detail
        self.at = at
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        var parts = ["\(kind.name)"]
        if let userID { parts.append("user=\(userID)") }
        if let sessionID { parts.append("session=\(sessionID)") }
        if !detail.isEmpty { parts.append(detail) }
        return parts.joined(separator: " ")
    }
}
