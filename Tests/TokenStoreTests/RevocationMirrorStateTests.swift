import AuthKitClock
import Testing

@testable import TokenStore

/// The mirror's state machine, event by event: what each feed entry refuses, when the mirror refers a check to the
/// store instead of answering, and what pruning forgets.
@Suite("RevocationMirrorState")
struct RevocationMirrorStateTests {
    private static let began = UnixTime(seconds: 1_800_000_000)
    private static let now = began + .seconds(120)
    private static let monotonic = ContinuousInstant.now
    private static let policy = RevocationMirrorPolicy(maxAccessTokenLifetime: .seconds(900))

    /// A mirror that has read the feed's beginning and was proven current at ``monotonic``.
    private static func proven(_ entries: [RevocationFeedEntry] = []) -> RevocationMirrorState {
        var state = RevocationMirrorState(policy: policy)
        state.apply(.began(at: began))
        for entry in entries { state.apply(entry) }
        state.prove(sentAt: monotonic)
        return state
    }

    private static func check(
        jti: String? = "j1",
        sid: String? = "s1",
        issued: UnixTime = now - .seconds(60)
    ) -> AccessCheck {
        AccessCheck(userID: "ann", jti: jti, issuedAt: issued, sessionID: sid)
    }

    private static func verdict(
        _ state: RevocationMirrorState,
        _ check: AccessCheck = check(),
        expiresAt: UnixTime? = nil,
        at time: UnixTime = now,
        after elapsed: Duration = .zero
    ) -> RevocationMirrorState.Verdict {
        state.verdict(
            for: check,
            expiresAt: expiresAt ?? check.issuedAt + .seconds(600),
            at: time,
            monotonicNow: monotonic + elapsed
        )
    }

    @Test("each entry refuses what the store would: a denylisted jti, a token before the epoch, an ended session")
    func entriesRefuse() {
        #expect(Self.verdict(Self.proven()) == .status(.valid))
        let revoked = Self.proven([.revoked(userID: "ann", jti: "j1", until: Self.now + .seconds(1))])
        #expect(Self.verdict(revoked) == .status(.revoked))
        #expect(Self.verdict(revoked, Self.check(jti: nil)) == .status(.valid), "a token without a jti")
        #expect(Self.verdict(revoked, at: Self.now + .seconds(1)) == .status(.valid), "the entry has ended")
        let otherUser = Self.proven([.revoked(userID: "bo", jti: "j1", until: Self.now + .seconds(60))])
        #expect(Self.verdict(otherUser) == .status(.valid), "another user's jti")
        let epoch = AccessRecords.EpochRecord(cutoff: Self.now - .seconds(30), retainedUntil: Self.now + .seconds(60))
        let loggedOut = Self.proven([.epoch(userID: "ann", epoch: epoch)])
        #expect(Self.verdict(loggedOut) == .status(.predatesEpoch))
        #expect(Self.verdict(loggedOut, Self.check(issued: Self.now - .seconds(10))) == .status(.valid))
        let ended = Self.proven([.sessionEnded(userID: "ann", sessionID: "s1", at: Self.now - .seconds(5))])
        #expect(Self.verdict(ended) == .status(.sessionEnded))
        #expect(Self.verdict(ended, Self.check(sid: nil)) == .status(.valid), "a token without a session")
        #expect(Self.verdict(ended, Self.check(sid: "s2")) == .status(.valid), "another session")
    }

    @Test("a later entry never lifts an earlier refusal")
    func refusalsOnlyGrow() {
        let state = Self.proven([
            .revoked(userID: "ann", jti: "j1", until: Self.now + .seconds(60)),
            .revoked(userID: "ann", jti: "j1", until: Self.now - .seconds(60)),
            .epoch(
                userID: "ann",
                epoch: AccessRecords.EpochRecord(
                    cutoff: Self.now - .seconds(30),
                    retainedUntil: Self.now + .seconds(60)
                )
            ),
            .epoch(
                userID: "ann",
                epoch: AccessRecords.EpochRecord(cutoff: Self.now - .seconds(90), retainedUntil: Self.now + .seconds(1))
            ),
        ])
        #expect(Self.verdict(state) == .status(.revoked))
        #expect(Self.verdict(state, Self.check(jti: nil)) == .status(.predatesEpoch))
        #expect(Self.verdict(state, Self.check(jti: nil), at: Self.now + .seconds(30)) == .status(.predatesEpoch))
    }

    @Test("the mirror refers what it cannot know to the store")
    func referrals() {
        var unproven = RevocationMirrorState(policy: Self.policy)
        unproven.apply(.began(at: Self.began))
        #expect(Self.verdict(unproven) == .refer(.stale), "never proven")
        var noBeginning = RevocationMirrorState(policy: Self.policy)
        noBeginning.prove(sentAt: Self.monotonic)
        #expect(Self.verdict(noBeginning) == .refer(.stale), "the feed's beginning not read")
        let state = Self.proven()
        #expect(Self.verdict(state, after: .seconds(1)) == .status(.valid), "at the bound")
        #expect(Self.verdict(state, after: .milliseconds(1001)) == .refer(.stale), "past the bound")
        var lost = state
        lost.loseProof()
        #expect(Self.verdict(lost) == .refer(.stale))
        #expect(Self.verdict(state, expiresAt: Self.now + .seconds(900)) == .refer(.lifetime))
        #expect(Self.verdict(state, Self.check(issued: Self.began + .milliseconds(999))) == .refer(.beforeFeed))
        #expect(Self.verdict(state, Self.check(issued: Self.began + .seconds(2))) == .status(.valid))
        #expect(Self.verdict(state, expiresAt: Self.now) == .refer(.leeway), "a session token past its exp")
        #expect(Self.verdict(state, Self.check(sid: nil), expiresAt: Self.now) == .status(.valid))
        let sameSecond = Self.proven([
            .epoch(
                userID: "ann",
                epoch: AccessRecords.EpochRecord(
                    cutoff: Self.now - .seconds(60) + .milliseconds(400),
                    retainedUntil: Self.now + .seconds(60)
                )
            )
        ])
        #expect(Self.verdict(sameSecond) == .refer(.epochSecond), "issued in the epoch's second, with a session")
        #expect(Self.verdict(sameSecond, Self.check(sid: nil)) == .status(.predatesEpoch))
        var unreadable = state
        unreadable.markUnreadable()
        #expect(Self.verdict(unreadable) == .refer(.unreadableFeed))
    }

