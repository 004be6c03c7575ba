import AuthKit
import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import RedisClient
import Synchronization
import Testing
import TokenStore

@testable import AuthKitRedis

/// Upgrading from data layout 1 (AuthKit before the one-command access check): the full records are unchanged, and
/// the check keys (`live:<sid>`, `epoch-cut`) are new. Records written by layout 1 are the same records without the
/// check keys and without a session's login claims (the `claims` field, which a rotation reads as none), which is how
/// these tests make them: state written by this version, then every check key and `claims` field deleted.
@Suite("RedisTokenStore upgrade from data layout 1")
struct RedisLayoutUpgradeTests {
    /// The fields of a session hash as layout 1 wrote them, before and after its first rotation: the upgrade
    /// relies on this version writing the same full records.
    private static let layout1SessionFields: Set<String> = [
        "name", "ip", "ua", "created", "seen", "exp", "abs", "idle", "grace", "cur",
    ]
    private static let layout1RotatedFields = layout1SessionFields.union(["prev", "rot", "old"])

    @Test(
        "tokens of sessions created before the upgrade keep every verdict, and a refresh or touch makes them one command"
    )
    func previousLayoutKeepsEveryVerdict() async throws {
        try await withManualStore { client, prefix, clock, store in
            var tokens: [(name: String, check: AccessCheck, verdict: AccessStatus)] = []
            func token(_ name: String, _ user: String, session: String?, jti: String, _ verdict: AccessStatus) {
                let check = AccessCheck(userID: user, jti: jti, issuedAt: clock.now, sessionID: session)
                tokens.append((name, check, verdict))
            }
            let alice = try await store.createSession(NewSession(userID: "alice"))
            let alicePhone = try await store.createSession(NewSession(userID: "alice"))
            token("alice, live", "alice", session: alice.session.id, jti: "a1", .valid)
            token("alice's phone, live", "alice", session: alicePhone.session.id, jti: "a2", .valid)
            let bob = try await store.createSession(NewSession(userID: "bob"))
            token("bob, logged out everywhere", "bob", session: bob.session.id, jti: "b1", .predatesEpoch)
            let carol = try await store.createSession(NewSession(userID: "carol"))
            token("carol, session revoked", "carol", session: carol.session.id, jti: "c1", .sessionEnded)
            let dave = try await store.createSession(NewSession(userID: "dave"))
            token("dave, jti denylisted", "dave", session: dave.session.id, jti: "d1", .revoked)
            let frank = try await store.createSession(NewSession(userID: "frank"))
            token("frank, refresh token reused", "frank", session: frank.session.id, jti: "f1", .sessionEnded)
            token("erin, no session, logged out everywhere", "erin", session: nil, jti: "e1", .predatesEpoch)
            clock.advance(by: .seconds(2))
            try await store.logOutEverywhere(userID: "bob", retention: .seconds(3_600))
            try await store.logOutEverywhere(userID: "erin", retention: .seconds(3_600))
            try await store.revokeSession(userID: "carol", sessionID: carol.session.id)
            try await store.revoke(jti: "d1", userID: "dave", expiresAt: clock.now + .seconds(900))
            _ = try await store.rotate(refreshToken: frank.refreshToken.text)
            #expect(try await store.rotate(refreshToken: frank.refreshToken.text).isReuse)
            clock.advance(by: .seconds(2))
            let bobAgain = try await store.createSession(NewSession(userID: "bob"))
            token("bob, logged in again", "bob", session: bobAgain.session.id, jti: "b2", .valid)
            token("erin, no session, issued after the epoch", "erin", session: nil, jti: "e2", .valid)
            clock.advance(by: .seconds(2))
            for token in tokens {
                #expect(try await store.check(token.check) == token.verdict, "\(token.name), before the upgrade")
            }

            let removed = try await Self.removeCheckKeys(prefix, client)
            #expect(removed.count == 6, "the four live sessions' keys and the two epochs' keys: \(removed)")
            let aliceKey = RedisKeyspace(prefix: prefix).session("alice", alice.session.id)
            let fields = try await client.send(["HKEYS", aliceKey])
            #expect(Set(fields.array?.compactMap(\.string) ?? []) == Self.layout1SessionFields)

            for token in tokens {
                let before = store.commandsSent.load(ordering: .relaxed)
                #expect(try await store.check(token.check) == token.verdict, "\(token.name), after the upgrade")
                let calls = store.commandsSent.load(ordering: .relaxed) - before
                // A token with a session: the MGET, then (no check key) the full records, unless the MGET already
                // refuses it. A token without a session reads the full records alone.
                let expected = token.check.sessionID == nil || token.verdict == .revoked ? 1 : 2
                #expect(calls == expected, "\(token.name): \(calls) calls")
            }

            // Alice refreshes: her session gets its check key, and her next token costs one command.
            guard case .rotated = try await store.rotate(refreshToken: alice.refreshToken.text) else {
                Issue.record("alice's session was not rotated after the upgrade")
                return
            }
            let rotatedFields = try await client.send(["HKEYS", aliceKey])
            #expect(Set(rotatedFields.array?.compactMap(\.string) ?? []) == Self.layout1RotatedFields)
            // Her phone only touches its session (a check that touches it, or touchSession): the same.
            _ = try await store.touchSession(userID: "alice", sessionID: alicePhone.session.id)
            for session in [alice.session.id, alicePhone.session.id] {
                let fresh = AccessCheck(userID: "alice", jti: "a3", issuedAt: clock.now, sessionID: session)
                try await client.send("CONFIG", "RESETSTAT")
                #expect(try await store.check(fresh) == .valid)
                let stats = try #require(try await client.send("INFO", "commandstats").string)
                let counts = RedisTokenStoreTests.commandCounts(stats).filter { name, _ in
                    !name.hasPrefix("config") && !name.hasPrefix("info")
                }
                #expect(counts == ["mget": 1], "after the refresh or touch: \(counts)")
            }
        }
    }

