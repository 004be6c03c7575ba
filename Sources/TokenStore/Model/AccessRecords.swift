public import AuthKitClock

/// What a store holds that decides the access check of one token — the `jti`'s denylist entry, the user's epoch
/// and the token's session — and the check's rules over them, written once here.
///
/// Every ``TokenStore`` answers ``TokenStore/check(_:)`` by reading these records (from memory, from one Redis
/// command, or from a local mirror of them) and asking ``status(of:at:)``, so no two paths can disagree on a rule.
/// A store that cannot read a record (a value it cannot parse, a reply of the wrong shape) does not guess: it fails
/// the check with ``TokenStoreError/Code-swift.struct/corruptRecord``, which callers treat as a refusal.
///
/// The rules, in this order, the first failing one being the answer: a denylist entry that has not ended refuses
/// the token (``AccessStatus/revoked``); an epoch still remembered refuses a token whose
/// ``AccessCheck`` cut-off (its `iat` read as a whole second, see ``AccessCheck``) is at or before it
/// (``AccessStatus/predatesEpoch``); a token with a session is refused unless that session is alive
/// (``AccessStatus/sessionEnded``, see ``SessionRecord/isAlive(at:epochCut:)``).
public struct AccessRecords: Hashable, Sendable {
    /// A user's epoch ("log out everywhere") as recorded: its cut-off and how long it is remembered.
    public struct EpochRecord: Hashable, Sendable {
        /// Tokens issued at or before this instant, and sessions created at or before it, are not honoured.
        public var cutoff: UnixTime
        /// The end of the epoch's retention: from this instant on it is forgotten, as if never set.
        public var retainedUntil: UnixTime

        /// Creates an epoch record.
        public init(cutoff: UnixTime, retainedUntil: UnixTime) {
            self.cutoff = cutoff
            self.retainedUntil = retainedUntil
        }

        /// The cut-off while the epoch is remembered at `now`, else nil.
        public func cut(at now: UnixTime) -> UnixTime? {
            now < retainedUntil ? cutoff : nil
        }
    }

    /// One session as the access check needs it: when it was created, when it ends unless used, and whether it was
    /// ended by refresh-token reuse (a tombstone kept so later presentations are still reported as reuse).
    public struct SessionRecord: Hashable, Sendable {
        /// When the session was created (recorded after the user's epoch at the time).
        public var createdAt: UnixTime
        /// The idle expiry, never past the absolute one: the session has ended from this instant on.
        public var expiresAt: UnixTime
        /// Whether the session is a tombstone of a family revoked for refresh-token reuse.
        public var revokedForReuse: Bool

        /// Creates a session record.
        public init(createdAt: UnixTime, expiresAt: UnixTime, revokedForReuse: Bool = false) {
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.revokedForReuse = revokedForReuse
        }

        /// Whether the session is alive at `now` under the user's epoch cut-off `epochCut` (nil when no epoch is
        /// remembered): not a reuse tombstone, not past its expiry, and created after the cut-off — whatever clock
        /// recorded either, so a log-out-everywhere ends every session created before it, even one it could not
        /// reach.
        public func isAlive(at now: UnixTime, epochCut: UnixTime?) -> Bool {
            guard !revokedForReuse, now < expiresAt else { return false }
            return epochCut.map { createdAt > $0 } ?? true
        }
    }

    /// When the token's denylist entry ends (the token's `exp` plus the revocation leeway); nil when there is none.
    public var revokedUntil: UnixTime?
    /// The user's epoch; nil when none is recorded.
    public var epoch: EpochRecord?
    /// The token's session; nil when there is none under its id (never created, deleted, or expired away).
    public var session: SessionRecord?

    /// Creates the records of one check.
    public init(revokedUntil: UnixTime? = nil, epoch: EpochRecord? = nil, session: SessionRecord? = nil) {
        self.revokedUntil = revokedUntil
        self.epoch = epoch
        self.session = session
    }

    /// The verdict on `check` at `now`: the access check's rules, applied in order (see the type's overview).
    ///
    /// Only the records of `check` count: without a `jti` no denylist entry is consulted, without a session id no
    /// session.
    public func status(of check: AccessCheck, at now: UnixTime) -> AccessStatus {
        if check.jti != nil, let revokedUntil, now < revokedUntil {
            return .revoked
        }
        let cut = epoch?.cut(at: now)
        if let cut, check.epochCutoff <= cut {
            return .predatesEpoch
        }
        guard check.sessionID != nil else {
            return .valid
        }
        guard let session, session.isAlive(at: now, epochCut: cut) else {
            return .sessionEnded
        }
        return .valid
    }
}
