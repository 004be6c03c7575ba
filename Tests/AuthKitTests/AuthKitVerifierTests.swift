import AuthKitTesting
import Foundation
import Testing

@testable import AuthKit

/// Verify-only services: the issuer's public keys, the shared store, the issuer's rules, and no minting.
@Suite("AuthKitVerifier")
struct AuthKitVerifierTests {
    @Test func verifyOnlyServiceAuthenticatesTheIssuersTokens() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let pair = try await deployment.issuer.login(userID: "42", claims: ["role": "admin"])
        let principal = try await orders.authenticate(bearer: "Bearer \(pair.accessToken)")
        #expect(principal.userID == "42")
        #expect(principal.sessionID == pair.session.id)
        #expect(principal.claims["role"] == "admin")
        #expect(principal.tokenID != nil)
        #expect(!principal.isLegacy)
    }

    @Test func verifyOnlyServiceRefusesWhatTheIssuerEnded() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let phone = try await deployment.issuer.login(userID: "42")
        let laptop = try await deployment.issuer.login(userID: "42")
        let tablet = try await deployment.issuer.login(userID: "42")
        try await deployment.issuer.logout(accessToken: phone.accessToken)
        await expectAuthKitError(.tokenRevoked) { _ = try await orders.authenticate(token: phone.accessToken) }
        try await deployment.issuer.logout(sessionID: laptop.session.id, userID: "42")
        await expectAuthKitError(.sessionEnded) { _ = try await orders.authenticate(token: laptop.accessToken) }
        _ = try await orders.authenticate(token: tablet.accessToken)
        deployment.clock.advance(by: .seconds(2))
        try await deployment.issuer.logoutEverywhere(userID: "42")
        await expectAuthKitError(.tokenRevoked) { _ = try await orders.authenticate(token: tablet.accessToken) }
    }

    @Test func verifyOnlyServiceSharesRateLimitsAndPermissions() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        for _ in 0..<2 {
            #expect(try await deployment.issuer.rateLimit("api:42", policy: .perMinute(3)).isAllowed)
        }
        #expect(try await orders.rateLimit("api:42", policy: .perMinute(3)).isAllowed)
        #expect(!(try await orders.rateLimit("api:42", policy: .perMinute(3)).isAllowed))
        let load: @Sendable (String) async throws -> PermissionSet? = { _ in ["orders:read"] }
        try await orders.require("orders:read", of: "42", load: load)
        await expectAuthKitError(.forbidden) { try await orders.require("orders:refund", of: "42", load: load) }
    }

    @Test func issuerRefusesKeysThatCannotSign() async throws {
        let key = try JWTKey.generate(.es256, kid: "k")
        let error = await expectAuthKitError(.invalidConfiguration) {
            _ = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "i",
                    audience: "api",
                    signingKeys: [try key.publicKey()]
                )
            )
        }
        #expect(error?.message.contains("AuthKitVerifier") == true)
    }

    @Test func eachServiceAcceptsOnlyItsOwnAudience() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let billing = try await deployment.service("billing")
        let forOrders = try await deployment.issuer.login(userID: "42")
        _ = try await orders.authenticate(token: forOrders.accessToken)
        let error = await expectAuthKitError(.invalidToken) {
            _ = try await billing.authenticate(token: forOrders.accessToken)
        }
        #expect(error?.jwtCode == .invalidAudience)
    }

    @Test func oneSessionMintsForEveryRegisteredAudience() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let billing = try await deployment.service("billing")
        let login = try await deployment.issuer.login(userID: "42")
        let forBilling = try await deployment.issuer.refresh(login.refreshToken, audience: "billing")
        #expect(forBilling.session.id == login.session.id)
        let principal = try await billing.authenticate(token: forBilling.accessToken)
        #expect(principal.sessionID == login.session.id)
        #expect(principal.claims.audience == ["billing"])
        await expectAuthKitError(.invalidToken) { _ = try await orders.authenticate(token: forBilling.accessToken) }
        _ = try await orders.authenticate(token: login.accessToken)
        await expectAuthKitError(.invalidArgument) {
            _ = try await deployment.issuer.refresh(forBilling.refreshToken, audience: "payroll")
        }
        await expectAuthKitError(.invalidArgument) { _ = try await deployment.issuer.login(userID: "42", audience: "") }
        #expect(try await deployment.issuer.sessions(of: "42").count == 1)
        // A logout with the billing token ends the login, and with it the orders token.
        try await deployment.issuer.logout(accessToken: forBilling.accessToken)
        await expectAuthKitError(.tokenRevoked) { _ = try await billing.authenticate(token: forBilling.accessToken) }
        await expectAuthKitError(.sessionEnded) { _ = try await orders.authenticate(token: login.accessToken) }
    }

    @Test func reuseDetectionEndsEveryAudienceOfTheLogin() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let billing = try await deployment.service("billing")
        let login = try await deployment.issuer.login(userID: "42")
        let forBilling = try await deployment.issuer.refresh(login.refreshToken, audience: "billing")
        let forOrders = try await deployment.issuer.refresh(forBilling.refreshToken)
        await expectAuthKitError(.refreshTokenReused) { _ = try await deployment.issuer.refresh(login.refreshToken) }
        await expectAuthKitError(.sessionEnded) { _ = try await billing.authenticate(token: forBilling.accessToken) }
        await expectAuthKitError(.sessionEnded) { _ = try await orders.authenticate(token: forOrders.accessToken) }
    }

    @Test func sessionRevocationAndLogoutEverywhereEndEveryAudience() async throws {
        let deployment = try await Deployment()
        let orders = try await deployment.service("orders")
        let billing = try await deployment.service("billing")
        let first = try await deployment.issuer.login(userID: "42")
        let firstBilling = try await deployment.issuer.refresh(first.refreshToken, audience: "billing")
        try await deployment.issuer.logout(sessionID: first.session.id, userID: "42")
        await expectAuthKitError(.sessionEnded) { _ = try await orders.authenticate(token: first.accessToken) }
        await expectAuthKitError(.sessionEnded) { _ = try await billing.authenticate(token: firstBilling.accessToken) }

        let second = try await deployment.issuer.login(userID: "42")
        let secondBilling = try await deployment.issuer.refresh(second.refreshToken, audience: "billing")
        deployment.clock.advance(by: .seconds(1))
        #expect(try await deployment.issuer.logoutEverywhere(userID: "42") == 1)
        await expectAuthKitError(.tokenRevoked) { _ = try await orders.authenticate(token: second.accessToken) }
        await expectAuthKitError(.tokenRevoked) { _ = try await billing.authenticate(token: secondBilling.accessToken) }
        await expectAuthKitError(.invalidRefreshToken) {
            _ = try await deployment.issuer.refresh(secondBilling.refreshToken)
        }
    }

    @Test func singleSessionModeEndsEveryAudienceOfTheOlderLogin() async throws {
        let deployment = try await Deployment(sessionPolicy: .singleSession)
        let orders = try await deployment.service("orders")
        let billing = try await deployment.service("billing")
        let first = try await deployment.issuer.login(userID: "42")
        let firstBilling = try await deployment.issuer.refresh(first.refreshToken, audience: "billing")
        let second = try await deployment.issuer.login(userID: "42", audience: "billing")
        #expect(second.endedSessionIDs == [first.session.id])
        await expectAuthKitError(.sessionEnded) { _ = try await orders.authenticate(token: first.accessToken) }
        await expectAuthKitError(.sessionEnded) { _ = try await billing.authenticate(token: firstBilling.accessToken) }
        _ = try await billing.authenticate(token: second.accessToken)
    }

    @Test func requiredClaimsAndTokenTypeAreConfiguration() async throws {
        let deployment = try await Deployment()
        let now = UnixTime(seconds: deployment.clock.now.seconds)
        func token(type: String, sid: Bool, scope: Bool = false) throws -> String {
            var custom = JSONObject()
            if sid { custom["sid"] = "s" }
            if scope { custom["scope"] = "orders:read" }
            let claims = JWTClaims(
                issuer: Deployment.issuerName,
                subject: "42",
                audience: ["orders"],
                expiresAt: now + .seconds(60),
                issuedAt: now,
                id: "j",
                custom: custom
            )
            return try JWTSigner(key: deployment.signingKey, type: type).sign(claims)
        }
        let strict = try await deployment.service("orders")
        let withoutSession = try token(type: "at+jwt", sid: false)
        let missing = await expectAuthKitError(.invalidToken) {
            _ = try await strict.authenticate(token: withoutSession)
        }
        #expect(missing?.jwtCode == .missingClaim)
        let relaxed = try await deployment.service("orders") { $0.requiredClaims.remove("sid") }
        let principal = try await relaxed.authenticate(token: withoutSession)
        #expect(principal.sessionID == nil)

        let plainJWT = try token(type: "JWT", sid: false)
        let typed = await expectAuthKitError(.invalidToken) { _ = try await relaxed.authenticate(token: plainJWT) }
        #expect(typed?.jwtCode == .invalidType)
        let untyped = try await deployment.service("orders") {
            $0.requiredClaims.remove("sid")
            $0.accessTokenType = nil
        }
        _ = try await untyped.authenticate(token: plainJWT)

        let scoped = try await deployment.service("orders") {
            $0.requiredClaims.insert("scope")
            $0.requiredClaims.remove("sid")
        }
        let login = try await deployment.issuer.login(userID: "42")
        await expectAuthKitError(.invalidToken) { _ = try await scoped.authenticate(token: login.accessToken) }
        #expect(try await scoped.authenticate(token: try token(type: "at+jwt", sid: false, scope: true)).userID == "42")

        for dropped in ["sub", "iat", "exp"] {
            await expectAuthKitError(.invalidConfiguration, "dropping \(dropped)") {
                _ = try await deployment.service("orders") { $0.requiredClaims.remove(dropped) }
            }
        }
    }

    @Test func jwksFileServesItsKeys() async throws {
        let deployment = try await Deployment()
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/jwks.json"
            try deployment.publicKeys.publicJWKSString().write(toFile: path, atomically: true, encoding: .utf8)
            let orders = try await deployment.service("orders", keys: try .jwksFile(path))
            let login = try await deployment.issuer.login(userID: "42")
            #expect(try await orders.authenticate(token: login.accessToken).userID == "42")
            await expectAuthKitError(.invalidConfiguration) {
                _ = try VerificationKeys.jwksFile("\(directory)/none.json")
            }
            try "{\"keys\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
            await expectAuthKitError(.invalidConfiguration) { _ = try VerificationKeys.jwksFile(path) }
        }
    }

    /// RFC 7517 section 5: a key the reader does not understand is ignored. A file that also publishes an
    /// encryption key (as Keycloak's does) serves its signing keys; one with no usable key is refused at start.
    @Test func jwksFileSkipsKeysItCannotUse() async throws {
        let deployment = try await Deployment()
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/jwks.json"
            let encryptionKey = #"{"kty":"RSA","use":"enc","alg":"RSA-OAEP","kid":"enc-1","n":"AQAB","e":"AQAB"}"#
            let published = try deployment.publicKeys.publicJWKSString()
            let closing = try #require(published.range(of: "]", options: .backwards))
            let withEncryptionKey = published.replacingCharacters(in: closing, with: ",\(encryptionKey)]")
            try withEncryptionKey.write(toFile: path, atomically: true, encoding: .utf8)
            let orders = try await deployment.service("orders", keys: try .jwksFile(path))
            let login = try await deployment.issuer.login(userID: "42")
            #expect(try await orders.authenticate(token: login.accessToken).userID == "42")

            let onlyEncryption = "{\"keys\": [\(encryptionKey)]}"
            try onlyEncryption.write(toFile: path, atomically: true, encoding: .utf8)
            await expectAuthKitError(.invalidConfiguration) { _ = try VerificationKeys.jwksFile(path) }
        }
    }
}
