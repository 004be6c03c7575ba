package import AuthKitClock

/// What a revocation mirror has read of the feed, and the access check's verdicts it can give from it: a pure state
/// machine, fed entries and proofs by the code that polls the feed, with no I/O of its own.
///
/// The verdict is ``AccessRecords/status(of:at:)`` — the rules every store shares — over the records the feed
/// implies: a denylist entry and an epoch as written, and for a session-bound token either its session's end or a
/// session alive until the token expires (see ``RevocationMirrorPolicy`` for why that holds). Where those records
/// might not be the store's, the mirror does not guess but refers the check to the store (``Referral``).
///
/// Denylist entries and ended sessions are kept as 64-bit fingerprints of the user id and the `jti` or session id
/// (`Hasher`, seeded per process): a collision could only refuse a token, never accept one.
package struct RevocationMirrorState: Sendable {
    /// Why the mirror refers a check to the store instead of answering it.
    package enum Referral: String, CaseIterable, Hashable, Sendable {
        /// The mirror cannot prove it has read every revocation older than the staleness bound: it is starting,
        /// rebuilding, catching up, or the feed has not answered recently.
        case stale
        /// The token lives longer than the policy's ``RevocationMirrorPolicy/maxAccessTokenLifetime``.
        case lifetime
        /// The token was issued before the feed began (within the clock margin): a revocation of it may predate
        /// the feed.
        case beforeFeed = "before_feed"
        /// A session-bound token past its `exp`, inside the verifier's leeway: its session may have reached its end.
        case leeway
        /// A session-bound token issued in the second of the user's epoch: whether its session was created before
        /// the epoch is not in the feed.
        case epochSecond = "epoch_second"
        /// An entry of the feed could not be read: the mirror does not know what it said.
        case unreadableFeed = "unreadable_feed"
    }

    /// The mirror's answer to one check.
    package enum Verdict: Hashable, Sendable {
        /// The store's verdict, from memory.
        case status(AccessStatus)
        /// Ask the store.
        case refer(Referral)
    }

    package let policy: RevocationMirrorPolicy
    private var denylist: [UInt64: Int64] = [:]
    private var endedSessions: [UInt64: Int64] = [:]
    private var epochs: [String: AccessRecords.EpochRecord] = [:]
    /// When the feed began, as far as this mirror has read; nil until it has read the beginning.
    package private(set) var began: UnixTime?
    /// When the last poll that found the mirror up to date was sent; nil until one has.
    package private(set) var provenAt: ContinuousClock.Instant?
    /// Whether an entry could not be read: the mirror then refers every check.
    package private(set) var isUnreadable = false

    /// Creates an empty mirror, which refers every check until the feed's beginning is read and a poll proves it up
    /// to date.
    package init(policy: RevocationMirrorPolicy) {
        self.policy = policy
    }

    /// How many facts the mirror holds (denylist entries, ended sessions, epochs).
    package var count: Int {
        denylist.count + endedSessions.count + epochs.count
    }

    /// Records one entry of the feed. Entries only ever add refusals: a later entry never lifts an earlier one.
    package mutating func apply(_ entry: RevocationFeedEntry) {
        switch entry {
        case .revoked(let userID, let jti, let until):
            let key = UserHash(userID).fingerprint(jti)
            denylist[key] = max(denylist[key] ?? .min, until.milliseconds)
        case .epoch(let userID, let epoch):
            guard let known = epochs[userID] else {
                epochs[userID] = epoch
                return
            }
            epochs[userID] = AccessRecords.EpochRecord(
                cutoff: max(known.cutoff, epoch.cutoff),
                retainedUntil: max(known.retainedUntil, epoch.retainedUntil)
            )
        case .sessionEnded(let userID, let sessionID, let at):
            let key = UserHash(userID).fingerprint(sessionID)
            endedSessions[key] = max(endedSessions[key] ?? .min, at.milliseconds)
        case .began(let at):
            began = max(began ?? at, at)
        }
    }

    /// A poll sent at `sentAt` found the mirror up to date: every entry written before then has been applied.
    package mutating func prove(sentAt: ContinuousClock.Instant) {
        provenAt = max(provenAt ?? sentAt, sentAt)
    }

    /// The feed diverged from what the mirror read (it was lost, replaced or rewound): the mirror keeps what it
    /// holds, which only refuses, but answers nothing until it has read the feed again and a poll proves it.
    package mutating func loseProof() {
        provenAt = nil
    }

    /// An entry could not be read: from now on every check is referred to the store.
    package mutating func markUnreadable() {
        isUnreadable = true
    }

    /// Forgets the facts that can no longer refuse any token at `now`.
    package mutating func prune(at now: UnixTime) {
        let nowMilliseconds = now.milliseconds
        let sessionRetention = (UnixTime(sinceEpoch: .zero) + policy.endedSessionRetention).milliseconds
        denylist = denylist.filter { $0.value > nowMilliseconds }
        endedSessions = endedSessions.filter { $0.value > nowMilliseconds - sessionRetention }
        epochs = epochs.filter { $0.value.retainedUntil > now }
    }

    /// The verdict on `check`, a token expiring at `expiresAt`, at `now` (the store's clock) and `monotonicNow`.
    package func verdict(
        for check: AccessCheck,
        expiresAt: UnixTime,
        at now: UnixTime,
        monotonicNow: ContinuousClock.Instant
    ) -> Verdict {
        if isUnreadable {
            return .refer(.unreadableFeed)
        }
        guard let provenAt, let began, provenAt.duration(to: monotonicNow) <= policy.stalenessBound else {
            return .refer(.stale)
        }
        guard expiresAt - check.issuedAt <= policy.maxAccessTokenLifetime else {
            return .refer(.lifetime)
        }
        let issuedSecond = UnixTime(seconds: check.issuedAt.seconds)
        guard issuedSecond > began + policy.clockMargin else {
            return .refer(.beforeFeed)
        }
        if check.sessionID != nil, now >= expiresAt {
            return .refer(.leeway)
        }
        var records = AccessRecords(epoch: epochs[check.userID])
        let user = UserHash(check.userID)
        if let jti = check.jti {
            records.revokedUntil = denylist[user.fingerprint(jti)].map(Self.instant)
        }
        var sessionMayPredateEpoch = false
        if let sessionID = check.sessionID {
            let ended = endedSessions[user.fingerprint(sessionID)] != nil
            // A session the feed has not ended outlives the token (the policy's premise); created before any epoch
            // cut it is not, unless the token was issued in the epoch's second, which the mirror refers.
            records.session = AccessRecords.SessionRecord(
                createdAt: ended ? issuedSecond : Self.endOfTime,
                expiresAt: ended ? issuedSecond : Self.endOfTime,
                revokedForReuse: ended
            )
            sessionMayPredateEpoch = !ended && (records.epoch?.cut(at: now)).map { issuedSecond <= $0 } ?? false
        }
        let status = records.status(of: check, at: now)
        if status == .valid, sessionMayPredateEpoch {
            return .refer(.epochSecond)
        }
        return .status(status)
    }

    private static let endOfTime = UnixTime(sinceEpoch: .seconds(Int64(1) << 40))

    private static func instant(_ milliseconds: Int64) -> UnixTime {
        UnixTime(sinceEpoch: .milliseconds(milliseconds))
    }

    /// A user id hashed once, from which the fingerprints of that user's `jti`s and session ids are finished.
    private struct UserHash {
        private let hasher: Hasher

        init(_ userID: String) {
            var hasher = Hasher()
            hasher.combine(userID)
            self.hasher = hasher
        }

        /// The fingerprint of the user id and `id` (`Hasher` ends each string it combines, so no two pairs run
        /// together).
        func fingerprint(_ id: String) -> UInt64 {
            var hasher = hasher
            hasher.combine(id)
            return UInt64(bitPattern: Int64(hasher.finalize()))
        }
    }
}
