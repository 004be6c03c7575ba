import AuthKit
import AuthKitTesting
import Testing
@_spi(TokenStoreImplementation) import TokenStore

/// Claims given at login live with the session and go into every access token a refresh mints.
@Suite("Claims kept with the session")
struct SessionClaimsTests {
    @Test func loginClaimsSurviveEveryRefresh() async throws {
        let harness = try await Harness()
        let claims: JSONObject = ["tenant": "acme", "roles": ["buyer", "seller"], "level": 3]
        var pair = try await harness.auth.login(userID: "alice", claims: claims)
        for _ in 0..<3 {
            let principal = try await harness.auth.authenticate(token: pair.accessToken)
            #expect(principal.claims["tenant"] == "acme")
            #expect(principal.claims["roles"] == ["buyer", "seller"])
            #expect(principal.claims["level"] == 3)
            pair = try await harness.auth.refresh(pair.refreshToken)
        }
    }

    @Test func claimsGivenAtRefreshWinForThatTokenOnly() async throws {
        let harness = try await Harness()
        let pair = try await harness.auth.login(userID: "alice", claims: ["tenant": "acme", "mode": "user"])
        let elevated = try await harness.auth.refresh(pair.refreshToken, claims: ["mode": "admin"])
        let first = try await harness.auth.authenticate(token: elevated.accessToken)
        #expect(first.claims["mode"] == "admin" && first.claims["tenant"] == "acme")
        let plain = try await harness.auth.refresh(elevated.refreshToken)
        #expect(try await harness.auth.authenticate(token: plain.accessToken).claims["mode"] == "user")
    }

    @Test(arguments: ["sub", "iss", "aud", "exp", "nbf", "iat", "jti", "sid"])
    func reservedNamesAreRefusedBeforeAnythingIsWritten(name: String) async throws {
        let harness = try await Harness()
        let error = await #expect(throws: AuthKitError.self) {
            _ = try await harness.auth.login(userID: "alice", claims: [name: "x"])
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await harness.auth.sessions(of: "alice").isEmpty)
    }

    @Test func claimsOverTheSizeLimitAreRefused() async throws {
        let harness = try await Harness()
        let big: JSONObject = ["blob": .string(String(repeating: "x", count: TokenStoreLimits.maxSessionClaimsBytes))]
        let error = await #expect(throws: AuthKitError.self) {
            _ = try await harness.auth.login(userID: "alice", claims: big)
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await harness.auth.sessions(of: "alice").isEmpty)
        let fits: JSONObject = ["blob": .string(String(repeating: "x", count: 1_000))]
        let pair = try await harness.auth.login(userID: "alice", claims: fits)
        let next = try await harness.auth.refresh(pair.refreshToken)
        #expect(try await harness.auth.authenticate(token: next.accessToken).claims["blob"] == fits["blob"])
    }
}
