import AuthKitClock
import AuthKitTesting
import RedisClient
import Synchronization
import Testing
@_spi(TokenStoreImplementation) import TokenStore

@testable import AuthKitRedis

@Suite("RedisTokenStore")
struct RedisTokenStoreTests {
    @Test("conformance", arguments: TokenStoreConformance.checks)
    func conformance(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
        try await withRedis { client in
            let suite = TokenStoreConformance { clock in
                try RedisTokenStore(
                    client: client,
                    configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix()),
                    clock: clock
                )
            }
            try await check.run(suite)
        }
    }

    @Test("conformance with every access check run as the check script", arguments: TokenStoreConformance.checks)
    func conformanceByScript(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
        try await Self.conformance(check, reads: .script)
    }

    @Test("conformance with every access check read from the full records", arguments: TokenStoreConformance.checks)
    func conformanceByFullRecords(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
        try await Self.conformance(check, reads: .records)
    }

    private static func conformance(
        _ check: TokenStoreConformance.TokenStoreCheck,
        reads: AccessCheckReads
    ) async throws {
        try await withRedis { client in
            let suite = TokenStoreConformance { clock in
                try RedisTokenStore(
                    client: client,
                    configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix()),
                    clock: clock,
                    checkReads: reads
                )
            }
            try await check.run(suite)
        }
    }

    @Test(
        "user ids are encoded so none can leave its hash tag or key",
        arguments: ["42", "a}b", "a{b", "a:b", "a%b", "a\u{0}b", "é", "e\u{301}", "x y", "💥"]
    )
    func userIDEncoding(userID: String) {
        let encoded = RedisKeyComponent.encode(userID)
        #expect(!encoded.utf8.contains { [UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ":"), 0].contains($0) })
        #expect(encoded.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f })
        let base = RedisKeyspace(prefix: "authkit:").userBase(userID)
        #expect(base == "authkit:{u:\(encoded)}:")
    }

    @Test("the user-id encoding is injective")
    func encodingIsInjective() {
        let ids = ["a", "a%", "a%25", "%25", "é", "e\u{301}", "a\u{0}", "a", "A", "a ", "a%20"]
        let distinctBytes = Set(ids.map { Array($0.utf8) })
        let distinctEncodings = Set(ids.map(RedisKeyComponent.encode))
        #expect(distinctBytes.count == distinctEncodings.count)
        #expect(RedisKeyComponent.encode("42") == "42")
        #expect(RedisKeyComponent.encode("a}:{b") == "a%7D%3A%7Bb")
    }

    @Test("a key prefix that would move the hash tag is refused")
    func prefixValidation() async throws {
        try await withRedis { client in
            #expect(throws: TokenStoreError.self) {
                _ = try RedisTokenStore(
                    client: client,
                    configuration: RedisTokenStoreConfiguration(keyPrefix: "app{x}:")
                )
            }
            for margin: Duration in [.zero, .microseconds(999)] {
                #expect(throws: TokenStoreError.self) {
                    _ = try RedisTokenStore(
                        client: client,
                        configuration: RedisTokenStoreConfiguration(expiryMargin: margin)
                    )
                }
            }
        }
    }

    /// What an earlier version's prune by a fast clock could leave behind: a session hash, alive by a slower clock,
    /// without its entry in the user's index, so that ending the user's sessions could not find it. Such a session
    /// is never rotated or touched back into the index, and log-out-everywhere ends it through the epoch rule.
    @Test("a session missing from its user's index is not brought back, and log-out-everywhere ends it")
    func sessionsOutsideTheIndexStayEnded() async throws {
        try await withManualStore { client, prefix, clock, store in
            let index = RedisKeyspace(prefix: prefix).sessions("alice")
            let login = try await store.createSession(NewSession(userID: "alice"))
            let id = RedisArgument(login.session.id)
            try await client.send(["ZREM", index, id])
            clock.advance(by: .seconds(1))
            let outcome = try await store.rotate(refreshToken: login.refreshToken.text)
            guard case .invalid = outcome else {
                Issue.record("a session outside the index was rotated: \(outcome)")
                return
            }
            #expect(!(try await store.touchSession(userID: "alice", sessionID: login.session.id)))
            _ = try await store.check(
                AccessCheck(
                    userID: "alice",
                    jti: nil,
                    issuedAt: clock.now,
                    sessionID: login.session.id,
                    touchSession: true
                )
            )
            #expect(try await client.send(["ZSCORE", index, id]) == .null, "nothing put the session back in the index")
            #expect(try await store.sessions(userID: "alice").isEmpty)
            try await store.logOutEverywhere(userID: "alice", retention: .seconds(3_600))
            clock.advance(by: .seconds(1))
            let status = try await store.check(
                AccessCheck(userID: "alice", jti: nil, issuedAt: clock.now, sessionID: login.session.id)
            )
            #expect(status == .sessionEnded, "a session created before the epoch is ended, got \(status)")
        }
    }

    /// Durations reached the scripts as `seconds * 1000`, which trapped on an idle lifetime of `.seconds(.max)` (no
    /// idle limit): a crash on a configuration value. They now saturate (`Duration.ttl(in:)`), and the absolute
    /// lifetime bounds the session as it does in memory.
    @Test("an idle lifetime too long for milliseconds is bounded by the absolute lifetime, as in memory, not a trap")
    func idleLifetimeBeyondMilliseconds() async throws {
        try await withManualStore { _, _, clock, redis in
            let lifetime = SessionLifetime(absolute: .seconds(3_600), idle: .seconds(Int64.max))
            let memory = InMemoryTokenStore(clock: clock.timeSource)
            for store: any TokenStore in [redis, memory] {
                let login = try await store.createSession(NewSession(userID: "alice", lifetime: lifetime))
                #expect(login.session.expiresAt == login.session.absoluteExpiresAt, "\(store)")
                clock.advance(by: .seconds(3_000))
                let rotated = try await store.rotate(refreshToken: login.refreshToken.text)
                guard case .rotated(let grant) = rotated else {
                    Issue.record("\(store): a session inside its absolute lifetime was not rotated: \(rotated)")
                    return
                }
                clock.advance(by: .seconds(601))
                let late = try await store.rotate(refreshToken: grant.refreshToken.text)
                guard case .invalid = late else {
                    Issue.record("\(store): a session past its absolute lifetime was rotated: \(late)")
                    return
                }
            }
        }
    }

    /// Sessions per user were unbounded before the hard cap: 200,000 made ending them block Redis for a second.
    /// Every script now reads at most the cap's worth of a user's index, even one an earlier version let grow
    /// past it (counted by the server: `redis.call`s from scripts show in `INFO commandstats`).
    @Test("every script walks at most the session cap, even over an index that grew past it")
    func scriptsWalkAtMostTheCap() async throws {
        try await withManualStore { client, prefix, clock, store in
            let cap = TokenStoreLimits.maxSessionsPerUser
            let keys = RedisKeyspace(prefix: prefix)
            let created = RedisArgument(clock.now.milliseconds - 60_000)
            var writes: [[RedisArgument]] = []
            for index in 0..<(cap * 20) {
                let expires = RedisArgument(clock.now.milliseconds + 3_600_000 + Int64(index))
                let sessionID = RedisArgument("legacy\(index)")
                writes.append([
                    "HSET", keys.session("alice", "legacy\(index)"), "name", "old", "ip", "", "ua", "", "created",
                    created,
                    "seen", created, "exp", expires, "abs", expires, "idle", "3600000", "grace", "0", "cur", "x",
                ])
                writes.append(["ZADD", keys.sessions("alice"), expires, sessionID])
            }
            _ = try await client.pipeline(writes)
            func hashReads(_ body: () async throws -> Void) async throws -> Int {
                try await client.send("CONFIG", "RESETSTAT")
                try await body()
                let stats = try await client.send("INFO", "commandstats").string ?? ""
                let counts = Self.commandCounts(stats)
                return counts["hmget", default: 0] + counts["hget", default: 0]
            }
            var listed: [Session] = []
            let listing = try await hashReads { listed = try await store.sessions(userID: "alice") }
            #expect(listed.count <= cap, "\(listed.count) sessions listed")
            // Each walk reads at most `cap` session hashes, and the user's epoch (once or twice) besides.
            #expect(listing <= cap + 2, "listing read \(listing) hashes")
            let login = try await hashReads { _ = try await store.createSession(NewSession(userID: "alice")) }
            #expect(login <= 2 * cap + 2, "a login read \(login) hashes")
            var ended = 0
            let logout = try await hashReads {
                ended = try await store.logOutEverywhere(userID: "alice", retention: .seconds(3_600))
            }
            #expect(ended <= cap && logout <= cap + 2, "log out everywhere ended \(ended), read \(logout) hashes")
            clock.advance(by: .seconds(1))
            let beyond = AccessCheck(userID: "alice", jti: nil, issuedAt: clock.now, sessionID: "legacy\(cap * 20 - 1)")
            #expect(try await store.check(beyond) == .sessionEnded, "a session beyond the walk is ended by the epoch")
        }
    }

    /// The client's default reply caps are sized for AuthKit's own replies; the largest is one user's session list
    /// at the hard cap, every device field at its 512-byte limit (about 170 KB and 800 elements).
    @Test("the default reply caps hold AuthKit's largest reply: a full session list")
    func defaultCapsHoldAFullSessionList() async throws {
        try await withManualStore { client, _, _, store in
            let field = String(repeating: "é", count: 256)
            let device = DeviceInfo(name: field, ipAddress: field, userAgent: field)
            for _ in 0..<TokenStoreLimits.maxSessionsPerUser {
                _ = try await store.createSession(NewSession(userID: "alice", device: device))
            }
            let listed = try await store.sessions(userID: "alice")
            #expect(listed.count == TokenStoreLimits.maxSessionsPerUser)
            #expect(listed.allSatisfy { $0.device.userAgent.utf8.count == TokenStoreLimits.maxDeviceFieldBytes })
            let defaults = RedisConfiguration()
            #expect(client.configuration.maxReplyBytes == defaults.maxReplyBytes)
            #expect(client.configuration.maxReplyElements == defaults.maxReplyElements)
        }
    }

    @Test("an evicting maxmemory-policy is reported, and refused in strict mode")
    func memoryPolicy() async throws {
        try await withRedis { client in
            let relaxed = try RedisTokenStore(client: client)
            try await client.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
            let safe = try await relaxed.checkMemoryPolicy()
            #expect(safe.isSafe && safe.policy == "noeviction")
            try await client.send("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
            let unsafe = try await relaxed.checkMemoryPolicy()
            #expect(!unsafe.isSafe && unsafe.policy == "volatile-lru")
            #expect(unsafe.description.contains("volatile-lru"))
            let strict = RedisTokenStoreConfiguration(requireSafeMemoryPolicy: true)
            await #expect(throws: TokenStoreError.self) {
                _ = try await RedisTokenStore.start(client: client, configuration: strict)
            }
            try await client.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
            _ = try await RedisTokenStore.start(client: client, configuration: strict)
        }
    }

    @Test("when Redis is down every call fails closed with storeUnavailable")
    func failsClosed() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .seconds(1)
        configuration.connectTimeout = .seconds(1)
        let client = RedisClient(configuration: configuration)
        let store = try RedisTokenStore(client: client)
        let grant = try await store.createSession(NewSession(userID: "42"))
        await server.stop()
        let check = AccessCheck(userID: "42", jti: "j", issuedAt: UnixTime(seconds: 1), sessionID: grant.session.id)
        let error = await #expect(throws: TokenStoreError.self) {
            _ = try await store.check(check)
        }
        #expect(error?.code == .storeUnavailable)
        let rotateError = await #expect(throws: TokenStoreError.self) {
            _ = try await store.rotate(refreshToken: grant.refreshToken.text)
        }
        #expect(rotateError?.code == .storeUnavailable)
        await client.shutdown()
    }

    @Test("the authenticate check is one Redis command")
    func oneCommandPerCheck() async throws {
        try await withRedis { client in
            let store = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix())
            )
            let grant = try await store.createSession(NewSession(userID: "42"))
            let check = AccessCheck(
                userID: "42",
                jti: "j",
                issuedAt: UnixTime(seconds: 1),
                sessionID: grant.session.id,
                touchSession: true
            )
            _ = try await store.check(check)  // loads the script, so the counted calls are steady-state
            // Counted on both sides: what the store sent, and what the server ran at top level (commandstats
            // also counts the commands a script runs inside Redis, so only EVALSHA is read from it).
            try await client.send("CONFIG", "RESETSTAT")
            let before = store.commandsSent.load(ordering: .relaxed)
            for _ in 0..<100 {
                _ = try await store.check(check)
            }
            let sent = store.commandsSent.load(ordering: .relaxed) - before
            let stats = try #require(try await client.send("INFO", "commandstats").string)
            let evalsha = Self.commandCounts(stats)["evalsha"]
            #expect(sent == 100, "store calls per authenticate check: \(Double(sent) / 100)")
            #expect(evalsha == 100, "the server ran one script per check")
            print(
                "figure: Redis round trips per authenticate check = \(Double(sent) / 100) (EVALSHA calls seen by the server: \(evalsha ?? -1) for 100 checks)"
            )
        }
    }

    @Test("a denylist entry costs far less memory than keying by the token text")
    func denylistMemory() async throws {
        try await withManualStore { client, prefix, clock, store in
            let jti = "0f8c2b9e-6a3d-4c71-9b52-3e8d7a1f4c20"
            try await store.revoke(jti: jti, userID: "1234567", expiresAt: clock.now + .seconds(900))
            let key = try #require(try await keys(under: prefix, client).first)
            let ours = try #require(try await client.send(["MEMORY", "USAGE", RedisArgument(key)]).integer)
            // A typical HS256 access token with iss, sub, aud, exp, iat, nbf, jti, sid and a few custom claims.
            let tokenText =
                String(repeating: "x", count: 36) + "." + String(repeating: "y", count: 330) + "."
                + String(repeating: "z", count: 43)
            let textKey = "\(prefix)revoked-token:\(tokenText)"
            try await client.send(["SET", RedisArgument(textKey), "1", "PX", 900_000])
            let theirs = try #require(try await client.send(["MEMORY", "USAGE", RedisArgument(textKey)]).integer)
            print(
                "figure: MEMORY USAGE per denylisted jti = \(ours) B; keyed by the \(tokenText.utf8.count)-char token text = \(theirs) B"
            )
            #expect(ours * 3 < theirs)
        }
    }

    @Test("after a randomized workload every key has a TTL and none holds a refresh token")
    func randomizedWorkload() async throws {
        try await withManualStore { client, prefix, clock, store in
            var generator = SeededGenerator(seed: 0x5EED_1234)
            let users = (0..<12).map { $0 % 4 == 0 ? "user}{:\($0)é" : "user\($0)" }
            var live: [String: [String]] = [:]
            var tokens: [String: String] = [:]
            var issued: [String] = []
            var counts: [String: Int] = [:]
            for _ in 0..<3_000 {
                let user = users[Int(generator.next() % UInt64(users.count))]
                let roll = generator.next() % 100
                switch roll {
                case 0..<20:
                    let policy = SessionPolicy(maxSessions: 3, overflow: roll % 2 == 0 ? .evictOldest : .refuseNewLogin)
                    let lifetime = SessionLifetime(
                        absolute: .seconds(3_600),
                        idle: .seconds(600),
                        reuseGracePeriod: .seconds(Int64(roll % 3))
                    )
                    if let grant = try? await store.createSession(
                        NewSession(userID: user, lifetime: lifetime, policy: policy)
                    ) {
                        live[user, default: []].append(grant.session.id)
                        tokens[grant.session.id] = grant.refreshToken.text
                        issued.append(grant.refreshToken.text)
                    }
                case 20..<45:
                    if let sid = live[user]?.randomElement(using: &generator), let text = tokens[sid] {
                        if case .rotated(let grant) = try await store.rotate(refreshToken: text) {
                            issued.append(grant.refreshToken.text)
                            if generator.next() % 5 != 0 {
                                tokens[sid] = grant.refreshToken.text
                            }
                        }
                    }
                case 45..<65:
                    let exp = clock.now + .seconds(Int64(generator.next() % 1_200)) - .seconds(100)
                    try await store.revoke(jti: "j\(generator.next() % 500)", userID: user, expiresAt: exp)
                case 65..<85:
                    let sid = live[user]?.randomElement(using: &generator)
                    _ = try await store.check(
                        AccessCheck(
                            userID: user,
                            jti: "j\(generator.next() % 500)",
                            issuedAt: clock.now - .seconds(30),
                            sessionID: sid,
                            touchSession: roll % 2 == 0
                        )
                    )
                case 85..<90:
                    if let sid = live[user]?.randomElement(using: &generator) {
                        try await store.touchSession(userID: user, sessionID: sid)
                    }
                case 90..<94:
                    if let sid = live[user]?.randomElement(using: &generator) {
                        try await store.revokeSession(userID: user, sessionID: sid)
                    }
                case 94..<96:
                    try await store.revokeAllSessions(userID: user)
                case 96..<98:
                    try await store.logOutEverywhere(userID: user, retention: .seconds(900))
                default:
                    _ = try await store.sessions(userID: user)
                }
                counts[String(roll / 10), default: 0] += 1
                clock.advance(by: .milliseconds(Int64(generator.next() % 2_000)))
            }

            let found = try await keys(under: prefix, client)
            #expect(found.count > 50, "the workload left state behind to inspect")
            let secrets = Set(issued.map { Array($0.split(separator: ".")[3].utf8) })
            #expect(secrets.count == issued.count)
            var stored: [[UInt8]] = []
            for key in found {
                let ttl = try #require(try await client.send(["PTTL", RedisArgument(key)]).integer)
                #expect(ttl > 0, "key \(String(decoding: key, as: UTF8.self)) has no TTL (\(ttl))")
                stored.append(key)
                let type = try await client.send(["TYPE", RedisArgument(key)]).string
                switch type {
                case "string":
                    stored += [try await client.send(["GET", RedisArgument(key)]).bytes ?? []]
                case "hash":
                    stored += (try await client.send(["HGETALL", RedisArgument(key)]).array ?? []).compactMap(\.bytes)
                case "zset":
                    stored += (try await client.send(["ZRANGE", RedisArgument(key), 0, -1]).array ?? []).compactMap(
                        \.bytes
                    )
                default:
                    Issue.record("unexpected key type \(type ?? "nil")")
                }
            }
            let width = 43
            var leaks = 0
            for value in stored where value.count >= width {
                if value.indices.dropLast(width - 1).contains(where: {
                    secrets.contains(Array(value[$0..<($0 + width)]))
                }) {
                    leaks += 1
                }
                let text = String(decoding: value, as: UTF8.self)
                if text.contains("akr1.") {
                    leaks += 1
                }
            }
            #expect(leaks == 0, "\(leaks) stored values contain a refresh token or its secret")
            print(
                "figure: randomized workload of 3000 ops (\(counts)) left \(found.count) keys, all with a TTL; \(issued.count) refresh tokens issued, none stored"
            )
        }
    }

    static func commandCounts(_ stats: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in stats.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }
            guard let callsField = line.split(separator: ",").first(where: { $0.contains("calls=") }),
                let calls = Int(callsField.split(separator: "=").last ?? "")
            else {
                continue
            }
            counts[String(name)] = calls
        }
        return counts
    }
}

/// A fresh Redis, a store under a prefix of its own reading a manual clock, for the length of `body`.
func withManualStore(
    _ body: (RedisClient, String, ManualClock, RedisTokenStore) async throws -> Void
) async throws {
    try await withRedis { client in
        let prefix = uniquePrefix()
        let clock = ManualClock()
        let store = try RedisTokenStore(
            client: client,
            configuration: RedisTokenStoreConfiguration(keyPrefix: prefix),
            clock: clock.timeSource
        )
        try await body(client, prefix, clock, store)
    }
}
