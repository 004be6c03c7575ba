import AuthKit
import Foundation
import Synchronization
import Testing

/// The README's quick start, line for line (in memory instead of Redis), so the README cannot rot.
@Suite("README quick start")
struct QuickStartTests {
    @Test func quickStartRuns() async throws {
        let ip = "203.0.113.7"
        let db = Database()
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.generate(.es256, kid: "2026-11")],
                accessTokenLifetime: .seconds(15 * 60),
                refreshTokenLifetime: .seconds(7 * 86_400)
            ),
            store: .inMemory()
        )

        let pair = try await auth.login(userID: "42", device: DeviceInfo(name: "Pixel 9", ipAddress: ip))
        let authorizationHeader = "Bearer \(pair.accessToken)"
        let user = try await auth.authenticate(bearer: authorizationHeader)
        let fresh = try await auth.refresh(pair.refreshToken)
        try await auth.logout(accessToken: fresh.accessToken)
        try await auth.logoutEverywhere(userID: "42")
        let perms = try await auth.permissions(for: "42") { id in try await db.permissions(id) }
        let limit = try await auth.rateLimit("api:42", policy: .perMinute(600))

        #expect(user.userID == "42")
        #expect(perms.contains("orders:read"))
        #expect(limit.isAllowed && limit.remaining == 599)
        await #expect(throws: AuthKitError.self) { _ = try await auth.authenticate(token: fresh.accessToken) }
        #expect(try UnverifiedJWTDecoder.decode(pair.accessToken).header["alg"] == "ES256")
    }

    /// The README's "Many services, one login", in memory, with the JWKS fetched from the issuer directly.
    @Test func manyServicesRuns() async throws {
        try await withTemporaryDirectory { keyDirectory in
            let key = try JWTKey.generate(.es256, kid: "2026-11")
            try key.pem(includePrivate: true).write(
                toFile: "\(keyDirectory)/2026-11.pem",
                atomically: true,
                encoding: .utf8
            )
            try #"{"current": "2026-11"}"#.write(
                toFile: "\(keyDirectory)/keyring.json",
                atomically: true,
                encoding: .utf8
            )
            let store = AuthKitStore.inMemory()
            let auth = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "https://login.example.com",
                    audience: "account",
                    registeredAudiences: ["orders", "billing"],
                    signingKeys: .directory(keyDirectory)
                ),
                store: store
            )
            let pair = try await auth.login(userID: "42", audience: "orders")
            let billingToken = try await auth.refresh(pair.refreshToken, audience: "billing")

            let orders = try await AuthKitVerifier(
                configuration: AuthKitVerifierConfiguration(
                    issuer: "https://login.example.com",
                    audiences: ["orders"],
                    keys: .remote(RemoteJWKS { auth.publicJWKS() })
                ),
                store: store
            )
            let authorizationHeader = "Bearer \(pair.accessToken)"
            let user = try await orders.authenticate(bearer: authorizationHeader)

            #expect(user.userID == "42")
            await #expect(throws: AuthKitError.self) {
                _ = try await orders.authenticate(token: billingToken.accessToken)
            }
            try await auth.logout(accessToken: billingToken.accessToken)
            await #expect(throws: AuthKitError.self) { _ = try await orders.authenticate(bearer: authorizationHeader) }
        }
    }

    private struct Database: Sendable {
        func permissions(_ id: String) async throws -> PermissionSet? { ["orders:read"] }
    }
}
