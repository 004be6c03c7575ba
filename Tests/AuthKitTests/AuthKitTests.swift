import AuthKit
import AuthKitTesting
import Synchronization
import Testing

@Suite("AuthKit facade")
struct AuthKitTests {
    private func expectError(
        _ code: AuthKitError.Code,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
        } catch let error as AuthKitError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected AuthKitError \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func loginThenAuthenticate() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(
            userID: "42",
            device: DeviceInfo(name: "Pixel 9", ipAddress: "203.0.113.7"),
            claims: ["role": "admin"]
        )
        #expect(pair.tokenType == "Bearer")
        #expect(pair.expiresIn == .seconds(900))
        #expect(pair.session.device.name == "Pixel 9")
        let principal = try await harness.auth.authenticate(bearer: "Bearer \(pair.accessToken)")
        #expect(principal.userID == "42")
        #expect(principal.sessionID == pair.session.id)
        #expect(principal.claims["role"] == "admin")
        #expect(principal.expiresAt == principal.issuedAt + .seconds(900))
        let header = try UnverifiedJWTDecoder.decode(pair.accessToken).header
        #expect(header["typ"] == "at+jwt")
        #expect(header["kid"] == "2026-11")
    }

    @Test func authenticateIsOneStoreCall() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        let before = harness.tokens.calls
        _ = try await harness.auth.authenticate(token: pair.accessToken)
        #expect(harness.tokens.calls - before == 1)
        // A token that fails locally costs no store call at all.
        await expectError(.invalidToken) { _ = try await harness.auth.authenticate(token: pair.accessToken + "x") }
        #expect(harness.tokens.calls - before == 1)
    }

    @Test(arguments: ["", "Bearer", "Bearer ", "Basic abc", "Bearerabc", "Token x.y.z", "Bearer a b"])
    func malformedAuthorizationHeaders(header: String) async throws {
        let harness = try await Harness()
        await expectError(.invalidToken) { _ = try await harness.auth.authenticate(bearer: header) }
    }

    @Test func bearerSchemeIsCaseInsensitive() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        _ = try await harness.auth.authenticate(bearer: "bearer   \(pair.accessToken)")
    }

    @Test func expiredAccessToken() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        harness.clock.advance(by: .seconds(901))
        do {
            _ = try await harness.auth.authenticate(token: pair.accessToken)
            Issue.record("an expired token was accepted")
        } catch let error as AuthKitError {
            #expect(error.code == .invalidToken)
            #expect(error.jwtCode == .expired)
        }
    }

    @Test func otherJWTsSignedWithTheSameKeyAreNotAccessTokens() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        let claims = try UnverifiedJWTDecoder.decode(pair.accessToken).payload
        let forged = try JWTSigner(key: try JWTKey.hs256(Harness.secret, kid: "2026-11"), type: "JWT")
            .sign(try JWTClaims(json: claims))
        await expectError(.invalidToken) { _ = try await harness.auth.authenticate(token: forged) }
    }

    @Test func refreshRotatesAndReuseKillsTheLogin() async throws {
        let harness = try await Harness()
        let events = harness.auth.events
        let first = try await harness.auth.login(userID: "42")
        let second = try await harness.auth.refresh(first.refreshToken)
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.session.id == first.session.id)
        _ = try await harness.auth.authenticate(token: second.accessToken)

        await expectError(.refreshTokenReused) { _ = try await harness.auth.refresh(first.refreshToken) }
        // The whole login is gone: its access tokens and its newest refresh token.
        await expectError(.sessionEnded) { _ = try await harness.auth.authenticate(token: second.accessToken) }
        // The family is kept as a tombstone, so its newest token now also reads as reuse.
        await expectError(.refreshTokenReused) { _ = try await harness.auth.refresh(second.refreshToken) }

        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event?.kind == .refreshTokenReuse)
        #expect(event?.userID == "42")
        #expect(event?.sessionID == first.session.id)
    }

    @Test func garbageRefreshTokens() async throws {
        let harness = try await Harness()
        for token in ["", "akr1", "akr1.a.b.c", String(repeating: "x", count: 10_000)] {
            await expectError(.invalidRefreshToken) { _ = try await harness.auth.refresh(token) }
        }
    }

    @Test func logoutDenylistsTheTokenAndEndsTheSession() async throws {
        let harness = try await Harness()
        let phone = try await harness.auth.login(userID: "42", device: DeviceInfo(name: "phone"))
        let laptop = try await harness.auth.login(userID: "42", device: DeviceInfo(name: "laptop"))
        try await harness.auth.logout(accessToken: phone.accessToken)
        await expectError(.tokenRevoked) { _ = try await harness.auth.authenticate(token: phone.accessToken) }
        await expectError(.invalidRefreshToken) { _ = try await harness.auth.refresh(phone.refreshToken) }
        _ = try await harness.auth.authenticate(token: laptop.accessToken)
        #expect(try await harness.auth.sessions(of: "42").map(\.id) == [laptop.session.id])
    }

    @Test func logoutOfOneSession() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        #expect(try await harness.auth.logout(sessionID: pair.session.id, userID: "42"))
        await expectError(.sessionEnded) { _ = try await harness.auth.authenticate(token: pair.accessToken) }
        #expect(try await harness.auth.logout(sessionID: pair.session.id, userID: "42") == false)
    }

    @Test func logoutEverywhereThenLoginInTheSameSecond() async throws {
        let harness = try await Harness()
        let a = try await harness.auth.login(userID: "42")
        let b = try await harness.auth.login(userID: "42")
        let other = try await harness.auth.login(userID: "7")
        harness.clock.advance(by: .milliseconds(300))
        #expect(try await harness.auth.logoutEverywhere(userID: "42") == 2)
        // Issued in the same second as the logout, so refused through their ended sessions.
        await expectError(.sessionEnded) { _ = try await harness.auth.authenticate(token: a.accessToken) }
        await expectError(.sessionEnded) { _ = try await harness.auth.authenticate(token: b.accessToken) }
        await expectError(.invalidRefreshToken) { _ = try await harness.auth.refresh(b.refreshToken) }
        _ = try await harness.auth.authenticate(token: other.accessToken)
        harness.clock.advance(by: .milliseconds(100))
        let fresh = try await harness.auth.login(userID: "42")
        _ = try await harness.auth.authenticate(token: fresh.accessToken)
    }

    @Test func logoutEverywhereRefusesEarlierTokensByTheEpoch() async throws {
        let harness = try await Harness()
        let old = try await harness.auth.login(userID: "42")
        harness.clock.advance(by: .seconds(5))
        try await harness.auth.logoutEverywhere(userID: "42")
        await expectError(.tokenRevoked) { _ = try await harness.auth.authenticate(token: old.accessToken) }
    }

    @Test func singleSessionPolicyEndsTheOtherLogin() async throws {
        let harness = try await Harness(sessionPolicy: .singleSession)
        let first = try await harness.auth.login(userID: "42")
        let second = try await harness.auth.login(userID: "42")
        #expect(second.endedSessionIDs == [first.session.id])
        await expectError(.sessionEnded) { _ = try await harness.auth.authenticate(token: first.accessToken) }
        _ = try await harness.auth.authenticate(token: second.accessToken)
    }

    @Test func refusingPolicy() async throws {
        let harness = try await Harness(sessionPolicy: SessionPolicy(maxSessions: 1, overflow: .refuseNewLogin))
        _ = try await harness.auth.login(userID: "42")
        await expectError(.sessionLimitReached) { _ = try await harness.auth.login(userID: "42") }
    }

    @Test func storeOutageFailsClosed() async throws {
        let harness = try await Harness()
        let events = harness.auth.events
        let pair = try await harness.auth.login(userID: "42")
        harness.tokens.setFailing(true)
        await expectError(.storeUnavailable) { _ = try await harness.auth.authenticate(token: pair.accessToken) }
        await expectError(.storeUnavailable) { _ = try await harness.auth.refresh(pair.refreshToken) }
        await expectError(.storeUnavailable) { _ = try await harness.auth.login(userID: "42") }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next()?.kind == .storeUnavailable)
        harness.tokens.setFailing(false)
        _ = try await harness.auth.authenticate(token: pair.accessToken)
    }

    @Test func reservedClaimsAreRefused() async throws {
        let harness = try await Harness()
        for name in ["sub", "exp", "sid", "jti"] {
            var claims = JSONObject()
            claims[name] = "x"
            await expectError(.invalidArgument) { _ = try await harness.auth.login(userID: "42", claims: claims) }
        }
    }

    /// Every call that mints a token checks its claims the same way, before anything is written: a refused
    /// refresh leaves the presented refresh token current, so the client's retry without the claim succeeds
    /// instead of looking like reuse.
    @Test(arguments: [
        ("sid", JSONValue.string("another-session")), ("exp", .number(1)), ("iat", .string("x")),
        ("jti", .string("x")), ("nonFinite", .number(.nan)), ("nested", .array([.number(.infinity)])),
    ])
    func refreshChecksClaimsBeforeRotating(name: String, value: JSONValue) async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "42")
        var claims = JSONObject()
        claims[name] = value
        let callsBefore = harness.tokens.calls
        await expectError(.invalidArgument) { _ = try await harness.auth.refresh(pair.refreshToken, claims: claims) }
        #expect(harness.tokens.calls == callsBefore, "nothing reached the store")
        let next = try await harness.auth.refresh(pair.refreshToken)
        #expect(try await harness.auth.authenticate(token: next.accessToken).sessionID == pair.session.id)
        let callsBeforeLogin = harness.tokens.calls
        await expectError(.invalidArgument) { _ = try await harness.auth.login(userID: "42", claims: claims) }
        #expect(harness.tokens.calls == callsBeforeLogin, "a refused login creates no session")
    }

    @Test func permissionsAreCachedAndRequired() async throws {
        let harness = try await Harness()
        let loads = Mutex(0)
        let load: @Sendable (String) async throws -> PermissionSet? = { user in
            loads.withLock { $0 += 1 }
            return user == "alice" ? ["admin:*", "orders:*"] : user == "bob" ? ["orders:read"] : nil
        }
        #expect(try await harness.auth.permissions(for: "alice", load: load).contains("admin:users"))
        #expect(try await harness.auth.permissions(for: "alice", load: load).contains("orders:write"))
        #expect(loads.withLock { $0 } == 1)
        try await harness.auth.require("orders:read", of: "bob", load: load)
        await expectError(.forbidden) { try await harness.auth.require("admin:users", of: "bob", load: load) }
        #expect(try await harness.auth.permissions(for: "nobody", load: load) == .empty)
        try await harness.auth.invalidatePermissions(of: "alice")
        _ = try await harness.auth.permissions(for: "alice", load: load)
        #expect(loads.withLock { $0 } == 4)
    }

    @Test func rateLimitRunsOutAndPublishes() async throws {
        let harness = try await Harness()
        let events = harness.auth.events
        for _ in 0..<3 {
            #expect(try await harness.auth.rateLimit("login:alice", policy: .perMinute(3)).isAllowed)
        }
        let refused = try await harness.auth.rateLimit("login:alice", policy: .perMinute(3))
        #expect(!refused.isAllowed)
        #expect(refused.retryAfter != nil)
        #expect(refused.headers().contains { $0.name == "Retry-After" })
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next()?.kind == .rateLimitExceeded)
        harness.clock.advance(by: .seconds(60))
        #expect(try await harness.auth.rateLimit("login:alice", policy: .perMinute(3)).isAllowed)
    }

    @Test func rateLimitStatusChargesNothingAndResetRestoresTheQuota() async throws {
        let harness = try await Harness()
        let policies: [RateLimitPolicy] = [.perMinute(3)]
        #expect(try await harness.auth.rateLimit("login:bob", policies: policies).remaining == 2)
        for _ in 0..<3 {
            #expect(try await harness.auth.rateLimitStatus("login:bob", policies: policies).remaining == 2)
        }
        _ = try await harness.auth.rateLimit("login:bob", policies: policies)
        _ = try await harness.auth.rateLimit("login:bob", policies: policies)
        #expect(try await !harness.auth.rateLimitStatus("login:bob", policies: policies).isAllowed)
        try await harness.auth.resetRateLimit("login:bob")
        #expect(try await harness.auth.rateLimitStatus("login:bob", policies: policies).remaining == 3)
        #expect(try await harness.auth.rateLimit("login:bob", policies: policies).isAllowed)
    }

    @Test func invalidConfigurations() async throws {
        let key = try JWTKey.hs256(Harness.secret)
        let configurations = [
            AuthKitConfiguration(issuer: "", audience: "api", signingKeys: [key]),
            AuthKitConfiguration(issuer: "i", audience: "api", signingKeys: []),
            AuthKitConfiguration(issuer: "i", audience: "api", signingKeys: [key], accessTokenLifetime: .zero),
            AuthKitConfiguration(issuer: "i", audience: "api", signingKeys: [key], refreshTokenLifetime: .seconds(1)),
            AuthKitConfiguration(issuer: "i", audience: "api", signingKeys: [key], leeway: .seconds(600)),
            AuthKitConfiguration(issuer: "i", audience: "api", signingKeys: [key], keyPrefix: "{x}"),
            AuthKitConfiguration(
                issuer: "i",
                audience: "api",
                signingKeys: [key],
                permissionCache: PermissionCacheConfiguration(ttl: .zero)
            ),
            AuthKitConfiguration(
                issuer: "i",
                audience: "api",
                signingKeys: [key],
                permissionCache: PermissionCacheConfiguration(localTTL: .microseconds(500))
            ),
        ]
        for configuration in configurations {
            await expectError(.invalidConfiguration) { _ = try await AuthKit(configuration: configuration) }
        }
    }
}
