import AuthKit
import AuthKitRedis
import AuthKitTesting
import RedisClient
import Testing

/// Identifiers an attacker can choose or forge, through the facade and the Redis store: user ids that try to
/// leave their hash tag or key, and refresh tokens that carry someone else's session id.
@Suite("Hostile identifiers over Redis")
struct HostileIdentifierTests {
    /// Swift strings are always valid Unicode, so bytes that are not UTF-8 reach AuthKit as U+FFFD, the way
    /// `String(decoding:as:)` turns them; the byte string itself can never name another user's keys.
    static let hostileUserIDs: [String] = [
        "a", "a}", "a{", "{a}", "a:b", "a}:{b", "{u:a}", "a\u{0}", "a\u{0}b", "\u{0}", "é", "e\u{301}",
        String(decoding: [0x61, 0xFF, 0xFE], as: UTF8.self), "a*", "a?", "a\\", "a\r\nSET x 1", "💥",
    ]

    private func makeAuth(_ client: RedisClient, prefix: String) async throws -> AuthKit {
        try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256([UInt8](repeating: 0x33, count: 32), kid: "k")],
                keyPrefix: prefix
            ),
            store: .redis(client: client)
        )
    }

    private func code(_ body: () async throws -> Void) async -> AuthKitError.Code? {
        await authKitErrorCode(body)
    }

    @Test("user ids with braces, colons, NUL and non-ASCII stay in their own keys")
    func hostileUserIDsAreIsolated() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let auth = try await makeAuth(client, prefix: prefix)
            // Indexed, not keyed by the id: Swift's String equality is canonical equivalence ("é" == "e\u{301}"),
            // while AuthKit compares user ids byte for byte, as Redis does.
            var pairs: [TokenPair] = []
            for userID in Self.hostileUserIDs {
                pairs.append(try await auth.login(userID: userID))
            }
            for (index, userID) in Self.hostileUserIDs.enumerated() {
                let pair = pairs[index]
                let principal = try await auth.authenticate(token: pair.accessToken)
                #expect(Array(principal.userID.utf8) == Array(userID.utf8))
                #expect(
                    try await auth.sessions(of: userID).map(\.id) == [pair.session.id],
                    "\(userID.debugDescription)"
                )
                let next = try await auth.refresh(pair.refreshToken)
                #expect(Array(next.session.userID.utf8) == Array(userID.utf8))
                pairs[index] = next
            }

            // Every key carries exactly one hash tag, and no key holds a raw NUL, brace or non-ASCII byte of an id.
            let all = try await keys(under: prefix, client)
            #expect(!all.isEmpty)
            for key in all {
                let text = String(decoding: key, as: UTF8.self)
                #expect(key.filter { $0 == UInt8(ascii: "{") }.count == 1, "\(text)")
                #expect(key.filter { $0 == UInt8(ascii: "}") }.count == 1, "\(text)")
                #expect(key.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(text)")
            }

            // Logging one of them out everywhere touches no other, not even the ids it is a prefix or variant of.
            #expect(try await auth.logoutEverywhere(userID: "a\u{0}") == 1)
            for (index, userID) in Self.hostileUserIDs.enumerated() {
                let pair = pairs[index]
                let result = await code { _ = try await auth.authenticate(token: pair.accessToken) }
                if Array(userID.utf8) == Array("a\u{0}".utf8) {
                    #expect(result == .tokenRevoked || result == .sessionEnded)
                } else {
                    #expect(result == nil, "\(userID.debugDescription) was affected: \(String(describing: result))")
                }
            }
            await auth.shutdown()
        }
    }

    @Test("a refresh token forged with another user's session id is invalid and harms nobody")
    func forgedSessionIDsInRefreshTokens() async throws {
        try await withRedis { client in
            let auth = try await makeAuth(client, prefix: uniquePrefix())
            let victim = try await auth.login(userID: "victim")
            let attacker = try await auth.login(userID: "attacker")
            let attackerParts = attacker.refreshToken.split(separator: ".").map(String.init)
            let victimParts = victim.refreshToken.split(separator: ".").map(String.init)
            let forgeries = [
                // the victim's routing parts with a random secret
                [
                    victimParts[0], victimParts[1], victimParts[2],
                    Base64URL.encode([UInt8](repeating: 0x41, count: 32)),
                ],
                // the victim's session id with the attacker's own (valid) secret
                [attackerParts[0], victimParts[1], victimParts[2], attackerParts[3]],
                // the attacker's user with the victim's session id
                [attackerParts[0], attackerParts[1], victimParts[2], attackerParts[3]],
                // the victim's user with the attacker's session id and secret
                [attackerParts[0], victimParts[1], attackerParts[2], attackerParts[3]],
                // a session id that was never issued
                [victimParts[0], victimParts[1], Base64URL.encode([UInt8](repeating: 7, count: 16)), victimParts[3]],
            ]
            for forged in forgeries {
                let result = await code { _ = try await auth.refresh(forged.joined(separator: ".")) }
                #expect(result == .invalidRefreshToken, "\(forged) gave \(String(describing: result))")
            }
            // No forgery counted as reuse: both logins still refresh, and their access tokens still work.
            _ = try await auth.authenticate(token: victim.accessToken)
            _ = try await auth.authenticate(token: attacker.accessToken)
            #expect(try await auth.refresh(victim.refreshToken).session.id == victim.session.id)
            #expect(try await auth.refresh(attacker.refreshToken).session.id == attacker.session.id)
            await auth.shutdown()
        }
    }
}