    /// During a rolling upgrade, a process of the previous version ends sessions without deleting their check keys.
    /// `previousVersionWritesUntil` sends the tokens issued until then to the full records, which every version keeps.
    @Test("during a rolling upgrade, sessions ended by a previous-version process are refused at once")
    func rollingUpgradeReadsTheFullRecords() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let clock = ManualClock()
            let rolloutEnds = clock.now + .seconds(600)
            let store = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: prefix, previousVersionWritesUntil: rolloutEnds),
                clock: clock.timeSource
            )
            let plain = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: prefix),
                clock: clock.timeSource
            )
            // Logins on a process of this version (so the check keys exist), then the previous version's process
            // ends one session (its revokeSession: DEL of the hash, ZREM from the index) and logs another user out
            // everywhere (its endSessions: the epoch hash, the sessions' hashes deleted).
            let ann = try await store.createSession(NewSession(userID: "ann"))
            let ben = try await store.createSession(NewSession(userID: "ben"))
            let issued = clock.now
            clock.advance(by: .seconds(5))
            try await client.send(["DEL", keys.session("ann", ann.session.id)])
            try await client.send(["ZREM", keys.sessions("ann"), RedisArgument(ann.session.id)])
            let at = RedisArgument(clock.now.milliseconds)
            try await client.send([
                "HSET", keys.epoch("ben"), "at", at, "until", RedisArgument(clock.now.milliseconds + 3_600_000),
            ])
            try await client.send(["DEL", keys.session("ben", ben.session.id)])
            try await client.send(["ZREM", keys.sessions("ben"), RedisArgument(ben.session.id)])
            let annToken = AccessCheck(userID: "ann", jti: "a", issuedAt: issued, sessionID: ann.session.id)
            let benToken = AccessCheck(userID: "ben", jti: "b", issuedAt: issued, sessionID: ben.session.id)
            #expect(try await store.check(annToken) == .sessionEnded)
            #expect(try await store.check(benToken) == .predatesEpoch)
            // Without the setting the check keys, which that process did not delete, still say the sessions live:
            // the window the setting closes (until these access tokens expire).
            #expect(try await plain.check(annToken) == .valid)
            #expect(try await plain.check(benToken) == .valid)

            // Tokens issued after the instant are read with one command.
            clock.set(to: rolloutEnds + .seconds(1))
            let later = try await store.createSession(NewSession(userID: "ann"))
            let laterToken = AccessCheck(userID: "ann", jti: "c", issuedAt: clock.now, sessionID: later.session.id)
            let before = store.commandsSent.load(ordering: .relaxed)
            #expect(try await store.check(laterToken) == .valid)
            #expect(store.commandsSent.load(ordering: .relaxed) - before == 1)
            let early = AccessCheck(userID: "ann", jti: "c", issuedAt: rolloutEnds, sessionID: later.session.id)
            try await client.send("CONFIG", "RESETSTAT")
            #expect(try await store.check(early) == .valid)
            let stats = try #require(try await client.send("INFO", "commandstats").string)
            let counts = RedisTokenStoreTests.commandCounts(stats)
            #expect(counts["mget"] == nil && counts["hmget"] == 2, "a token issued at the instant: full records")
        }
    }

    @Test("the facade's Redis store takes previousVersionWritesUntil")
    func facadeTakesTheRollingUpgradeInstant() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let key = try JWTKey.hs256([UInt8](repeating: 0x20, count: 32), kid: "k1")
            let configuration = AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [key],
                keyPrefix: prefix
            )
            let upgrading = try await AuthKit(
                configuration: configuration,
                store: .redis(client: client, previousVersionWritesUntil: UnixTime(seconds: 4_000_000_000))
            )
            let plain = try await AuthKit(configuration: configuration, store: .redis(client: client))
            let login = try await upgrading.login(userID: "ann")
            // A process of the previous version revokes the session: the hash and its index entry, not the check key.
            let keys = RedisKeyspace(prefix: prefix)
            try await client.send(["DEL", keys.session("ann", login.session.id)])
            try await client.send(["ZREM", keys.sessions("ann"), RedisArgument(login.session.id)])
            let refused = await authKitErrorCode { _ = try await upgrading.authenticate(token: login.accessToken) }
            #expect(refused == .sessionEnded)
            #expect(try await plain.authenticate(token: login.accessToken).userID == "ann")
        }
    }

    /// Deletes every check key under `prefix` (what layout 1 never wrote); returns their names.
    private static func removeCheckKeys(_ prefix: String, _ client: RedisClient) async throws -> [String] {
        let names = try await keys(under: prefix, client).map { String(decoding: $0, as: UTF8.self) }
        let checkKeys = names.filter { $0.contains("}:live:") || $0.hasSuffix("}:epoch-cut") }
        for name in checkKeys {
            try await client.send(["DEL", RedisArgument(name)])
        }
        for name in names where name.contains("}:session:") {
            try await client.send(["HDEL", RedisArgument(name), "claims"])
        }
        return checkKeys
    }
}

extension RefreshOutcome {
    fileprivate var isReuse: Bool {
        if case .reuseDetected = self { return true }
        return false
    }
}
