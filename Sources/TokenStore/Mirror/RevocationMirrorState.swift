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
/// (keyed per process): a collision could only refuse a token, never accept one. The top bits of every fingerprint
/// are a hash of the user id alone, so a small filter of users (``UserFilter``) can say that a user has no fact at
/// all, which is most checks: those hash the user id once, with a quick keyed hash, and look nothing else up.
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
    /// The users of every fact above, and perhaps others.
    private var users = UserFilter()
    /// When the feed began, as far as this mirror has read; nil until it has read the beginning.
    package private(set) var began: UnixTime?
    /// When the last poll that found the mirror up to date was sent; nil until one has.
    package private(set) var provenAt: ContinuousInstant? {
        didSet { provenUntil = provenAt.map { $0 + policy.stalenessBound } }
    }
    /// Until when the mirror answers: the staleness bound past ``provenAt``.
    private var provenUntil: ContinuousInstant?
    /// The first instant a token may be issued at for the mirror to answer for it: the second after the feed's
    /// beginning and the clock margin (a token issued in an earlier second may have been revoked before the feed).
    private var trustedFrom: UnixTime?
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
            let user = UserHash(userID)
            let key = user.fingerprint(userID, jti)
            denylist[key] = max(denylist[key] ?? .min, until.milliseconds)
            remember(user)
        case .epoch(let userID, let epoch):
            if let known = epochs[userID] {
                epochs[userID] = AccessRecords.EpochRecord(
                    cutoff: max(known.cutoff, epoch.cutoff),
                    retainedUntil: max(known.retainedUntil, epoch.retainedUntil)
                )
            } else {
                epochs[userID] = epoch
            }
            remember(UserHash(userID))
        case .sessionEnded(let userID, let sessionID, let at):
            let user = UserHash(userID)
            let key = user.fingerprint(userID, sessionID)
            endedSessions[key] = max(endedSessions[key] ?? .min, at.milliseconds)
            remember(user)
        case .began(let at):
            let began = max(self.began ?? at, at)
            self.began = began
            trustedFrom = UnixTime(seconds: (began + policy.clockMargin).seconds + 1)
        }
    }

    /// Adds `user` to the filter, first growing the filter when the facts have outgrown it.
    private mutating func remember(_ user: UserHash) {
        if users.isOutgrown(by: count) {
            rebuildUsers()
        } else {
            users.insert(user.bits)
        }
    }

    /// A filter sized for the facts held now, of exactly their users.
    private mutating func rebuildUsers() {
        var filter = UserFilter(facts: count)
        for key in denylist.keys { filter.insert(key) }
        for key in endedSessions.keys { filter.insert(key) }
        for userID in epochs.keys { filter.insert(UserHash(userID).bits) }
        users = filter
    }

    /// A poll sent at `sentAt` found the mirror up to date: every entry written before then has been applied.
    package mutating func prove(sentAt: ContinuousInstant) {
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
        rebuildUsers()
    }

    /// The verdict on `check`, a token expiring at `expiresAt`, at `now` (the store's clock) and `monotonicNow`.
    package func verdict(
        for check: AccessCheck,
        expiresAt: UnixTime,
        at now: UnixTime,
        monotonicNow: ContinuousInstant
    ) -> Verdict {
        if isUnreadable {
            return .refer(.unreadableFeed)
        }
        // Compared with bounds worked out when the mirror was proven and when it read the beginning, so a check
        // does no arithmetic on durations: 128-bit, and a visible share of a check that takes a microsecond.
        guard let provenUntil, let trustedFrom, monotonicNow <= provenUntil else {
            return .refer(.stale)
        }
        guard expiresAt <= check.issuedAt + policy.maxAccessTokenLifetime else {
            return .refer(.lifetime)
        }
        guard check.issuedAt >= trustedFrom else {
            return .refer(.beforeFeed)
        }
        if check.sessionID != nil, now >= expiresAt {
            return .refer(.leeway)
        }
        let user = UserHash(check.userID)
        // Most users have no fact at all, which the filter shows without a lookup.
        let known = users.mayHold(user.bits)
        var records = AccessRecords(epoch: known ? epochs[check.userID] : nil)
        if known, let jti = check.jti {
            records.revokedUntil = denylist[user.fingerprint(check.userID, jti)].map(Self.instant)
        }
        var sessionMayPredateEpoch = false
        if let sessionID = check.sessionID {
            let ended = known && endedSessions[user.fingerprint(check.userID, sessionID)] != nil
            // A session the feed has not ended outlives the token (the policy's premise); created before any epoch
            // cut it is not, unless the token was issued in the epoch's second, which the mirror refers.
            if ended {
                let issuedSecond = UnixTime(seconds: check.issuedAt.seconds)
                records.session = AccessRecords.SessionRecord(
                    createdAt: issuedSecond,
                    expiresAt: issuedSecond,
                    revokedForReuse: true
                )
            } else {
                records.session = Self.liveSession
                sessionMayPredateEpoch =
                    (records.epoch?.cut(at: now)).map { UnixTime(seconds: check.issuedAt.seconds) <= $0 } ?? false
            }
        }
        let status = records.status(of: check, at: now)
        if status == .valid, sessionMayPredateEpoch {
            return .refer(.epochSecond)
        }
        return .status(status)
    }

    private static let endOfTime = UnixTime(sinceEpoch: .seconds(Int64(1) << 40))
    /// The session of a session-bound token the feed has not ended.
    private static let liveSession = AccessRecords.SessionRecord(
        createdAt: endOfTime,
        expiresAt: endOfTime,
        revokedForReuse: false
    )

    private static func instant(_ milliseconds: Int64) -> UnixTime {
        UnixTime(sinceEpoch: .milliseconds(milliseconds))
    }

    /// A user id hashed once, for the filter of users and the lead bits of the user's fingerprints.
    ///
    /// Most checks are of users with no fact, which need only ``bits``: a keyed hash quick enough for every request.
    /// A fingerprint (``fingerprint(_:_:)``) needs the user id and the other id through `Hasher` too, and is finished
    /// only for a user the filter may hold.
    private struct UserHash {
        /// The bits of a fingerprint that are the user's own.
        static let userBits: UInt64 = 0xFFFF_FF00_0000_0000
        /// The keys of ``bits``, drawn once per process, so no one can choose user ids that share a slot.
        /// The multiplier is odd, so no word is folded into zero.
        private static let keys = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max) | 1)
        /// The user id's own hash; its top bits (``userBits``) lead each of the user's fingerprints.
        let bits: UInt64

        init(_ userID: String) {
            bits = Self.keyedHash(userID)
        }

        /// The fingerprint of `userID` (the id this hash is of) and `id`: the user's top bits, then the rest of
        /// `Hasher`'s hash of both (it ends each string it combines, so no two pairs run together). Two of one user's
        /// ids collide with odds of 2⁻⁴⁰, which could only refuse a token.
        func fingerprint(_ userID: String, _ id: String) -> UInt64 {
            var hasher = Hasher()
            hasher.combine(userID)
            hasher.combine(id)
            let both = UInt64(bitPattern: Int64(hasher.finalize()))
            return (bits & Self.userBits) | (both & ~Self.userBits)
        }

        /// A 64-bit hash of `text`'s UTF-8 keyed by ``keys``: eight bytes at a time, each folded in by a full-width
        /// multiplication (as wyhash does), the length mixed in first and a SplitMix64 finalizer last.
        static func keyedHash(_ text: String) -> UInt64 {
            let (seed, multiplier) = keys
            var text = text
            return text.withUTF8 { bytes in
                let raw = UnsafeRawBufferPointer(bytes)
                var hash = seed ^ (UInt64(truncatingIfNeeded: raw.count) &* 0x9E37_79B9_7F4A_7C15)
                var offset = 0
                while offset + 8 <= raw.count {
                    let product = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                        .multipliedFullWidth(by: multiplier)
                    hash = product.high ^ product.low
                    offset += 8
                }
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while offset < raw.count {
                    tail |= UInt64(raw[offset]) << shift
                    shift += 8
                    offset += 1
                }
                let product = (hash ^ tail).multipliedFullWidth(by: multiplier)
                var mixed = product.high ^ product.low ^ seed
                mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
                mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
                return mixed ^ (mixed >> 31)
            }
        }
    }

    /// A bit per slot of users, set for every user the mirror holds a fact of (and, by sharing a slot, perhaps for
    /// others): a clear bit proves the user has none. A slot is the top bits of the user's hash, which are also
    /// the top bits of each of the user's fingerprints, so the filter can be rebuilt from the facts alone. Sized
    /// at 16 slots per fact, from 4,096 slots (512 bytes) to 2²⁴ (2 MiB).
    struct UserFilter {
        private static let minimumLevel = 12
        private static let maximumLevel = 24
        private var words: [UInt64]
        private let level: Int

        init(facts: Int = 0) {
            var level = Self.minimumLevel
            while level < Self.maximumLevel, facts << 4 > 1 << level {
                level += 1
            }
            self.level = level
            words = Array(repeating: 0, count: 1 << (level - 6))
        }

        /// Whether the filter has too few slots for `facts` facts (and could have more).
        func isOutgrown(by facts: Int) -> Bool {
            level < Self.maximumLevel && facts << 4 > 1 << level
        }

        mutating func insert(_ bits: UInt64) {
            let slot = Int(truncatingIfNeeded: bits >> UInt64(64 - level))
            words[slot >> 6] |= 1 << UInt64(slot & 63)
        }

        func mayHold(_ bits: UInt64) -> Bool {
            let slot = Int(truncatingIfNeeded: bits >> UInt64(64 - level))
            return words[slot >> 6] & (1 << UInt64(slot & 63)) != 0
        }
    }
}
