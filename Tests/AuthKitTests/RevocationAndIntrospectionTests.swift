import AuthKit
import AuthKitTesting
import Testing
@_spi(TokenStoreImplementation) import TokenStore

/// `AuthKit.revoke(token:hint:)` (RFC 7009) and `introspect(_:hint:)` (RFC 7662) on the facade.
@Suite("Revocation and introspection")
struct RevocationAndIntrospectionTests {
    @Test(arguments: [nil, TokenTypeHint.accessToken, .refreshToken])
    func revokingAnAccessTokenDenylistsItOnly(hint: TokenTypeHint?) async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        let revoked = try await harness.auth.revoke(token: pair.accessToken, hint: hint)
        let jti = try #require(try Self.jti(pair.accessToken))
        #expect(revoked == .accessToken(userID: "alice", tokenID: jti))
        await #expect(throws: AuthKitError.self) { _ = try await harness.auth.authenticate(token: pair.accessToken) }
        // The session lives on: the refresh token still mints a working access token.
        let next = try await harness.auth.refresh(pair.refreshToken)
        #expect(try await harness.auth.authenticate(token: next.accessToken).userID == "alice")
    }

    @Test(arguments: [nil, TokenTypeHint.accessToken, .refreshToken])
    func revokingARefreshTokenEndsTheLogin(hint: TokenTypeHint?) async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        let other = try await harness.auth.login(userID: "alice")
        let revoked = try await harness.auth.revoke(token: pair.refreshToken, hint: hint)
        #expect(revoked == .session(userID: "alice", sessionID: pair.session.id))
        await #expect(throws: AuthKitError.self) { _ = try await harness.auth.refresh(pair.refreshToken) }
        // Every access token of that login goes with it (RFC 7009 §2.1), the user's other logins stay.
        await #expect(throws: AuthKitError.self) { _ = try await harness.auth.authenticate(token: pair.accessToken) }
        #expect(try await harness.auth.authenticate(token: other.accessToken).userID == "alice")
        // Revoking again is no error: there is nothing left to revoke.
        #expect(try await harness.auth.revoke(token: pair.refreshToken) == nil)
    }

    @Test func nothingToRevokeIsNoError() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        for token in ["", "garbage", "a.b.c", "akr1.x.y.z", pair.accessToken + "x"] {
            #expect(try await harness.auth.revoke(token: token) == nil)
        }
        // A refresh token with the right user and session but a secret the family never issued revokes nothing.
        let forged = RefreshToken.issue(userID: "alice", sessionID: pair.session.id)
        #expect(try await harness.auth.revoke(token: forged.text, hint: .refreshToken) == nil)
        #expect(try await harness.auth.authenticate(token: pair.accessToken).userID == "alice")
        // An expired access token has nothing left to revoke.
        harness.clock.advance(by: .seconds(16 * 60))
        #expect(try await harness.auth.revoke(token: pair.accessToken) == nil)
        // A rotated (retired) refresh token revokes nothing, and is not taken as reuse either.
        let fresh = try await harness.auth.login(userID: "bob")
        let next = try await harness.auth.refresh(fresh.refreshToken)
        #expect(try await harness.auth.revoke(token: fresh.refreshToken) == nil)
        #expect(try await harness.auth.authenticate(token: next.accessToken).userID == "bob")
    }

    @Test func revocationFailsClosedWhenTheStoreIsDown() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        harness.tokens.setFailing(true)
        for token in [pair.accessToken, pair.refreshToken] {
            let error = await #expect(throws: AuthKitError.self) { try await harness.auth.revoke(token: token) }
            #expect(error?.code == .storeUnavailable)
        }
    }

    @Test func introspectingAnAccessToken() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice", claims: ["tenant": "acme"])
        let answer = try await harness.auth.introspect(pair.accessToken)
        #expect(answer.isActive && answer.tokenType == .accessToken)
        #expect(answer.userID == "alice" && answer.sessionID == pair.session.id)
        #expect(answer.issuer == "https://api.example.com" && answer.audience == ["api"])
        #expect(answer.expiresAt == pair.accessTokenExpiresAt)
        #expect(answer.claims["tenant"] == "acme" && answer.claims["sid"] == nil)
        let json = answer.jsonObject
        #expect(json["active"] == true && json["token_type"] == "Bearer" && json["sub"] == "alice")
        #expect(json["tenant"] == "acme" && json["sid"] == .string(pair.session.id))
        // A wrong hint costs nothing.
        #expect(try await harness.auth.introspect(pair.accessToken, hint: .refreshToken).isActive)
        // Introspection is not use: the session's last-seen stays.
        let session = try #require(try await harness.auth.sessions(of: "alice").first)
        #expect(session.lastSeenAt == pair.session.lastSeenAt)
    }

    @Test func introspectingARefreshToken() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice", claims: ["tenant": "acme"])
        for hint in [nil, TokenTypeHint.refreshToken, .accessToken] {
            let answer = try await harness.auth.introspect(pair.refreshToken, hint: hint)
            #expect(answer.isActive && answer.tokenType == .refreshToken)
            #expect(answer.userID == "alice" && answer.sessionID == pair.session.id)
            #expect(answer.claims["tenant"] == "acme")
            #expect(answer.jsonObject["token_type"] == "refresh_token")
        }
        // Introspection consumed nothing: the token still rotates once, then is retired.
        _ = try await harness.auth.refresh(pair.refreshToken)
        #expect(try await harness.auth.introspect(pair.refreshToken) == .inactive)
    }

    @Test func inactiveTokensSayNothingMore() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        let logout = try await harness.auth.login(userID: "alice")
        try await harness.auth.logout(accessToken: logout.accessToken)
        for token in ["", "garbage", pair.accessToken + "x", logout.accessToken, logout.refreshToken] {
            let answer = try await harness.auth.introspect(token)
            #expect(answer == .inactive)
            #expect(answer.jsonObject == ["active": false])
        }
        harness.clock.advance(by: .seconds(16 * 60))
        #expect(try await harness.auth.introspect(pair.accessToken) == .inactive)
    }

    @Test func introspectionFailsClosedWhenTheStoreIsDown() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        harness.tokens.setFailing(true)
        for token in [pair.accessToken, pair.refreshToken] {
            let error = await #expect(throws: AuthKitError.self) { try await harness.auth.introspect(token) }
            #expect(error?.code == .storeUnavailable)
        }
    }

    @Test func logoutOfAPrincipal() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice")
        let principal = try await harness.auth.authenticate(token: pair.accessToken)
        try await harness.auth.logout(principal)
        await #expect(throws: AuthKitError.self) { _ = try await harness.auth.authenticate(token: pair.accessToken) }
        await #expect(throws: AuthKitError.self) { _ = try await harness.auth.refresh(pair.refreshToken) }
    }

    static func jti(_ token: String) throws -> String? {
        try UnverifiedJWTDecoder.decode(token).payload["jti"]?.stringValue
    }
}
