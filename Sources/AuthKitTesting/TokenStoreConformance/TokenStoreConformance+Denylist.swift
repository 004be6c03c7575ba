import AuthKitClock
@_spi(TokenStoreImplementation) import TokenStore

extension TokenStoreConformance {
    static let denylistChecks: [TokenStoreCheck] = [
        TokenStoreCheck(
            name: "a revoked jti is reported until the token's expiry plus the largest leeway, for its user only"
        ) {
            suite in
            let (clock, store) = try await suite.fixture()
            let issued = clock.now
            let leeway = TokenStoreLimits.revocationLeeway
            try expect(
                try await store.revoke(jti: "j1", userID: "alice", expiresAt: issued + .seconds(600)),
                "revoking a live token writes an entry"
            )
            let status = try await store.check(access("alice", jti: "j1", issuedAt: issued))
            try expect(status == .revoked, "the revoked jti is reported, got \(status)")
            let other = try await store.check(access("alice", jti: "j2", issuedAt: issued))
            try expect(other == .valid, "another jti of the same user is not revoked, got \(other)")
            let otherUser = try await store.check(access("bob", jti: "j1", issuedAt: issued))
            try expect(otherUser == .valid, "the same jti of another user is not revoked, got \(otherUser)")
            clock.advance(by: .seconds(601))
            let expired = try await store.check(access("alice", jti: "j1", issuedAt: issued))
            try expect(expired == .revoked, "a verifier with leeway still accepts the token: refused, got \(expired)")
            clock.advance(by: leeway - .seconds(2))
            let late = try await store.check(access("alice", jti: "j1", issuedAt: issued))
            try expect(late == .revoked, "the entry lasts until exp plus the largest leeway, got \(late)")
            clock.advance(by: .seconds(1))
            let after = try await store.check(access("alice", jti: "j1", issuedAt: issued))
            try expect(after == .valid, "the entry is gone once no verifier accepts the token, got \(after)")
        },
        TokenStoreCheck(name: "a token inside its leeway can still be revoked; one past every leeway is a no-op") {
            suite in
            let (clock, store) = try await suite.fixture()
            let now = clock.now
            let leeway = TokenStoreLimits.revocationLeeway
            try expect(
                try await store.revoke(jti: "recent", userID: "alice", expiresAt: now - .seconds(5)),
                "a token 5 s past exp is still accepted by a verifier with leeway: it needs an entry"
            )
            let recent = try await store.check(access("alice", jti: "recent", issuedAt: now - .seconds(60)))
            try expect(recent == .revoked, "the token inside its leeway is denylisted, got \(recent)")
            try expect(
                !(try await store.revoke(jti: "old", userID: "alice", expiresAt: now - leeway)),
                "a token past exp plus the largest leeway needs no entry"
            )
            let status = try await store.check(access("alice", jti: "old", issuedAt: now - .seconds(600)))
            try expect(status == .valid, "nothing was denylisted, got \(status)")
        },
        TokenStoreCheck(name: "revoking twice keeps the later expiry") { suite in
            let (clock, store) = try await suite.fixture()
            let now = clock.now
            try await store.revoke(jti: "j", userID: "alice", expiresAt: now + .seconds(100))
            try await store.revoke(jti: "j", userID: "alice", expiresAt: now + .seconds(10))
            clock.advance(by: .seconds(50))
            let status = try await store.check(access("alice", jti: "j", issuedAt: now))
            try expect(status == .revoked, "a shorter second revocation must not shorten the first, got \(status)")
        },
        TokenStoreCheck(name: "bad ids are refused with invalidArgument") { suite in
            let (clock, store) = try await suite.fixture()
            let later = clock.now + .seconds(60)
            try await expectError(.invalidArgument, "an empty user id") {
                try await store.revoke(jti: "j", userID: "", expiresAt: later)
            }
            try await expectError(.invalidArgument, "an empty jti") {
                try await store.revoke(jti: "", userID: "alice", expiresAt: later)
            }
            try await expectError(.invalidArgument, "an oversized jti") {
                try await store.revoke(jti: String(repeating: "x", count: 257), userID: "alice", expiresAt: later)
            }
            try await expectError(.invalidArgument, "an oversized user id") {
                _ = try await store.sessions(userID: String(repeating: "u", count: 257))
            }
        },
        TokenStoreCheck(name: "user ids with key-breaking characters stay separate users") { suite in
            let (clock, store) = try await suite.fixture()
            let now = clock.now
            let tricky = ["a}:revoked:j", "a", "a{", "a\u{0}b", "a\u{0}c", "é", "e\u{301}", "u:}{", "💥"]
            try await store.revoke(jti: "j", userID: tricky[0], expiresAt: now + .seconds(60))
            for userID in tricky.dropFirst() {
                let status = try await store.check(access(userID, jti: "j", issuedAt: now))
                try expect(
                    status == .valid,
                    "revoking for \(tricky[0].debugDescription) leaked to \(userID.debugDescription)"
                )
            }
            for userID in tricky {
                _ = try await store.createSession(NewSession(userID: userID))
            }
            for userID in tricky {
                let sessions = try await store.sessions(userID: userID)
                try expect(
                    sessions.count == 1 && sessions[0].userID == userID,
                    "user \(userID.debugDescription) sees exactly its own session, got \(sessions.count)"
                )
            }
        },
    ]
}
