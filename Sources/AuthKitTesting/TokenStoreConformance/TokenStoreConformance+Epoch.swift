import AuthKitClock
import TokenStore

extension TokenStoreConformance {
    static let epochChecks: [TokenStoreCheck] = [
        TokenStoreCheck(name: "the epoch invalidates tokens issued at or before it, and only those") { suite in
            let (clock, store) = try await suite.fixture()
            let before = clock.now - .seconds(60)
            let epochInstant = clock.now
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(3_600))
            let stored = try await store.epoch(userID: "alice")
            try expect(
                stored == epochInstant,
                "the epoch is the instant of the call, got \(String(describing: stored))"
            )
            let old = try await store.check(access("alice", issuedAt: before))
            try expect(old == .predatesEpoch, "an older token predates the epoch, got \(old)")
            let same = try await store.check(access("alice", issuedAt: epochInstant))
            try expect(
                same == .predatesEpoch,
                "a token issued at the epoch instant is invalid (fail closed), got \(same)"
            )
            clock.advance(by: .seconds(1))
            let newer = try await store.check(access("alice", issuedAt: clock.now))
            try expect(newer == .valid, "a token issued after the epoch is valid, got \(newer)")
            let otherUser = try await store.check(access("bob", issuedAt: before))
            try expect(otherUser == .valid, "another user's tokens are untouched, got \(otherUser)")
            let noEpoch = try await store.epoch(userID: "bob")
            try expect(noEpoch == nil, "a user who never logged out everywhere has no epoch")
        },
        TokenStoreCheck(
            name: "a whole-second iat meets the epoch at its second's end with a session, at its start without"
        ) {
            suite in
            let (clock, store) = try await suite.fixture()
            let second = UnixTime(seconds: clock.now.seconds)
            clock.set(to: second + .milliseconds(300))
            let earlier = try await store.createSession(NewSession(userID: "alice"))
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(3_600))
            clock.set(to: second + .milliseconds(400))
            let later = try await store.createSession(NewSession(userID: "alice"))
            let fresh = try await store.check(access("alice", issuedAt: second, sessionID: later.session.id))
            try expect(
                fresh == .valid,
                "a session token of the logout's second, in a later session, is valid: \(fresh)"
            )
            let precise = try await store.check(
                access("alice", issuedAt: second + .milliseconds(999), sessionID: later.session.id)
            )
            try expect(precise == .valid, "only the iat's whole second counts, got \(precise)")
            let ended = try await store.check(access("alice", issuedAt: second, sessionID: earlier.session.id))
            try expect(ended == .sessionEnded, "a token of the same second in an ended session is refused: \(ended)")
            let sessionless = try await store.check(access("alice", issuedAt: second + .milliseconds(999)))
            try expect(
                sessionless == .predatesEpoch,
                "a token without a session issued in the logout's second is refused, got \(sessionless)"
            )
            let before = try await store.check(
                access("alice", issuedAt: second - .seconds(1), sessionID: later.session.id)
            )
            try expect(before == .predatesEpoch, "a session token of an earlier second predates it, got \(before)")
            let next = try await store.check(access("alice", issuedAt: second + .seconds(1)))
            try expect(next == .valid, "a token without a session from the next second is valid, got \(next)")
        },
        TokenStoreCheck(name: "the epoch only moves forward and is kept for the longest retention") { suite in
            let (clock, store) = try await suite.fixture()
            let first = clock.now
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(3_600))
            clock.advance(by: .seconds(1_800))
            let second = clock.now
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(60))
            let stored = try await store.epoch(userID: "alice")
            try expect(stored == second, "a later logout moves the epoch forward")
            clock.advance(by: .seconds(600))
            let kept = try await store.epoch(userID: "alice")
            try expect(kept == second, "a shorter retention must not drop an epoch an earlier call promised to keep")
            let status = try await store.check(access("alice", issuedAt: first + .seconds(5)))
            try expect(status == .predatesEpoch, "tokens between the two epochs are invalid, got \(status)")
            clock.advance(by: .seconds(1_201))
            let gone = try await store.epoch(userID: "alice")
            try expect(gone == nil, "the epoch is forgotten after its retention")
        },
        TokenStoreCheck(name: "logging out everywhere ends every session and its refresh family") { suite in
            let (_, store) = try await suite.fixture()
            var tokens: [String] = []
            for index in 0..<3 {
                let grant = try await store.createSession(
                    NewSession(userID: "alice", device: DeviceInfo(name: "device \(index)"))
                )
                tokens.append(grant.refreshToken.text)
            }
            let bob = try await store.createSession(NewSession(userID: "bob"))
            let ended = try await store.logOutEverywhere(userID: "alice", retention: .seconds(900))
            try expect(ended == 3, "three sessions were ended, got \(ended)")
            let left = try await store.sessions(userID: "alice")
            try expect(left.isEmpty, "no session survives, \(left.count) did")
            for token in tokens {
                let outcome = try await store.rotate(refreshToken: token)
                try expect(isInvalid(outcome), "a refresh token of an ended session is refused, got \(outcome)")
            }
            let bobSessions = try await store.sessions(userID: "bob")
            try expect(bobSessions.map(\.id) == [bob.session.id], "another user's sessions survive")
        },
        TokenStoreCheck(name: "a session pruned by a server whose clock runs fast stays ended for every server") {
            suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let slow = clock.now
            // A server whose clock runs 21 minutes fast sees the session as idle-expired when it writes for alice.
            clock.set(to: slow + .seconds(1_260))
            _ = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            // Back on a server with the slow clock, where the first session would still be alive.
            clock.set(to: slow + .seconds(1))
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(86_400))
            clock.set(to: slow + .seconds(3))
            let outcome = try await store.rotate(refreshToken: login.refreshToken.text)
            try expect(isInvalid(outcome), "the session must not be rotated back to life, got \(outcome)")
            let status = try await store.check(
                access("alice", issuedAt: clock.now, sessionID: login.session.id, touch: true)
            )
            try expect(status != .valid, "a token of the session must be refused, got \(status)")
            try expect(
                !(try await store.touchSession(userID: "alice", sessionID: login.session.id)),
                "the session must not be touched back to life"
            )
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.isEmpty, "no session is listed, \(listed.count) are")
        },
        TokenStoreCheck(
            name: "a login after log-out-everywhere lives, even in the same millisecond or on a clock behind"
        ) {
            suite in
            let (clock, store) = try await suite.fixture()
            let epoch = clock.now
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(86_400))
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(3_600))
            let same = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            try expect(same.session.createdAt > epoch, "a login after the logout is created after the epoch")
            // A login through a server whose clock is ten minutes behind the one that logged alice out.
            clock.set(to: epoch - .seconds(600))
            let behind = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            try expect(behind.session.createdAt > epoch, "also on a clock that has not reached the epoch")
            let found = try await store.session(userID: "alice", sessionID: behind.session.id)
            try expect(found == behind.session, "the session reads back as created")
            clock.set(to: epoch + .seconds(1))
            for login in [same, behind] {
                let status = try await store.check(access("alice", issuedAt: clock.now, sessionID: login.session.id))
                try expect(status == .valid, "the new session is not ended by the epoch, got \(status)")
                _ = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            }
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.count == 2, "both new sessions are listed, \(listed.count) are")
        },
        TokenStoreCheck(name: "the epoch retention must be at least a millisecond") { suite in
            let (_, store) = try await suite.fixture()
            try await expectError(.invalidConfiguration, "a zero retention") {
                try await store.logOutEverywhere(userID: "alice", retention: .zero)
            }
            try await expectError(.invalidConfiguration, "a retention under a millisecond") {
                try await store.logOutEverywhere(userID: "alice", retention: .microseconds(999))
            }
        },
    ]
}
