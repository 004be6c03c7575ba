package import AuthKitClock

/// One fact of the revocation feed, as a store writes it in the same step as the change it records.
package enum RevocationFeedEntry: Hashable, Sendable {
    /// The access token `jti` of `userID` is denylisted until `until`.
    case revoked(userID: String, jti: String, until: UnixTime)
    /// `userID` logged out everywhere: their epoch is now `epoch`.
    case epoch(userID: String, epoch: AccessRecords.EpochRecord)
    /// The session `sessionID` of `userID` ended at `at` (revoked, evicted by the session limit, ended by
    /// refresh-token reuse, or by a log-out-everywhere).
    case sessionEnded(userID: String, sessionID: String, at: UnixTime)
    /// The feed began at `at`: revocations before it are not in it.
    case began(at: UnixTime)
}
