import AuthKitClock

/// The whole in-memory store as a plain value, mutated only under the store's mutex.
///
/// Memory stays bounded by what is live: each write to a user prunes that user's ended sessions, and a full
/// sweep runs once the number of writes since the last one reaches the number of entries then kept, so its
/// cost is amortised to O(1) per write and expired entries can never outnumber live ones by more than that.
struct InMemoryTokenStoreState {
    enum CreateResult {
        case created(SessionGrant)
        case limitReached(Int)
    }

    private var users: [ByteKey: UserRecord] = [:]
    private var nextSequence: UInt64 = 0
    private var writesSinceSweep = 0
    private var sweepThreshold = minimumSweepThreshold
    private static let minimumSweepThreshold = 1_024

    var entryCount: Int {
        users.values.reduce(0) { $0 + $1.entryCount }
    }

    mutating func sweep(at now: UnixTime) {
        var kept: [ByteKey: UserRecord] = [:]
        for (userID, var record) in users {
            record.prune(at: now)
            if !record.isEmpty {
                kept[userID] = record
            }
        }
        users = kept
        writesSinceSweep = 0
        sweepThreshold = max(Self.minimumSweepThreshold, entryCount)
    }

    /// Applies `body` to the user's record, creating it if needed and dropping it if left empty.
    private mutating func write<Result>(
        _ userID: String,
        at now: UnixTime,
        _ body: (inout UserRecord) -> Result
    ) -> Result {
        let key = ByteKey(userID)
        var record = users.removeValue(forKey: key) ?? UserRecord()
        record.pruneFamilies(at: now)
        let result = body(&record)
        if !record.isEmpty {
            users[key] = record
        }
        writesSinceSweep += 1
        if writesSinceSweep >= sweepThreshold {
            sweep(at: now)
        }
        return result
    }

    mutating func revoke(jti: String, userID: String, until: UnixTime, now: UnixTime) -> Bool {
        guard until > now else {
            return false
        }
        return write(userID, at: now) { record in
            let key = ByteKey(jti)
            record.revoked[key] = max(record.revoked[key] ?? until, until)
            return true
        }
    }

    mutating func logOutEverywhere(userID: String, retainedUntil: UnixTime, now: UnixTime) -> Int {
        write(userID, at: now) { record in
            // Counted under the epoch as it was: the sessions this call ends are those alive until now.
            let ended = Self.endLiveFamilies(&record, at: now)
            if let epoch = record.epoch, let current = epoch.cut(at: now) {
                record.epoch = AccessRecords.EpochRecord(
                    cutoff: max(current, now),
                    retainedUntil: max(epoch.retainedUntil, retainedUntil)
                )
            } else {
                record.epoch = AccessRecords.EpochRecord(cutoff: now, retainedUntil: retainedUntil)
            }
            return ended
        }
    }

    func epoch(userID: String, now: UnixTime) -> UnixTime? {
        users[ByteKey(userID)]?.currentEpoch(at: now)
    }

    mutating func createSession(
        _ request: NewSession,
        sessionID: String,
        token: RefreshToken,
        digest: [UInt8],
        now: UnixTime
    ) -> CreateResult {
        let sequence = nextSequence
        nextSequence += 1
        return write(request.userID, at: now) { record in
            var live = record.liveFamilies(at: now)
            var ended: [String] = []
            let limit = request.policy.effectiveLimit
            if live.count >= limit {
                if request.policy.overflow == .refuseNewLogin {
                    return .limitReached(limit)
                }
                while live.count >= limit {
                    let oldest = live.removeFirst()
                    record.families.removeValue(forKey: ByteKey(oldest.session.id))
                    ended.append(oldest.session.id)
                }
            }
            let absolute = now + request.lifetime.absolute
            // Created after the user's epoch even when this clock has not passed it: the login comes after the logout
            // that set it (its tokens still answer to the epoch by their own `iat`).
            let created = record.currentEpoch(at: now).map { max(now, $0 + .milliseconds(1)) } ?? now
            let session = Session(
                id: sessionID,
                userID: request.userID,
                device: request.device.truncated,
                createdAt: created,
                lastSeenAt: now,
                expiresAt: min(now + request.lifetime.idle, absolute),
                absoluteExpiresAt: absolute
            )
            record.families[ByteKey(sessionID)] = FamilyRecord(
                session: session,
                sequence: sequence,
                idle: request.lifetime.idle,
                reuseGracePeriod: request.lifetime.reuseGracePeriod,
                currentDigest: digest,
                previousDigest: nil,
                rotatedAt: nil,
                retiredDigests: [],
                claims: request.claims,
                revokedForReuse: false
            )
            return .created(SessionGrant(session: session, refreshToken: token, endedSessionIDs: ended))
        }
    }

