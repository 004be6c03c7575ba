import AuthKitClock
@_spi(TokenStoreImplementation) import TokenStore

extension TokenStoreConformance {
    static let inspectionChecks: [TokenStoreCheck] = [
        TokenStoreCheck(name: "claims recorded at login come back with every rotation and inspection") { suite in
            let (_, store) = try await suite.fixture()
            let claims = #"{"tenant":"acme","roles":["buyer"]}"#
            let login = try await store.createSession(NewSession(userID: "alice", claims: claims))
            try expect(
                try active(await store.inspect(refreshToken: login.refreshToken.text)).claims == claims,
                "inspect"
            )
            let first = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            try expect(first.claims == claims, "the first rotation hands the claims back, got \(first.claims)")
            let second = try grant(try await store.rotate(refreshToken: first.refreshToken.text))
            try expect(second.claims == claims, "every rotation hands them back, got \(second.claims)")
            let plain = try await store.createSession(NewSession(userID: "alice"))
            let none = try grant(try await store.rotate(refreshToken: plain.refreshToken.text))
            try expect(none.claims.isEmpty, "a session without claims has none, got \(none.claims)")
        },
        TokenStoreCheck(name: "claims over the size limit are refused before anything is written") { suite in
            let (_, store) = try await suite.fixture()
            let tooLong = String(repeating: "x", count: TokenStoreLimits.maxSessionClaimsBytes + 1)
            try await expectError(.invalidArgument, "claims over the limit") {
                _ = try await store.createSession(NewSession(userID: "alice", claims: tooLong))
            }
            let sessions = try await store.sessions(userID: "alice")
            try expect(sessions.isEmpty, "no session was created, got \(sessions.count)")
            let atLimit = String(repeating: "x", count: TokenStoreLimits.maxSessionClaimsBytes)
            _ = try await store.createSession(NewSession(userID: "alice", claims: atLimit))
        },
        TokenStoreCheck(name: "inspect reads what rotate would do, and changes nothing") { suite in
            let (clock, store) = try await suite.fixture()
            let login = try await store.createSession(NewSession(userID: "alice"))
            clock.advance(by: .seconds(10))
            let info = try active(await store.inspect(refreshToken: login.refreshToken.text))
            try expect(info.userID == "alice" && info.sessionID == login.session.id, "inspect names the family")
            try expect(info.expiresAt == login.session.expiresAt, "inspection is not use of the session")
            try expect(info.absoluteExpiresAt == login.session.absoluteExpiresAt, "the absolute expiry is the login's")
            let session = try await store.session(userID: "alice", sessionID: login.session.id)
            try expect(session?.lastSeenAt == login.session.lastSeenAt, "inspection does not touch the session")
            // Inspected twice, the token still rotates: nothing was consumed.
            _ = try active(await store.inspect(refreshToken: login.refreshToken.text))
            let next = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            let old = try await store.inspect(refreshToken: login.refreshToken.text)
            guard case .retired(let userID, let sessionID) = old else {
                throw TokenStoreConformanceFailure(
                    "a replaced token is retired, got \(old)",
                    file: #fileID,
                    line: #line
                )
            }
            try expect(userID == "alice" && sessionID == login.session.id, "the retired token names its family")
            // Inspecting a retired token is not reuse: the family lives on.
            _ = try active(await store.inspect(refreshToken: next.refreshToken.text))
            _ = try grant(try await store.rotate(refreshToken: next.refreshToken.text))
        },
        TokenStoreCheck(name: "inspect refuses forged, unknown, expired and ended tokens") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(3_600), idle: .seconds(600))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            // The right user and session with a secret the family never issued: a session id is no key.
            let forged = RefreshToken.issue(userID: "alice", sessionID: login.session.id)
            try expect(isInvalid(await store.inspect(refreshToken: forged.text)), "a forged token is invalid")
            try expect(isInvalid(await store.inspect(refreshToken: "akr1.garbage")), "a malformed token is invalid")
            let stranger = RefreshToken.issue(userID: "bob", sessionID: Session.newID())
            try expect(isInvalid(await store.inspect(refreshToken: stranger.text)), "an unknown family is invalid")
            clock.advance(by: .seconds(601))
            try expect(
                isInvalid(await store.inspect(refreshToken: login.refreshToken.text)),
                "a token past its idle expiry is invalid"
            )
            let second = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            try await store.revokeSession(userID: "alice", sessionID: second.session.id)
            try expect(
                isInvalid(await store.inspect(refreshToken: second.refreshToken.text)),
                "a token of an ended session is invalid"
            )
            let third = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            clock.advance(by: .seconds(1))
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(7_200))
            try expect(
                isInvalid(await store.inspect(refreshToken: third.refreshToken.text)),
                "a token from before log out everywhere is invalid"
            )
        },
        TokenStoreCheck(name: "inspect follows the grace period and reuse revocation as rotate does") { suite in
            let (clock, store) = try await suite.fixture()
            let lifetime = SessionLifetime(absolute: .seconds(86_400), reuseGracePeriod: .seconds(5))
            let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
            let next = try grant(try await store.rotate(refreshToken: login.refreshToken.text))
            clock.advance(by: .seconds(3))
            _ = try active(await store.inspect(refreshToken: login.refreshToken.text))
            clock.advance(by: .seconds(3))
            let late = try await store.inspect(refreshToken: login.refreshToken.text)
            guard case .retired = late else {
                throw TokenStoreConformanceFailure(
                    "past the grace period: retired, got \(late)",
                    file: #fileID,
                    line: #line
                )
            }
            let replay = try await store.rotate(refreshToken: login.refreshToken.text)
            try expect(isReuse(replay), "rotate calls it reuse, got \(replay)")
            let after = try await store.inspect(refreshToken: next.refreshToken.text)
            guard case .retired = after else {
                throw TokenStoreConformanceFailure(
                    "the family is revoked: retired, got \(after)",
                    file: #fileID,
                    line: #line
                )
            }
        },
    ]

    static func active(
        _ status: RefreshTokenStatus,
        file: String = #fileID,
        line: Int = #line
    ) throws -> ActiveRefreshToken {
        guard case .active(let info) = status else {
            throw TokenStoreConformanceFailure("expected an active token, got \(status)", file: file, line: line)
        }
        return info
    }

    static func isInvalid(_ status: RefreshTokenStatus) -> Bool {
        if case .invalid = status {
            return true
        }
        return false
    }
}
