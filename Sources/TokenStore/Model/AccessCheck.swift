public import AuthKitClock

/// The facts of an already verified access token that the store needs to say whether it is still honoured.
///
/// The rules of the check, applied by every ``TokenStore`` in this order, the first failing one being the answer:
/// a denylisted `jti` is ``AccessStatus/revoked``; a token issued at or before the user's epoch is
/// ``AccessStatus/predatesEpoch``; a token whose session is missing or ended is ``AccessStatus/sessionEnded``. They
/// are written once, in ``AccessRecords/status(of:at:)``, over the records a store reads for the check.
///
/// A JWT's `iat` has whole seconds while the epoch ("log out everywhere") is recorded to the millisecond, so the
/// epoch rule reads `iat` as a second, not an instant. A token bound to a session counts as issued at the end of
/// its second: a login in the same second as a logout everywhere works at once, and a token issued before the
/// logout in that second is still refused, by its session, which the logout ended. A token without a session has
/// nothing else to refuse it, so it counts as issued at the start of its second and is refused by an epoch
/// anywhere in that second.
///
/// The token's facts are constants: with them `var`, the optimizer built every check twice and copied one into place
/// (a retain and a release of each of its strings per authentication), even with the initializer inlined.
public struct AccessCheck: Hashable, Sendable {
    /// The token's subject.
    public let userID: String
    /// The token's `jti`, or nil when the token has none (it then cannot have been denylisted).
    public let jti: String?
    /// The token's `iat`; only its whole seconds count (see the epoch rule above).
    public let issuedAt: UnixTime
    /// The token's session id (`sid`), or nil when the token is not bound to a session.
    public let sessionID: String?
    /// When true and the token is valid, the same store call also touches the session (see
    /// ``TokenStore/touchSession(userID:sessionID:)``), so activity keeps the session alive at no extra round trip.
    public var touchSession: Bool

    /// Creates a check. Inlinable, so that a caller in another module builds the check in place.
    @inlinable
    public init(userID: String, jti: String?, issuedAt: UnixTime, sessionID: String?, touchSession: Bool = false) {
        self.userID = userID
        self.jti = jti
        self.issuedAt = issuedAt
        self.sessionID = sessionID
        self.touchSession = touchSession
    }

    /// The instant the epoch rule compares with the user's epoch: the token is refused when this is at or before
    /// it. The end of the `iat` second for a token bound to a session, its start for one without.
    package var epochCutoff: UnixTime {
        let second = UnixTime(seconds: issuedAt.seconds)
        return sessionID == nil ? second : second + .milliseconds(999)
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
