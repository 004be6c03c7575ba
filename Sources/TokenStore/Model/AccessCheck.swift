public import AuthKitClock

/// The facts of an already verified access token that the store needs to say whether it is still honoured.
public struct AccessCheck: Hashable, Sendable {
    /// The token's subject.
    public var userID: String
    /// The token's `jti`, or nil when the token has none (it then cannot have been denylisted).
    public var jti: String?
    /// The token's `iat`.
    public var issuedAt: UnixTime
    /// The token's session id (`sid`), or nil when the token is not bound to a session.
    public var sessionID: String?
    /// When true and the token is valid, the same store call also touches the session (see
    /// ``TokenStore/touchSession(userID:sessionID:)``), so activity keeps the session alive at no extra round trip.
    public var touchSession: Bool

    /// Creates a check.
    public init(userID: String, jti: String?, issuedAt: UnixTime, sessionID: String?, touchSession: Bool = false) {
        self.userID = userID
        self.jti = jti
        self.issuedAt = issuedAt
        self.sessionID = sessionID
        self.touchSession = touchSession
    }

    /// Throws when a field would be refused by a store.
    public func validate() throws(TokenStoreError) {
        try TokenStoreLimits.checkUserID(userID)
        if let jti {
            try TokenStoreLimits.checkJTI(jti)
        }
        if let sessionID {
            try TokenStoreLimits.checkSessionID(sessionID)
        }
    }
}
