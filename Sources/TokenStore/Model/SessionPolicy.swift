/// How many sessions one user may hold at once, and what a login beyond that does.
///
/// Every user has a hard cap of 100 live sessions: a policy may lower it, never
/// raise or remove it. The cap bounds the work of every store operation that walks a user's sessions.
public struct SessionPolicy: Hashable, Sendable {
    /// What happens when a user who already has ``maxSessions`` sessions logs in again.
    public enum Overflow: Hashable, Sendable {
        /// End the sessions created longest ago until the new one fits.
        case evictOldest
        /// Refuse the new login with ``TokenStoreError/Code-swift.struct/sessionLimitReached``.
        case refuseNewLogin
    }

    /// The most live sessions a user may have, at most 100; nil means that
    /// hard cap.
    public var maxSessions: Int?
    /// What a login beyond the limit does.
    public var overflow: Overflow

    /// Creates a policy; ``validate()`` says whether a store will accept it.
    public init(maxSessions: Int?, overflow: Overflow = .evictOldest) {
        self.maxSessions = maxSessions
        self.overflow = overflow
    }

    /// Up to the hard cap of 100 sessions per user; a login beyond it ends the
    /// oldest.
    public static let `default` = SessionPolicy(maxSessions: nil)

    /// The limit the stores apply: ``maxSessions``, or the hard cap when it is nil.
    public var effectiveLimit: Int {
        min(maxSessions ?? TokenStoreLimits.maxSessionsPerUser, TokenStoreLimits.maxSessionsPerUser)
    }

    /// One session per user: a new login ends every other session of the user.
    public static let singleSession = SessionPolicy(maxSessions: 1, overflow: .evictOldest)

    /// Throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` when the limit is below one or above the
    /// hard cap.
    public func validate() throws(TokenStoreError) {
        if let maxSessions, maxSessions < 1 {
            throw TokenStoreError(.invalidConfiguration, "a session limit must allow at least one session")
        }
        if let maxSessions, maxSessions > TokenStoreLimits.maxSessionsPerUser {
            throw TokenStoreError(
                .invalidConfiguration,
                "a session limit may lower the hard cap of \(TokenStoreLimits.maxSessionsPerUser) sessions per user, "
                    + "not raise it (got \(maxSessions))"
            )
        }
    }
}
