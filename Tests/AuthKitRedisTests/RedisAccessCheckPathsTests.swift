import AuthKitClock
import AuthKitTesting
import RedisClient
import Synchronization
import Testing
import TokenStore

@testable import AuthKitRedis

/// The access check reads its records three ways — one `MGET` of the check keys (the default), the full records in
/// one pipeline (its fallback, and tokens without a session), and the check script (a check that touches the
/// session) — and judges them all by `AccessRecords.status`. These tests hold the three to the same answers over a
/// table of stored states and over a seeded workload of the real scripts, where the in-memory store is the
/// reference, and hold the script's touch guard (the one place Lua repeats the rules) to the Swift verdict.
@Suite("RedisTokenStore access check paths")
struct RedisAccessCheckPathsTests {
    private static let now = UnixTime(sinceEpoch: .seconds(1_700_000_000))
    private static let issuedAt = now - .seconds(60)

    /// One stored record, written as the scripts would write it (or left out).
    private enum Revocation: CaseIterable {
        case none, live, expired, endsNow
    }

    /// Where the epoch stands against the token's whole-second `iat`: the rule reads that second's end for a token
    /// with a session and its start for one without, so the cases straddle both.
    private enum Epoch: CaseIterable {
        case none, coversToken, sameInstant, laterInTheSameSecond, endOfTheSecond, olderThanToken, expired
    }

    /// A live session is also stored created before every epoch and at the instant of one (`sameInstant`): the
    /// session is then ended by the epoch rule. `previousLayout` is a live session as a version before the check
    /// keys wrote it: a hash without its `live:` key.
    private enum SessionRecord: CaseIterable {
        case none, live, liveCreatedEarly, liveCreatedAtCut, expired, endsNow, reuseTombstone, previousLayout
    }

    /// A store over `client` under `prefix` whose clock stands at ``now``.
    private static func store(
        _ client: RedisClient,
        prefix: String,
        reads: AccessCheckReads = .keys,
        clock: TimeSource = .fixed(now)
    ) throws -> RedisTokenStore {
        try RedisTokenStore(
            client: client,
            configuration: RedisTokenStoreConfiguration(keyPrefix: prefix),
            clock: clock,
            checkReads: reads
        )
    }

