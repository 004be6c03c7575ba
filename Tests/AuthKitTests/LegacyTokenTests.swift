import AuthKitTesting
import MetricsTestKit
import Testing

@testable import AuthKit

/// Migration from vapor/jwt-kit: tokens without `jti`, `sid` or `typ` accepted until a cut-off, against the epoch.
@Suite("Legacy tokens")
struct LegacyTokenTests {
    /// The secret the app signed its jwt-kit tokens with.
    static let oldSecret = [UInt8](repeating: 0x6A, count: 32)
    static let cutoff = UnixTime(seconds: 1_767_225_600 + 7 * 86_400)

    static func policy() throws -> LegacyTokenPolicy {
        LegacyTokenPolicy(keys: try JWTKeySet([try JWTKey.hs256(oldSecret)]), acceptedUntil: cutoff)
    }

    /// A token as a jwt-kit app writes it: `typ: JWT`, `sub`, `exp`, and whatever else the app put in.
    static func jwtKitToken(
        _ clock: ManualClock,
        userID: String = "42",
        issuedAt: Bool = true,
        issuer: String? = nil,
        id: String? = nil,
        extra: JSONObject = JSONObject(),
        key: JWTKey? = nil
    ) throws -> String {
        let now = UnixTime(seconds: clock.now.seconds)
        var claims = JWTClaims(
            issuer: issuer,
            subject: userID,
            expiresAt: now + .seconds(86_400),
            id: id,
            custom: extra
        )
        if issuedAt { claims.issuedAt = now }
        return try JWTSigner(key: key ?? (try JWTKey.hs256(oldSecret)), type: "JWT").sign(claims)
    }

    /// An issuer and an `orders` service, both with the legacy policy; the service reports to `metrics`.
    static func ordersWithLegacyPolicy() async throws -> (Deployment, AuthKitVerifier, TestMetrics) {
        let metrics = TestMetrics()
        let deployment = try await Deployment(legacyTokens: try policy())
        let policy = try policy()
        let orders = try await deployment.service("orders", adjust: { $0.legacyTokens = policy }, metrics: metrics)
        return (deployment, orders, metrics)
    }

    @Test func legacyTokensPassBeforeTheCutoffAreCountedAndAreRefusedAfterIt() async throws {
        let (deployment, orders, metrics) = try await Self.ordersWithLegacyPolicy()
        let old = try Self.jwtKitToken(deployment.clock, extra: ["name": "Ada"])
        let principal = try await orders.authenticate(token: old)
        #expect(principal.isLegacy)
        #expect(principal.userID == "42")
        #expect(principal.sessionID == nil)
        #expect(principal.tokenID == nil)
        #expect(principal.claims["name"] == "Ada")
        _ = try await orders.authenticate(token: old)
        #expect(try metrics.expectCounter("authkit_legacy_tokens_total", [("result", "accepted")]).totalValue == 2)
        // The issuer accepts them the same way.
        #expect(try await deployment.issuer.authenticate(token: old).isLegacy)

        deployment.clock.set(to: Self.cutoff)
        let refused = await expectAuthKitError(.invalidToken) { _ = try await orders.authenticate(token: old) }
        #expect(refused?.jwtCode == .invalidType)
        await expectAuthKitError(.invalidToken) { _ = try await deployment.issuer.authenticate(token: old) }
        #expect(try metrics.expectCounter("authkit_legacy_tokens_total", [("result", "accepted")]).totalValue == 2)
    }

    @Test func logoutEverywhereEndsLegacyTokens() async throws {
        let (deployment, orders, metrics) = try await Self.ordersWithLegacyPolicy()
        let old = try Self.jwtKitToken(deployment.clock)
        let undated = try Self.jwtKitToken(deployment.clock, issuedAt: false)
        let otherUser = try Self.jwtKitToken(deployment.clock, userID: "7")
        _ = try await orders.authenticate(token: old)
        _ = try await orders.authenticate(token: undated)
        // In the same second as the tokens: a token without a session has nothing but the epoch to refuse it.
        deployment.clock.advance(by: .milliseconds(300))
        try await deployment.issuer.logoutEverywhere(userID: "42")
        await expectAuthKitError(.tokenRevoked) { _ = try await orders.authenticate(token: old) }
        await expectAuthKitError(.tokenRevoked) { _ = try await orders.authenticate(token: undated) }
        _ = try await orders.authenticate(token: otherUser)
        #expect(try metrics.expectCounter("authkit_legacy_tokens_total", [("result", "refused")]).totalValue == 2)
        // A token the old app mints after the logout (during a rolling switch) is accepted again.
        deployment.clock.advance(by: .seconds(1))
        _ = try await orders.authenticate(token: try Self.jwtKitToken(deployment.clock))
    }

    @Test func onlyTheNamedKeysAndTheirClaimsMakeALegacyToken() async throws {
        var policy = try Self.policy()
        policy.issuer = "https://old.example.com"
        let deployment = try await Deployment(legacyTokens: policy)
        let issuer = deployment.issuer
        let stranger = try JWTKey.hs256([UInt8](repeating: 0x01, count: 32))
        let forged = try Self.jwtKitToken(deployment.clock, issuer: "https://old.example.com", key: stranger)
        let byUnknownKey = await expectAuthKitError(.invalidToken) { _ = try await issuer.authenticate(token: forged) }
        #expect(byUnknownKey?.jwtCode == .invalidType)
        await expectAuthKitError(.invalidToken, "the legacy issuer is required") {
            _ = try await issuer.authenticate(token: try Self.jwtKitToken(deployment.clock))
        }
        _ = try await issuer.authenticate(
            token: try Self.jwtKitToken(deployment.clock, issuer: "https://old.example.com")
        )
        // A token with jti, sid and the access-token typ is a current token: the legacy policy never rescues it.
        let now = UnixTime(seconds: deployment.clock.now.seconds)
        let current = try JWTSigner(key: try JWTKey.hs256(Self.oldSecret), type: "at+jwt").sign(
            JWTClaims(
                issuer: "https://old.example.com",
                subject: "42",
                expiresAt: now + .seconds(60),
                issuedAt: now,
                id: "j",
                custom: ["sid": "s"]
            )
        )
        await expectAuthKitError(.invalidToken) { _ = try await issuer.authenticate(token: current) }
    }

    @Test func aLegacyTokenIsLoggedOutByItsJTIOrNotAtAll() async throws {
        let deployment = try await Deployment(legacyTokens: try Self.policy())
        let issuer = deployment.issuer
        let withID = try Self.jwtKitToken(deployment.clock, id: "old-1")
        _ = try await issuer.authenticate(token: withID)
        try await issuer.logout(accessToken: withID)
        await expectAuthKitError(.tokenRevoked) { _ = try await issuer.authenticate(token: withID) }
        let anonymous = try Self.jwtKitToken(deployment.clock)
        await expectAuthKitError(.invalidArgument) { try await issuer.logout(accessToken: anonymous) }
        _ = try await issuer.authenticate(token: anonymous)
    }
}