    @Test("pruning forgets only what can no longer refuse a token")
    func pruning() {
        var state = Self.proven([
            .revoked(userID: "ann", jti: "gone", until: Self.now),
            .revoked(userID: "ann", jti: "kept", until: Self.now + .seconds(1)),
            .sessionEnded(userID: "ann", sessionID: "old", at: Self.now - Self.policy.endedSessionRetention),
            .sessionEnded(userID: "ann", sessionID: "recent", at: Self.now - .seconds(60)),
            .epoch(userID: "bo", epoch: AccessRecords.EpochRecord(cutoff: Self.began, retainedUntil: Self.now)),
        ])
        #expect(state.count == 5)
        state.prune(at: Self.now)
        #expect(state.count == 2)
        #expect(Self.verdict(state, Self.check(jti: "kept", sid: nil)) == .status(.revoked))
        #expect(Self.verdict(state, Self.check(jti: nil, sid: "recent")) == .status(.sessionEnded))
    }

    /// The filter of users lets most checks skip every lookup; it must never skip a user with a fact. Thousands of
    /// users, each with one kind of fact, grow the filter many times over (from 256 facts' worth); every one of them
    /// is refused after each growth, after pruning shrinks the filter again, and users without a fact stay valid.
    @Test("the filter of users never hides a fact, as it grows and after pruning")
    func userFilterNeverHidesAFact() {
        var state = Self.proven()
        let epoch = AccessRecords.EpochRecord(cutoff: Self.now - .seconds(30), retainedUntil: Self.now + .seconds(60))
        func entry(_ index: Int) -> RevocationFeedEntry {
            switch index % 3 {
            case 0: .revoked(userID: "u\(index)", jti: "j1", until: Self.now + .seconds(index % 2 == 0 ? 1 : 3_600))
            case 1: .sessionEnded(userID: "u\(index)", sessionID: "s1", at: Self.now - .seconds(5))
            default: .epoch(userID: "u\(index)", epoch: epoch)
            }
        }
        let expected: [AccessStatus] = [.revoked, .sessionEnded, .predatesEpoch]
        func refusesAll(_ users: some Sequence<Int>, at time: UnixTime = Self.now) -> Bool {
            users.allSatisfy { index in
                let check = AccessCheck(
                    userID: "u\(index)",
                    jti: "j1",
                    issuedAt: Self.now - .seconds(60),
                    sessionID: "s1"
                )
                return Self.verdict(state, check, at: time) == .status(expected[index % 3])
            }
        }
        let users = 6_000
        for index in 0..<users {
            state.apply(entry(index))
            // Right after each growth of the filter (a power of two past 256 facts), every user so far is refused.
            if index > 256, index & (index - 1) == 0 {
                #expect(refusesAll(0...index), "after \(index + 1) facts")
            }
        }
        #expect(refusesAll(0..<users))
        let strangers = (0..<2_000).filter { index in
            Self.verdict(
                state,
                AccessCheck(userID: "v\(index)", jti: "j1", issuedAt: Self.now - .seconds(60), sessionID: "s1")
            )
                != .status(.valid)
        }
        #expect(strangers.isEmpty, "users without a fact are valid: \(strangers.prefix(5))")
        // Pruning an hour on forgets the short denylist entries and the epochs, and shrinks the filter; what is left
        // is still refused.
        let later = Self.now + .seconds(120)
        state.prune(at: later)
        let kept = (0..<users).filter { $0 % 3 == 1 || ($0 % 3 == 0 && $0 % 2 == 1) }
        #expect(state.count == kept.count)
        let stillRefused = kept.allSatisfy { index in
            let check = AccessCheck(userID: "u\(index)", jti: "j1", issuedAt: later - .seconds(60), sessionID: "s1")
            return Self.verdict(state, check, at: later) == .status(expected[index % 3])
        }
        #expect(stillRefused)
    }

    @Test("a policy that cannot work is refused")
    func policyValidation() {
        #expect(throws: Never.self) { try RevocationMirrorPolicy().validate() }
        let bad = [
            RevocationMirrorPolicy(stalenessBound: .zero),
            RevocationMirrorPolicy(maxAccessTokenLifetime: .seconds(86_401)),
            RevocationMirrorPolicy(clockMargin: .seconds(3601)),
            RevocationMirrorPolicy(stalenessBound: .seconds(1), pollInterval: .seconds(1)),
        ]
        for policy in bad {
            #expect(throws: TokenStoreError.self) { try policy.validate() }
        }
    }
}
