import AuthKitClock

/// Everything the in-memory store keeps for one user, the counterpart of one Redis hash tag.
struct UserRecord {
    /// Denylisted jti → the end of its entry (the token's expiry plus `TokenStoreLimits.revocationLeeway`).
    var revoked: [ByteKey: UnixTime] = [:]
    var epoch: AccessRecords.EpochRecord?
    /// Session id → session and family, including reuse tombstones.
    var families: [ByteKey: FamilyRecord] = [:]

    var entryCount: Int {
        revoked.count + families.count + (epoch == nil ? 0 : 1)
    }

    var isEmpty: Bool {
        entryCount == 0
    }

    func currentEpoch(at now: UnixTime) -> UnixTime? {
        epoch?.cut(at: now)
    }

    /// What the access check `check` reads of this user's records.
    func accessRecords(for check: AccessCheck) -> AccessRecords {
        AccessRecords(
            revokedUntil: check.jti.flatMap { revoked[ByteKey($0)] },
            epoch: epoch,
            session: check.sessionID.flatMap { families[ByteKey($0)]?.record }
        )
    }

    mutating func pruneFamilies(at now: UnixTime) {
        families = families.filter { $0.value.isRetained(at: now) }
    }

    mutating func prune(at now: UnixTime) {
        pruneFamilies(at: now)
        revoked = revoked.filter { now < $0.value }
        if let epoch, epoch.cut(at: now) == nil {
            self.epoch = nil
        }
    }

    /// The user's live sessions, oldest first.
    func liveFamilies(at now: UnixTime) -> [FamilyRecord] {
        let epoch = currentEpoch(at: now)
        return families.values.filter { $0.isAlive(at: now, epoch: epoch) }.sorted { $0.sequence < $1.sequence }
    }

    /// The session `sessionID` when it is alive at `now`.
    func liveFamily(_ sessionID: String, at now: UnixTime) -> FamilyRecord? {
        guard let family = families[ByteKey(sessionID)], family.isAlive(at: now, epoch: currentEpoch(at: now)) else {
            return nil
        }
        return family
    }
}
