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
