import AuthKitClock
@_spi(TokenStoreImplementation) import TokenStore

extension TokenStoreConformance {
    static let sessionChecks: [TokenStoreCheck] = [
        TokenStoreCheck(name: "sessions are created with their device and listed per user, oldest first") { suite in
            let (clock, store) = try await suite.fixture()
            let device = DeviceInfo(name: "Pixel 9", ipAddress: "203.0.113.7", userAgent: "AuthKitTest/1.0")
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(3_600))
            let first = try await store.createSession(NewSession(userID: "alice", device: device, lifetime: lifetime))
            try expect(first.session.device == device, "the device is recorded as given")
            try expect(first.session.createdAt == clock.now && first.session.lastSeenAt == clock.now, "timestamps")
            try expect(first.session.expiresAt == clock.now + .seconds(3_600), "the idle expiry starts at login")
            try expect(first.session.absoluteExpiresAt == clock.now + .seconds(86_400), "the absolute expiry")
            try expect(first.endedSessionIDs.isEmpty, "the default policy ends nothing below the cap")
            clock.advance(by: .seconds(1))
            let second = try await store.createSession(NewSession(userID: "alice", device: DeviceInfo(name: "Laptop")))
            _ = try await store.createSession(NewSession(userID: "bob"))
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.map(\.id) == [first.session.id, second.session.id], "alice's two sessions, oldest first")
            try expect(listed.first == first.session, "a listed session reads back exactly as created")
            let fetched = try await store.session(userID: "alice", sessionID: second.session.id)
            try expect(fetched?.device.name == "Laptop", "one session reads back by id")
            let foreign = try await store.session(userID: "bob", sessionID: first.session.id)
            try expect(foreign == nil, "a session is never found under another user")
            let none = try await store.sessions(userID: "carol")
            try expect(none.isEmpty, "a user without logins has no sessions")
        },
        TokenStoreCheck(name: "over-long device fields are cut, not refused") { suite in
            let (_, store) = try await suite.fixture()
            let long = String(repeating: "é", count: 1_000)
            let grant = try await store.createSession(
                NewSession(userID: "alice", device: DeviceInfo(name: long, ipAddress: "::1", userAgent: long))
            )
            let stored = try await store.session(userID: "alice", sessionID: grant.session.id)
            try expect(stored?.device.name.utf8.count == 512, "the name is cut to 512 bytes")
            try expect(stored?.device.userAgent.utf8.count == 512, "the user agent is cut to 512 bytes")
            try expect(stored?.device.ipAddress == "::1", "short fields are kept")
        },
        TokenStoreCheck(name: "touch records last seen and slides the idle expiry, never past the absolute one") {
            suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(1_500), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let id = login.session.id
            clock.advance(by: .seconds(500))
            try expect(try await store.touchSession(userID: "alice", sessionID: id), "a live session is touched")
            let touched = try await store.session(userID: "alice", sessionID: id)
            try expect(touched?.lastSeenAt == clock.now, "touch records last seen")
            try expect(touched?.expiresAt == clock.now + .seconds(600), "touch slides the idle expiry")
            clock.advance(by: .seconds(500))
            try expect(try await store.touchSession(userID: "alice", sessionID: id), "still alive 1000 s after login")
            let capped = try await store.session(userID: "alice", sessionID: id)
            try expect(capped?.expiresAt == login.session.absoluteExpiresAt, "the slide stops at the absolute expiry")
            clock.advance(by: .seconds(500))
            try expect(!(try await store.touchSession(userID: "alice", sessionID: id)), "an ended session stays ended")
            let gone = try await store.session(userID: "alice", sessionID: id)
            try expect(gone == nil, "an expired session is not returned")
        },
        TokenStoreCheck(name: "an idle session ends") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            clock.advance(by: .seconds(600))
            let status = try await store.check(access("alice", issuedAt: clock.now, sessionID: login.session.id))
            try expect(status == .sessionEnded, "an idle session has ended, got \(status)")
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.isEmpty, "an idle session is not listed")
        },
        TokenStoreCheck(name: "revoking one session ends it and its refresh family only") { suite in
            let (clock, store) = try await suite.fixture()
            let first = try await store.createSession(NewSession(userID: "alice"))
            let second = try await store.createSession(NewSession(userID: "alice"))
            try expect(
                try await store.revokeSession(userID: "alice", sessionID: first.session.id),
                "a live session is revoked"
            )
            try expect(
                !(try await store.revokeSession(userID: "alice", sessionID: first.session.id)),
                "revoking again reports nothing to do"
            )
            try expect(
                !(try await store.revokeSession(userID: "bob", sessionID: second.session.id)),
                "a session cannot be revoked through another user"
            )
            let outcome = try await store.rotate(refreshToken: first.refreshToken.text)
            try expect(isInvalid(outcome), "the revoked family's token is refused (not reuse), got \(outcome)")
            let status = try await store.check(access("alice", issuedAt: clock.now, sessionID: first.session.id))
            try expect(status == .sessionEnded, "its access tokens are refused, got \(status)")
            let listed = try await store.sessions(userID: "alice").map(\.id)
            try expect(listed == [second.session.id], "the other session survives")
            _ = try grant(try await store.rotate(refreshToken: second.refreshToken.text))
        },
        TokenStoreCheck(name: "revoking all sessions ends them without setting an epoch") { suite in
            let (clock, store) = try await suite.fixture()
            for _ in 0..<4 {
                _ = try await store.createSession(NewSession(userID: "alice"))
            }
            let ended = try await store.revokeAllSessions(userID: "alice")
            try expect(ended == 4, "four sessions ended, got \(ended)")
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.isEmpty, "none is left")
            let none = try await store.revokeAllSessions(userID: "nobody")
            try expect(none == 0, "a user without sessions has none to end")
            let epoch = try await store.epoch(userID: "alice")
            try expect(epoch == nil, "revoking sessions leaves the epoch alone")
            let status = try await store.check(access("alice", issuedAt: clock.now - .seconds(5)))
            try expect(status == .valid, "a session-less token is unaffected, got \(status)")
        },
        TokenStoreCheck(name: "a session limit evicts the oldest sessions") { suite in
            let (clock, store) = try await suite.fixture()
            let policy = SessionPolicy(maxSessions: 2, overflow: .evictOldest)
            var ids: [String] = []
            var tokens: [String] = []
            for _ in 0..<3 {
                let grant = try await store.createSession(NewSession(userID: "alice", policy: policy))
                ids.append(grant.session.id)
                tokens.append(grant.refreshToken.text)
                if ids.count == 3 {
                    try expect(grant.endedSessionIDs == [ids[0]], "the third login ends the first session")
                }
                clock.advance(by: .seconds(1))
            }
            let listed = try await store.sessions(userID: "alice").map(\.id)
            try expect(listed == [ids[1], ids[2]], "the two newest sessions remain")
            let outcome = try await store.rotate(refreshToken: tokens[0])
            try expect(isInvalid(outcome), "the evicted family's token is refused, got \(outcome)")
        },
        TokenStoreCheck(name: "a session limit can refuse the new login; ended sessions do not count") { suite in
            let (clock, store) = try await suite.fixture()
            let policy = SessionPolicy(maxSessions: 2, overflow: .refuseNewLogin)
            let short = SessionLifetime(absolute: .seconds(600))
            let first = try await store.createSession(NewSession(userID: "alice", lifetime: short, policy: policy))
            _ = try await store.createSession(NewSession(userID: "alice", policy: policy))
            try await expectError(.sessionLimitReached, "a third login") {
                _ = try await store.createSession(NewSession(userID: "alice", policy: policy))
            }
            try await store.revokeSession(userID: "alice", sessionID: first.session.id)
            _ = try await store.createSession(NewSession(userID: "alice", lifetime: short, policy: policy))
            clock.advance(by: .seconds(600))
            _ = try await store.createSession(NewSession(userID: "alice", policy: policy))
            let listed = try await store.sessions(userID: "alice")
            try expect(listed.count == 2, "an expired session made room, \(listed.count) sessions listed")
        },
        TokenStoreCheck(name: "single-session mode: a new login ends every other session") { suite in
            let (clock, store) = try await suite.fixture()
            _ = try await store.createSession(NewSession(userID: "alice"))
            _ = try await store.createSession(NewSession(userID: "alice"))
            clock.advance(by: .seconds(1))
            let latest = try await store.createSession(NewSession(userID: "alice", policy: .singleSession))
            try expect(latest.endedSessionIDs.count == 2, "both earlier sessions were ended")
            let listed = try await store.sessions(userID: "alice").map(\.id)
            try expect(listed == [latest.session.id], "only the new session is left")
        },
        TokenStoreCheck(name: "session limits hold under concurrent logins") { suite in
            let (_, store) = try await suite.fixture()
            let evicting = SessionPolicy(maxSessions: 3, overflow: .evictOldest)
            let grants = try await withThrowingTaskGroup(of: SessionGrant.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.createSession(NewSession(userID: "alice", policy: evicting)) }
                }
                var all: [SessionGrant] = []
                for try await grant in group {
                    all.append(grant)
                }
                return all
            }
            let live = try await store.sessions(userID: "alice")
            try expect(live.count == 3, "exactly three sessions survive 20 concurrent logins, \(live.count) did")
            let ended = grants.flatMap(\.endedSessionIDs)
            try expect(ended.count == 17 && Set(ended).count == 17, "each of the 17 others was ended exactly once")
            try expect(Set(ended).isDisjoint(with: live.map(\.id)), "no live session was reported ended")

            let refusing = SessionPolicy(maxSessions: 3, overflow: .refuseNewLogin)
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        (try? await store.createSession(NewSession(userID: "bob", policy: refusing))) != nil
                    }
                }
                var all: [Bool] = []
                for await result in group {
                    all.append(result)
                }
                return all
            }
            let admitted = results.filter { $0 }.count
            try expect(admitted == 3, "exactly three of 20 concurrent logins are admitted, \(admitted) were")
            let bob = try await store.sessions(userID: "bob")
            try expect(bob.count == 3, "bob has three sessions, not \(bob.count)")
        },
        TokenStoreCheck(name: "every user has a hard cap on live sessions: by default the oldest are evicted") {
            suite in
            let (clock, store) = try await suite.fixture()
            let cap = TokenStoreLimits.maxSessionsPerUser
            var ids: [String] = []
            for _ in 0..<(cap + 2) {
                let grant = try await store.createSession(NewSession(userID: "alice"))
                ids.append(grant.session.id)
                clock.advance(by: .milliseconds(10))
            }
            let listed = try await store.sessions(userID: "alice").map(\.id)
            try expect(listed.count == cap, "at most \(cap) live sessions, \(listed.count) are listed")
            try expect(listed == Array(ids.suffix(cap)), "the two oldest were evicted")
            let refusing = SessionPolicy(maxSessions: nil, overflow: .refuseNewLogin)
            try await expectError(.sessionLimitReached, "a login past the hard cap that refuses") {
                _ = try await store.createSession(NewSession(userID: "alice", policy: refusing))
            }
        },
        TokenStoreCheck(name: "a session policy may lower the hard cap, never raise it") { suite in
            let (_, store) = try await suite.fixture()
            let cap = TokenStoreLimits.maxSessionsPerUser
            try await expectError(.invalidConfiguration, "a limit above the hard cap") {
                let policy = SessionPolicy(maxSessions: cap + 1)
                _ = try await store.createSession(NewSession(userID: "alice", policy: policy))
            }
            _ = try await store.createSession(NewSession(userID: "alice", policy: SessionPolicy(maxSessions: cap)))
        },
        TokenStoreCheck(name: "bad lifetimes and policies are refused") { suite in
            let (_, store) = try await suite.fixture()
            try await expectError(.invalidConfiguration, "a zero lifetime") {
                _ = try await store.createSession(NewSession(userID: "a", lifetime: SessionLifetime(absolute: .zero)))
            }
            try await expectError(.invalidConfiguration, "an idle lifetime under a millisecond") {
                let lifetime = SessionLifetime(absolute: .seconds(60), idle: .microseconds(999))
                _ = try await store.createSession(NewSession(userID: "a", lifetime: lifetime))
            }
            try await expectError(.invalidConfiguration, "a grace period over a minute") {
                let lifetime = SessionLifetime(reuseGracePeriod: .seconds(61))
                _ = try await store.createSession(NewSession(userID: "a", lifetime: lifetime))
            }
            try await expectError(.invalidConfiguration, "a limit of zero sessions") {
                _ = try await store.createSession(NewSession(userID: "a", policy: SessionPolicy(maxSessions: 0)))
            }
            try await expectError(.invalidArgument, "an empty user id") {
                _ = try await store.createSession(NewSession(userID: ""))
            }
        },
    ]
}
