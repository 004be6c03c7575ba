import AuthKitClock
import TokenStore

extension TokenStoreConformance {
    static let accessChecks: [TokenStoreCheck] = [
        TokenStoreCheck(name: "the access check answers revoked, then epoch, then session, in one call") { suite in
            let (clock, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            let issued = clock.now
            let sid = login.session.id
            let fine = try await store.check(access("alice", jti: "j", issuedAt: issued, sessionID: sid))
            try expect(fine == .valid, "a fresh token of a live session is valid, got \(fine)")
            clock.advance(by: .seconds(1))
            try await store.revokeSession(userID: "alice", sessionID: sid)
            let ended = try await store.check(access("alice", jti: "j", issuedAt: issued, sessionID: sid))
            try expect(ended == .sessionEnded, "a revoked session is reported, got \(ended)")
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(900))
            let epoch = try await store.check(access("alice", jti: "j", issuedAt: issued, sessionID: sid))
            try expect(epoch == .predatesEpoch, "the epoch outranks the session, got \(epoch)")
            try await store.revoke(jti: "j", userID: "alice", expiresAt: issued + .seconds(900))
            let revoked = try await store.check(access("alice", jti: "j", issuedAt: issued, sessionID: sid))
            try expect(revoked == .revoked, "the denylist outranks everything, got \(revoked)")
        },
        TokenStoreCheck(name: "the access check can touch the session in the same call") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let sid = login.session.id
            clock.advance(by: .seconds(500))
            let plain = try await store.check(access("alice", issuedAt: clock.now, sessionID: sid))
            try expect(plain == .valid, "valid, got \(plain)")
            let untouched = try await store.session(userID: "alice", sessionID: sid)
            try expect(untouched?.lastSeenAt == login.session.createdAt, "a plain check does not write")
            let touching = try await store.check(access("alice", issuedAt: clock.now, sessionID: sid, touch: true))
            try expect(touching == .valid, "valid, got \(touching)")
            clock.advance(by: .seconds(500))
            let alive = try await store.check(access("alice", issuedAt: clock.now, sessionID: sid))
            try expect(alive == .valid, "the touch kept the session alive past its first idle expiry, got \(alive)")
        },
        TokenStoreCheck(name: "the access check scopes sessions to their user and ignores them when absent") { suite in
            let (clock, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            let foreign = try await store.check(access("bob", issuedAt: clock.now, sessionID: login.session.id))
            try expect(foreign == .sessionEnded, "another user's session id is not a live session of bob's")
            let unknown = try await store.check(access("alice", issuedAt: clock.now, sessionID: Session.newID()))
            try expect(unknown == .sessionEnded, "an unknown session id fails closed, got \(unknown)")
            let sessionless = try await store.check(access("carol", jti: "x", issuedAt: clock.now))
            try expect(sessionless == .valid, "a token without sid is checked for denylist and epoch only")
            try await expectError(.invalidArgument, "an empty jti") {
                _ = try await store.check(access("alice", jti: "", issuedAt: clock.now))
            }
        },
    ]
}