    @Test("the MGET, the full-record reads and the script give the same verdict for every stored state")
    func sameStatusForEveryState() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let store = try Self.store(client, prefix: prefix)
            var seen: Set<AccessStatus> = []
            var cases = 0
            var user = 0
            for revocation in Revocation.allCases {
                for epoch in Epoch.allCases {
                    for session in SessionRecord.allCases {
                        for hasJTI in [true, false] {
                            for hasSession in [true, false] {
                                user += 1
                                let userID = "user\(user)"
                                try await Self.store(revocation, epoch, session, userID: userID, keys, client)
                                let check = AccessCheck(
                                    userID: userID,
                                    jti: hasJTI ? "j" : nil,
                                    issuedAt: Self.issuedAt,
                                    sessionID: hasSession ? "s" : nil
                                )
                                let label = "\(revocation) \(epoch) \(session) jti: \(hasJTI) sid: \(hasSession)"
                                let verdict = try await Self.agreedVerdict(store, check, label: label)
                                #expect(try await store.check(check) == verdict, "\(label)")
                                try await Self.expectTouchGuard(store, check, verdict, keys, client, label: label)
                                seen.insert(verdict)
                                cases += 1
                            }
                        }
                    }
                }
            }
            #expect(cases == 4 * 7 * 8 * 4)
            #expect(seen == [.valid, .revoked, .predatesEpoch, .sessionEnded])
        }
    }

    @Test("a stored value that is not one AuthKit writes is corrupt on every path, never valid")
    func unparsableValuesFailClosed() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let store = try Self.store(client, prefix: prefix)
            let future = Self.now.milliseconds + 60_000
            let liveSession: [RedisArgument] = [
                "exp", RedisArgument(future), "created", RedisArgument(future - 90_000),
            ]
            // Each user's records are sound but for one value; the check keys say the session lives, so the MGET
            // path reads them, and the full records too, so the other paths do.
            let writes: [String: [[RedisArgument]]] = [
                "hash-epoch-text": [
                    ["HSET", keys.epoch("hash-epoch-text"), "at", "x", "until", RedisArgument(future)]
                ],
                "hash-epoch-half": [
                    ["HSET", keys.epoch("hash-epoch-half"), "at", RedisArgument(Self.now.milliseconds)]
                ],
                "hash-epoch-until": [["HSET", keys.epoch("hash-epoch-until"), "until", RedisArgument(future)]],
                "hash-exp-text": [["HSET", keys.session("hash-exp-text", "s"), "exp", "later", "created", "1"]],
                "hash-exp-space": [["HSET", keys.session("hash-exp-space", "s"), "exp", " 1", "created", "1"]],
                "hash-no-created": [["HSET", keys.session("hash-no-created", "s"), "exp", RedisArgument(future)]],
                "hash-reuse-zero": [["HSET", keys.session("hash-reuse-zero", "s")] + liveSession + ["reuse", "0"]],
                "hash-created-x": [
                    ["HSET", keys.session("hash-created-x", "s"), "exp", RedisArgument(future), "created", "x"]
                ],
                "hash-exp-float": [["HSET", keys.session("hash-exp-float", "s"), "exp", "1e20", "created", "1"]],
                "hash-exp-long": [
                    ["HSET", keys.session("hash-exp-long", "s"), "exp", "1234567890123456789", "created", "1"]
                ],
                "key-epoch-one": [["SET", keys.epochCut("key-epoch-one"), RedisArgument(future)]],
                "key-epoch-three": [["SET", keys.epochCut("key-epoch-three"), "1 2 3"]],
                "key-epoch-plus": [["SET", keys.epochCut("key-epoch-plus"), "+1 \(future)"]],
                "key-live-text": [["SET", keys.live("key-live-text", "s"), "later"]],
                "key-live-one": [["SET", keys.live("key-live-one", "s"), RedisArgument(future)]],
                "key-live-two-spaces": [["SET", keys.live("key-live-two-spaces", "s"), "\(future)  1"]],
                "key-live-hex": [["SET", keys.live("key-live-hex", "s"), "0x1F 1"]],
            ]
            for (userID, commands) in writes.sorted(by: { $0.key < $1.key }) {
                let byKeys = userID.hasPrefix("key-")
                if byKeys {
                    // The rest of the user's records, sound in both layouts.
                    try await client.send(["HSET", keys.session(userID, "s")] + liveSession)
                    if !userID.hasPrefix("key-live") {
                        try await client.send(["SET", keys.live(userID, "s"), "\(future) \(future - 90_000)"])
                    }
                } else if !userID.hasPrefix("hash-epoch") {
                    // A check key that says the session lives, so only the full records can be found corrupt.
                    try await client.send(["SET", keys.live(userID, "s"), "\(future) \(future - 90_000)"])
                } else {
                    try await client.send(["HSET", keys.session(userID, "s")] + liveSession)
                }
                for command in commands {
                    try await client.send(command)
                }
                let check = AccessCheck(userID: userID, jti: "j", issuedAt: Self.issuedAt, sessionID: "s")
                let paths: [(String, () async throws -> AccessStatus)] =
                    byKeys
                    ? [("keys", { try await store.keysCheck(check, sessionID: "s", now: Self.now) })]
                    : [
                        ("records", { try await store.recordsCheck(check, now: Self.now) }),
                        ("script", { try await store.scriptCheck(check, now: Self.now) }),
                        (
                            "script touching",
                            {
                                var touching = check
                                touching.touchSession = true
                                return try await store.scriptCheck(touching, now: Self.now)
                            }
                        ),
                    ]
                for (path, run) in paths {
                    let error = await #expect(throws: TokenStoreError.self, "\(userID) by \(path)") {
                        _ = try await run()
                    }
                    #expect(error?.code == .corruptRecord, "\(userID) by \(path)")
                }
                let seen = try await client.send(["HGET", keys.session(userID, "s"), "seen"])
                #expect(seen == .null, "\(userID): nothing was touched")
            }
        }
    }

    /// The three copies of the access check's rules disagreed here: the pipelined reads refused a denylist entry
    /// they could not parse as corrupt, while the check script (run when the check touches the session) read it as
    /// no entry at all and accepted the token. Before the fix, on a real redis-server: the script path accepted
    /// `soon`, `` (empty), `1e400` and `12 ` without an error, and the pipelined reads accepted `0x1F` (read as 31).
    @Test("a denylist entry that is not a number refuses the token on every path, touching or not")
    func unparsableDenylistEntryIsRefusedOnEveryPath() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let clock = ManualClock()
            let store = try Self.store(client, prefix: prefix, clock: clock.timeSource)
            for (index, value) in ["soon", "", "1e400", "12 ", "0x1F", "+5", "1.5"].enumerated() {
                let userID = "user\(index)"
                let login = try await store.createSession(NewSession(userID: userID))
                try await client.send(["SET", keys.revoked(userID, jti: "j"), RedisArgument(value)])
                for sessionID in [nil, login.session.id] {
                    for touch in [false, true] {
                        let check = AccessCheck(
                            userID: userID,
                            jti: "j",
                            issuedAt: clock.now,
                            sessionID: sessionID,
                            touchSession: touch
                        )
                        let label = "'\(value)' sid: \(sessionID != nil) touch: \(touch)"
                        let error = await #expect(throws: TokenStoreError.self, "\(label)") {
                            _ = try await store.check(check)
                        }
                        #expect(error?.code == .corruptRecord, "\(label)")
                    }
                }
            }
        }
    }

    /// The figure issue 20 asks for, by counting rather than timing: what the server ran for 100 default checks.
    @Test("the default check of a token with a session is one command: an MGET of the check keys")
    func defaultCheckIsOneCommand() async throws {
        try await withRedis { client in
            let store = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix())
            )
            let grant = try await store.createSession(NewSession(userID: "42"))
            let check = AccessCheck(userID: "42", jti: "j", issuedAt: UnixTime(seconds: 1), sessionID: grant.session.id)
            try await client.send("CONFIG", "RESETSTAT")
            let before = store.commandsSent.load(ordering: .relaxed)
            for _ in 0..<100 {
                #expect(try await store.check(check) == .valid)
            }
            let sent = store.commandsSent.load(ordering: .relaxed) - before
            let stats = try #require(try await client.send("INFO", "commandstats").string)
            let counts = RedisTokenStoreTests.commandCounts(stats).filter { name, _ in
                !name.hasPrefix("config") && !name.hasPrefix("info")
            }
            #expect(sent == 100, "store calls per check: \(Double(sent) / 100)")
            #expect(counts == ["mget": 100], "the server ran, for 100 checks: \(counts)")
            print("figure: Redis commands per default access check = \(Double(counts.values.reduce(0, +)) / 100)")
        }
    }

    @Test("every check path gives the in-memory store's verdict over a seeded workload of the real scripts")
    func pathsAgreeWithTheInMemoryStoreOverAWorkload() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let clock = ManualClock()
            let redis = try Self.store(client, prefix: prefix, clock: clock.timeSource)
            let memory = InMemoryTokenStore(clock: clock.timeSource)
            var workload = ParallelWorkload(redis: redis, memory: memory, clock: clock)
            var generator = SeededGenerator(seed: 0xC4EC_2020)
            var verdicts: [AccessStatus: Int] = [:]
            for _ in 0..<600 {
                let user = try await workload.step(&generator)
                for login in workload.logins.indices.filter({ workload.logins[$0].user == user }).suffix(6) {
                    for hasJTI in [true, false] {
                        let (byMemory, redisCheck) = workload.checks(of: login, withJTI: hasJTI)
                        let expected = try await memory.check(byMemory)
                        let sessionID = try #require(redisCheck.sessionID)
                        let now = clock.now
                        let label = "\(workload.logins[login]) jti: \(hasJTI) after \(workload.history.suffix(3))"
                        #expect(
                            try await redis.keysCheck(redisCheck, sessionID: sessionID, now: now) == expected,
                            "\(label)"
                        )
                        #expect(try await redis.recordsCheck(redisCheck, now: now) == expected, "\(label)")
                        #expect(try await redis.scriptCheck(redisCheck, now: now) == expected, "\(label)")
                        verdicts[expected, default: 0] += 1
                    }
                    try await Self.expectCheckKeysInStep(workload.logins[login], keys, client)
                }
                try await Self.expectEpochKeyInStep(user, keys, client)
            }
            #expect(Set(verdicts.keys) == [.valid, .revoked, .predatesEpoch, .sessionEnded], "\(verdicts)")
            print("figure: seeded workload of 600 operations; verdicts compared on 4 paths: \(verdicts)")
        }
    }

    /// The verdict of the three read paths (touching nothing), which must agree; a path that throws gives the error
    /// code in its place, so a disagreement shows either way.
    private static func agreedVerdict(
        _ store: RedisTokenStore,
        _ check: AccessCheck,
        label: String
    ) async throws -> AccessStatus {
        let byScript = try await store.scriptCheck(check, now: now)
        let byRecords = try await store.recordsCheck(check, now: now)
        #expect(byRecords == byScript, "full records against the script: \(label)")
        if let sessionID = check.sessionID {
            let byKeys = try await store.keysCheck(check, sessionID: sessionID, now: now)
            #expect(byKeys == byScript, "check keys against the script: \(label)")
        }
        return byScript
    }

    /// A check that touches the session runs the script, which must answer `verdict` and touch the session exactly
    /// when that verdict is `valid` for a token with a session (every stored session is in its user's index).
    private static func expectTouchGuard(
        _ store: RedisTokenStore,
        _ check: AccessCheck,
        _ verdict: AccessStatus,
        _ keys: RedisKeyspace,
        _ client: RedisClient,
        label: String
    ) async throws {
        var touching = check
        touching.touchSession = true
        let session = keys.session(check.userID, "s")
        let seenBefore = try await client.send(["HGET", session, "seen"])
        #expect(try await store.scriptCheck(touching, now: now) == verdict, "touching: \(label)")
        let seenAfter = try await client.send(["HGET", session, "seen"])
        let touched = seenAfter != seenBefore
        #expect(touched == (verdict == .valid && check.sessionID != nil), "touched: \(touched), \(label)")
        if touched {
            let live = try await client.send(["GET", keys.live(check.userID, "s")]).string
            let fields = try await client.send(["HMGET", session, "exp", "created"]).array?.compactMap(\.string)
            #expect(live == fields?.joined(separator: " "), "the touch wrote the check key: \(label)")
        }
    }

    /// The check key of a login's session says what its hash says: present exactly while the hash is there and not
    /// a reuse tombstone, holding its `exp` and `created`.
    private static func expectCheckKeysInStep(
        _ login: ParallelWorkload.Login,
        _ keys: RedisKeyspace,
        _ client: RedisClient
    ) async throws {
        let hash = try await client.send([
            "HMGET", keys.session(login.user, login.redisSessionID), "exp", "created", "reuse",
        ])
        let fields = hash.array?.map(\.string) ?? []
        let live = try await client.send(["GET", keys.live(login.user, login.redisSessionID)]).string
        if fields.count == 3, let expires = fields[0], let created = fields[1], fields[2] == nil {
            #expect(live == "\(expires) \(created)", "\(login): the check key follows the session hash")
        } else {
            #expect(live == nil, "\(login): no check key without a live session hash (\(fields))")
        }
    }

    /// The epoch's check key says what its hash says.
    private static func expectEpochKeyInStep(_ user: String, _ keys: RedisKeyspace, _ client: RedisClient) async throws
    {
        let hash = try await client.send(["HMGET", keys.epoch(user), "at", "until"]).array?.map(\.string) ?? []
        let key = try await client.send(["GET", keys.epochCut(user)]).string
        if hash.count == 2, let at = hash[0], let until = hash[1] {
            #expect(key == "\(at) \(until)", "\(user): the epoch's check key follows its hash")
        } else {
            #expect(key == nil, "\(user): no epoch check key without the epoch hash")
        }
    }

    private static func store(
        _ revocation: Revocation,
        _ epoch: Epoch,
        _ session: SessionRecord,
        userID: String,
        _ keys: RedisKeyspace,
        _ client: RedisClient
    ) async throws {
        let now = now.milliseconds
        let iat = issuedAt.milliseconds
        switch revocation {
        case .none: break
        case .live: try await client.send(["SET", keys.revoked(userID, jti: "j"), RedisArgument(now + 60_000)])
        case .expired: try await client.send(["SET", keys.revoked(userID, jti: "j"), RedisArgument(now - 1)])
        case .endsNow: try await client.send(["SET", keys.revoked(userID, jti: "j"), RedisArgument(now)])
        }
        let epochFields: (at: Int64, until: Int64)? =
            switch epoch {
            case .none: nil
            case .coversToken: (now - 1_000, now + 60_000)
            case .sameInstant: (iat, now + 60_000)
            case .laterInTheSameSecond: (iat + 500, now + 60_000)
            case .endOfTheSecond: (iat + 999, now + 60_000)
            case .olderThanToken: (iat - 1, now + 60_000)
            case .expired: (now - 1_000, now)
            }
        if let epochFields {
            try await client.send([
                "HSET", keys.epoch(userID), "at", RedisArgument(epochFields.at), "until",
                RedisArgument(epochFields.until),
            ])
            try await client.send(["SET", keys.epochCut(userID), "\(epochFields.at) \(epochFields.until)"])
        }
        let fields: (expires: Int64, created: Int64, tombstone: Bool)? =
            switch session {
            case .none: nil
            case .live, .previousLayout: (now + 60_000, now - 10, false)
            case .liveCreatedEarly: (now + 60_000, iat - 5_000, false)
            case .liveCreatedAtCut: (now + 60_000, iat, false)
            case .expired: (now - 1, now - 10, false)
            case .endsNow: (now, now - 10, false)
            case .reuseTombstone: (now + 60_000, now - 10, true)
            }
        guard let fields else { return }
        let hash = keys.session(userID, "s")
        try await client.send([
            "HSET", hash, "exp", RedisArgument(fields.expires), "created", RedisArgument(fields.created), "seen",
            RedisArgument(fields.created), "abs", RedisArgument(now + 3_600_000), "idle", "600000",
        ])
        try await client.send(["ZADD", keys.sessions(userID), RedisArgument(fields.expires), "s"])
        if fields.tombstone {
            try await client.send(["HSET", hash, "reuse", "1"])
        } else if session != .previousLayout {
            try await client.send(["SET", keys.live(userID, "s"), "\(fields.expires) \(fields.created)"])
        }
    }
}