    mutating func rotate(
        presented: RefreshToken,
        presentedDigest: [UInt8],
        next: RefreshToken,
        nextDigest: [UInt8],
        now: UnixTime
    ) -> RefreshOutcome {
        let familyKey = ByteKey(presented.sessionID)
        guard users[ByteKey(presented.userID)]?.families[familyKey] != nil else {
            return .invalid
        }
        return write(presented.userID, at: now) { record in
            guard var family = record.families[familyKey] else {
                return .invalid
            }
            let kind = family.classify(presentedDigest, at: now, epoch: record.currentEpoch(at: now))
            switch kind {
            case .invalid:
                return .invalid
            case .retired:
                family.revokedForReuse = true
                record.families[familyKey] = family
                return .reuseDetected(userID: presented.userID, sessionID: presented.sessionID)
            case .current:
                if let previous = family.previousDigest {
                    family.retire(previous)
                }
                family.previousDigest = family.currentDigest
                family.rotatedAt = now
            case .graceRetry:
                // A client retrying a lost response: the token it never received is retired, the previous one
                // and the rotation instant stay, so retries cannot stretch the grace window.
                family.retire(family.currentDigest)
            }
            family.currentDigest = nextDigest
            family.markUsed(at: now)
            record.families[familyKey] = family
            return .rotated(
                RefreshGrant(
                    refreshToken: next,
                    userID: presented.userID,
                    sessionID: presented.sessionID,
                    expiresAt: family.session.expiresAt,
                    absoluteExpiresAt: family.session.absoluteExpiresAt,
                    isGraceRetry: kind == .graceRetry,
                    claims: family.claims
                )
            )
        }
    }

    func inspect(presented: RefreshToken, presentedDigest: [UInt8], now: UnixTime) -> RefreshTokenStatus {
        guard let record = users[ByteKey(presented.userID)],
            let family = record.families[ByteKey(presented.sessionID)]
        else {
            return .invalid
        }
        switch family.classify(presentedDigest, at: now, epoch: record.currentEpoch(at: now)) {
        case .invalid:
            return .invalid
        case .retired:
            return .retired(userID: presented.userID, sessionID: presented.sessionID)
        case .current, .graceRetry:
            return .active(
                ActiveRefreshToken(
                    userID: presented.userID,
                    sessionID: presented.sessionID,
                    expiresAt: family.session.expiresAt,
                    absoluteExpiresAt: family.session.absoluteExpiresAt,
                    claims: family.claims
                )
            )
        }
    }

    func sessions(userID: String, now: UnixTime) -> [Session] {
        users[ByteKey(userID)]?.liveFamilies(at: now).map(\.session) ?? []
    }

    func session(userID: String, sessionID: String, now: UnixTime) -> Session? {
        users[ByteKey(userID)]?.liveFamily(sessionID, at: now)?.session
    }

    mutating func touchSession(userID: String, sessionID: String, now: UnixTime) -> Bool {
        guard session(userID: userID, sessionID: sessionID, now: now) != nil else {
            return false
        }
        return write(userID, at: now) { record in
            record.families[ByteKey(sessionID)]?.markUsed(at: now)
            return true
        }
    }

    mutating func revokeSession(userID: String, sessionID: String, now: UnixTime) -> Bool {
        guard session(userID: userID, sessionID: sessionID, now: now) != nil else {
            return false
        }
        return write(userID, at: now) { record in
            record.families.removeValue(forKey: ByteKey(sessionID)) != nil
        }
    }

    mutating func revokeAllSessions(userID: String, now: UnixTime) -> Int {
        guard users[ByteKey(userID)] != nil else {
            return 0
        }
        return write(userID, at: now) { Self.endLiveFamilies(&$0, at: now) }
    }

    mutating func check(_ check: AccessCheck, now: UnixTime) -> AccessStatus {
        let records = users[ByteKey(check.userID)]?.accessRecords(for: check) ?? AccessRecords()
        let status = records.status(of: check, at: now)
        if status == .valid, check.touchSession, let sessionID = check.sessionID {
            _ = touchSession(userID: check.userID, sessionID: sessionID, now: now)
        }
        return status
    }

    /// Removes the user's live families, keeping reuse tombstones; returns how many were removed.
    private static func endLiveFamilies(_ record: inout UserRecord, at now: UnixTime) -> Int {
        let live = record.liveFamilies(at: now)
        for family in live {
            record.families.removeValue(forKey: ByteKey(family.session.id))
        }
        return live.count
    }
}
