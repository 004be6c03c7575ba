/// How many sessions one user may hold at once, and what a login beyond that does.
public struct SessionPolicy: Hashable, Sendable {
    /// What happens when a user who already has ``maxSessions`` sessions logs in again.
    public enum Overflow: Hashable, Sendable {
        /// End the sessions created longest ago until the new one fits.
        case evictOldest
        /// Refuse the new login with ``TokenStoreError/Code-swift.struct/sessionLimitReached``.
        case refuseNewLogin
    }

    /// The most live sessions a user may have, or nil for no limit.
    public var maxSessions: Int?
    /// What a login beyond the limit does.
    public var overflow: Overflow

    /// Creates a policy; ``validate()`` says whether a store will accept it.
    public init(maxSessions: Int?, overflow: Overflow = .evictOldest) {
        self.maxSessions = maxSessions
        self.overflow = overflow
    }

    /// Any number of sessions per user.
    public static let unlimited = SessionPolicy(maxSessions: nil)

    /// One session per user: a new login ends every other session of the user.
    public static let singleSession = SessionPolicy(maxSessions: 1, overflow: .evictOldest)

    /// Throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` when the limit is below one.
    public func validate() throws(TokenStoreError) {
        if let maxSessions, maxSessions < 1 {
            throw TokenStoreError(.invalidConfiguration, "a session limit must allow at least one session")
        }
    }
}
