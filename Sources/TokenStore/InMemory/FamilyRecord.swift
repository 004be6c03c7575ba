import AuthKitClock

/// One session and its refresh-token family as the in-memory store keeps them: digests only, never tokens.
struct FamilyRecord {
    var session: Session
    /// Creation order among the user's sessions, to break ties between logins at the same instant.
    var sequence: UInt64
    var idle: Duration
    var reuseGracePeriod: Duration
    var currentDigest: [UInt8]
    var previousDigest: [UInt8]?
    var rotatedAt: UnixTime?
    /// Digests retired before ``previousDigest``, newest last, at most `TokenStoreLimits.retiredDigestHistory`.
    var retiredDigests: [[UInt8]]
    /// The application data recorded at login (`NewSession.claims`).
    var claims: String
    /// A family revoked because of reuse stays as a tombstone until it would have expired anyway, so that
    /// every later presentation of one of its tokens is still reported as reuse rather than as unknown.
    var revokedForReuse: Bool

    /// What the access check reads of this session.
    var record: AccessRecords.SessionRecord {
        AccessRecords.SessionRecord(
            createdAt: session.createdAt,
            expiresAt: session.expiresAt,
            revokedForReuse: revokedForReuse
        )
    }

    /// Whether the session is alive at `now` under the user's epoch cut-off (nil when none is remembered): the
    /// access check's rule (`AccessRecords.SessionRecord.isAlive`), which the Redis scripts' `alive` repeats.
    func isAlive(at now: UnixTime, epoch: UnixTime?) -> Bool {
        record.isAlive(at: now, epochCut: epoch)
    }

    /// Whether the record still matters at `now`: alive, or a tombstone whose tokens could still be presented.
    func isRetained(at now: UnixTime) -> Bool {
        now < session.expiresAt
    }

    /// How the family reads a presented token at `now` (the user's epoch being `epoch`): the one rule behind
    /// rotation and inspection alike, as the Redis store's `rotate` script reads it.
    func classify(_ digest: [UInt8], at now: UnixTime, epoch: UnixTime?) -> PresentedRefreshToken {
        if revokedForReuse {
            return hasRetired(digest) || RefreshToken.digestsEqual(currentDigest, digest) ? .retired : .invalid
        }
        guard isAlive(at: now, epoch: epoch) else { return .invalid }
        if RefreshToken.digestsEqual(currentDigest, digest) { return .current }
        let isPrevious = previousDigest.map { RefreshToken.digestsEqual($0, digest) } ?? false
        if isPrevious, let rotatedAt, now < rotatedAt + reuseGracePeriod { return .graceRetry }
        return hasRetired(digest) ? .retired : .invalid
    }

    mutating func markUsed(at now: UnixTime) {
        session.lastSeenAt = now
        session.expiresAt = min(now + idle, session.absoluteExpiresAt)
    }

    /// Whether `digest` is one this family issued and has since replaced.
    func hasRetired(_ digest: [UInt8]) -> Bool {
        if let previousDigest, RefreshToken.digestsEqual(previousDigest, digest) {
            return true
        }
        return retiredDigests.contains { RefreshToken.digestsEqual($0, digest) }
    }

    mutating func retire(_ digest: [UInt8]) {
        retiredDigests.append(digest)
        if retiredDigests.count > TokenStoreLimits.retiredDigestHistory {
            retiredDigests.removeFirst(retiredDigests.count - TokenStoreLimits.retiredDigestHistory)
        }
    }
}

/// How a family reads a presented refresh token.
enum PresentedRefreshToken {
    /// The family's current token.
    case current
    /// The token just replaced, presented again within the grace period.
    case graceRetry
    /// A token the family issued and replaced (or any of a family revoked for reuse): reuse.
    case retired
    /// Not a token of this live family.
    case invalid
}
