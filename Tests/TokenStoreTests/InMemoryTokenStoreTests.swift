import AuthKitClock
import AuthKitTesting
import Testing
@_spi(TokenStoreImplementation) import TokenStore

@Suite("InMemoryTokenStore")
struct InMemoryTokenStoreTests {
    private static let suite = TokenStoreConformance { clock in InMemoryTokenStore(clock: clock) }

    @Test("conformance", arguments: TokenStoreConformance.checks)
    func conformance(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
        try await check.run(Self.suite)
    }

    @Test("expired entries are swept: memory is bounded by what is live")
    func sweepsExpiredEntries() async throws {
        let clock = ManualClock()
        let store = InMemoryTokenStore(clock: clock.timeSource)
        let short = SessionLifetime(absolute: .seconds(60))
        for index in 0..<3_000 {
            try await store.revoke(jti: "j\(index)", userID: "u\(index % 50)", expiresAt: clock.now + .seconds(60))
            if index % 10 == 0 {
                _ = try await store.createSession(NewSession(userID: "s\(index)", lifetime: short))
            }
        }
        try await store.logOutEverywhere(userID: "u0", retention: .seconds(60))
        #expect(store.entryCount == 3_000 + 300 + 1)

        clock.advance(by: .seconds(61) + TokenStoreLimits.revocationLeeway)
        for index in 0..<10 {
            try await store.revoke(jti: "live\(index)", userID: "fresh", expiresAt: clock.now + .seconds(600))
        }
        // Writes alone keep memory bounded: after as many writes as there are entries, a sweep has run.
        for _ in 0..<3_400 {
            try await store.revokeAllSessions(userID: "fresh")
        }
        #expect(store.entryCount == 10)
    }

    @Test("a reuse tombstone is kept only until the family would have ended")
    func tombstoneExpires() async throws {
        let clock = ManualClock()
        let store = InMemoryTokenStore(clock: clock.timeSource)
        let lifetime = SessionLifetime(absolute: .seconds(3_600), idle: .seconds(600))
        let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
        _ = try await store.rotate(refreshToken: login.refreshToken.text)
        _ = try await store.rotate(refreshToken: login.refreshToken.text)
        store.sweep()
        #expect(store.entryCount == 1)
        clock.advance(by: .seconds(600))
        store.sweep()
        #expect(store.entryCount == 0)
    }
}
