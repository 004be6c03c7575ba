import AuthKitClock
@_spi(TokenStoreImplementation) import TokenStore

extension TokenStoreConformance {
    static let rotationChecks: [TokenStoreCheck] = [
        TokenStoreCheck(name: "rotating the current token issues the next one") { suite in
            let (clock, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            try expect(login.refreshToken.userID == "alice", "the token routes to its user")
            try expect(login.refreshToken.sessionID == login.session.id, "the token routes to its family")
            clock.advance(by: .seconds(10))
            let first = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            try expect(first.refreshToken.text != login.refreshToken.text, "rotation issues a new token")
            try expect(first.userID == "alice" && first.sessionID == login.session.id, "the grant names the family")
            try expect(!first.isGraceRetry, "a rotation of the current token is not a grace retry")
            let second = try grant(try await store.rotate(refreshToken: first.refreshToken.text))
            try expect(second.refreshToken.text != first.refreshToken.text, "each rotation issues a new token")
            let session = try await store.session(userID: "alice", sessionID: login.session.id)
            try expect(session?.lastSeenAt == clock.now, "rotation counts as use of the session")
        },
        TokenStoreCheck(name: "presenting a replaced token is reuse: family and session are revoked") { suite in
            let (clock, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            let other = try await store.createSession(NewSession(userID: "alice"))
            let next = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            let replay = try await store.rotate(refreshToken: login.refreshToken.text)
            guard case .reuseDetected(let userID, let sessionID) = replay else {
                throw TokenStoreConformanceFailure("expected reuse, got \(replay)", file: #fileID, line: #line)
            }
            try expect(userID == "alice" && sessionID == login.session.id, "the reuse report names the family")
            let current = try await store.rotate(refreshToken: next.refreshToken.text)
            try expect(isReuse(current), "the thief's (or victim's) newer token dies with the family, got \(current)")
            let sessions = try await store.sessions(userID: "alice").map(\.id)
            try expect(sessions == [other.session.id], "only the untouched session survives, got \(sessions)")
            let status = try await store.check(access("alice", issuedAt: clock.now, sessionID: login.session.id))
            try expect(status == .sessionEnded, "access tokens of the revoked session are refused, got \(status)")
            _ = try grant(try await store.rotate(refreshToken: other.refreshToken.text))
        },
        TokenStoreCheck(name: "any older token of the family is reuse, not only the previous one") { suite in
            let (_, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            var tokens = [login.refreshToken.text]
            for _ in 0..<5 {
                let next = try grant(try await store.rotate(refreshToken: tokens[tokens.count - 1]))
                tokens.append(next.refreshToken.text)
            }
            let outcome = try await store.rotate(refreshToken: tokens[1])
            try expect(isReuse(outcome), "a token four rotations old is reuse, got \(outcome)")
        },
        TokenStoreCheck(name: "50 concurrent rotations of one token: exactly one succeeds, the rest are reuse") {
            suite in
            let (_, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            let text = login.refreshToken.text
            let outcomes = try await withThrowingTaskGroup(of: RefreshOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await store.rotate(refreshToken: text) }
                }
                var all: [RefreshOutcome] = []
                for try await outcome in group {
                    all.append(outcome)
                }
                return all
            }
            let rotated = outcomes.filter { if case .rotated = $0 { true } else { false } }.count
            let reused = outcomes.filter(isReuse).count
            try expect(rotated == 1, "exactly one rotation succeeds, \(rotated) did")
            try expect(reused == 49, "every other attempt is reuse, \(reused) were")
            let sessions = try await store.sessions(userID: "alice")
            try expect(sessions.isEmpty, "reuse revoked the session")
        },
        TokenStoreCheck(name: "forged or malformed tokens are invalid and do not revoke the family") { suite in
            let (_, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            let text = login.refreshToken.text
            var forged = Array(text.utf8)
            let last = forged.count - 2
            forged[last] = forged[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let otherUser = replacingUserPart(of: text, with: "Ym9i")
            let unknownFamily = RefreshToken.issue(userID: "alice", sessionID: Session.newID()).text
            let samples = [
                "", "garbage", "akr1....", text + "x", String(decoding: forged, as: UTF8.self), otherUser,
                unknownFamily, String(repeating: "a", count: 10_000),
            ]
            for sample in samples {
                let outcome = try await store.rotate(refreshToken: sample)
                try expect(isInvalid(outcome), "a forged or malformed token is invalid, got \(outcome)")
            }
            _ = try grant(try await store.rotate(refreshToken: text))
        },
        TokenStoreCheck(name: "without a grace period the replaced token is reuse at once") { suite in
            let (_, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            _ = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            let retry = try await store.rotate(refreshToken: login.refreshToken.text)
            try expect(isReuse(retry), "no grace period: an immediate retry is reuse, got \(retry)")
        },
        TokenStoreCheck(name: "the grace period accepts only the immediately previous token, only briefly") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), reuseGracePeriod: .seconds(5))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let lost = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            clock.advance(by: .seconds(3))
            let retried = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            try expect(retried.isGraceRetry, "a retry within the grace period is answered and marked as such")
            clock.advance(by: .seconds(1))
            let again = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            try expect(again.isGraceRetry, "retries within the window keep working")
            clock.advance(by: .seconds(2))
            let late = try await store.rotate(refreshToken: login.refreshToken.text)
            try expect(isReuse(late), "retries do not stretch the window: 6 s after rotation is reuse, got \(late)")
            let lostOutcome = try await store.rotate(refreshToken: lost.refreshToken.text)
            try expect(isReuse(lostOutcome), "the family is revoked, got \(lostOutcome)")

            let second = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let t1 = try grant(try await store.rotate(refreshToken: second.refreshToken.text))
            _ = try grant(try await store.rotate(refreshToken: t1.refreshToken.text))
            let older = try await store.rotate(refreshToken: second.refreshToken.text)
            try expect(isReuse(older), "a token two rotations old is reuse even within the window, got \(older)")
        },
        TokenStoreCheck(name: "a token lost to a grace retry is retired") { suite in
            let (_, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), reuseGracePeriod: .seconds(5))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let lost = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            let retried = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            let next = try grant(try await store.rotate(refreshToken: retried.refreshToken.text))
            try expect(!next.isGraceRetry, "the retried token is the family's current one")
            let stale = try await store.rotate(refreshToken: lost.refreshToken.text)
            try expect(isReuse(stale), "the token the client never received is no longer current, got \(stale)")
        },
        TokenStoreCheck(name: "rotation never extends the absolute lifetime") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(3_600), idle: .seconds(1_800))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let absolute = login.session.absoluteExpiresAt
            try expect(absolute == clock.now + .seconds(3_600), "the absolute expiry is login plus the lifetime")
            var text = login.refreshToken.text
            for _ in 0..<2 {
                clock.advance(by: .seconds(1_200))
                let next = try grant(try await store.rotate(refreshToken: text))
                try expect(next.absoluteExpiresAt == absolute, "rotation keeps the absolute expiry")
                try expect(next.expiresAt <= absolute, "the idle expiry never passes the absolute one")
                text = next.refreshToken.text
            }
            clock.advance(by: .seconds(1_199))
            let last = try grant(try await store.rotate(refreshToken: text))
            try expect(last.expiresAt == absolute, "near the end the idle expiry is capped at the absolute one")
            clock.advance(by: .seconds(1))
            let outcome = try await store.rotate(refreshToken: last.refreshToken.text)
            try expect(isInvalid(outcome), "at the absolute expiry the family is over, got \(outcome)")
        },
        TokenStoreCheck(name: "an unused family ends after its idle lifetime") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            clock.advance(by: .seconds(599))
            let next = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            try expect(next.expiresAt == clock.now + .seconds(600), "rotation slides the idle expiry")
            clock.advance(by: .seconds(600))
            let outcome = try await store.rotate(refreshToken: next.refreshToken.text)
            try expect(isInvalid(outcome), "an idle family is over, got \(outcome)")
            let sessions = try await store.sessions(userID: "alice")
            try expect(sessions.isEmpty, "its session is gone too")
        },
        TokenStoreCheck(name: "refresh tokens are unique and carry 256 random bits") { suite in
            let (_, store) = try await suite.fixture()
            var seen = Set<String>()
            for _ in 0..<20 {
                let grant = try await store.createSession(NewSession(userID: "alice"))
                seen.insert(grant.refreshToken.text)
                let secret = grant.refreshToken.text.split(separator: ".").last.map(String.init) ?? ""
                try expect(secret.utf8.count >= 43, "the secret part encodes at least 32 bytes")
                try expect(RefreshToken(parsing: grant.refreshToken.text) != nil, "issued tokens parse")
                try expect(!grant.refreshToken.description.contains(secret), "the description hides the secret")
            }
            try expect(seen.count == 20, "every token is distinct")
        },
    ]

    /// `token` with its user part replaced, to forge a token that routes to another user.
    static func replacingUserPart(of token: String, with userPart: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1 {
            parts[1] = userPart
        }
        return parts.joined(separator: ".")
    }
}
