import AuthKitClock
import AuthKitTesting
import RedisClient
import Synchronization
import Testing
import TokenStore

@testable import AuthKitRedis

/// The read-only access check has two implementations: the check script, and its reads in one pipeline with the
/// script's rules applied in Swift. These tests hold them to the same answers over a table of stored states.
@Suite("RedisTokenStore access check paths")
struct RedisAccessCheckPathsTests {
    private static let now = UnixTime(sinceEpoch: .seconds(1_700_000_000))
    private static let issuedAt = now - .seconds(60)

    /// One stored record, written as the scripts would write it (or left out).
    private enum Revocation: CaseIterable {
        case none, live, expired, endsNow
    }

    /// A store over `client` under `prefix` whose clock stands at ``now``.
    private static func store(_ client: RedisClient, prefix: String) throws -> RedisTokenStore {
        try RedisTokenStore(
            client: client,
            configuration: RedisTokenStoreConfiguration(keyPrefix: prefix),
            clock: .fixed(now)
        )
    }

    /// Where the epoch stands against the token's whole-second `iat`: the rule reads that second's end for a token
    /// with a session and its start for one without, so the cases straddle both.
    private enum Epoch: CaseIterable {
        case none, coversToken, sameInstant, laterInTheSameSecond, endOfTheSecond, olderThanToken, expired
    }

    /// A live session is also stored created before every epoch and at the instant of one (`sameInstant`): the
    /// session is then ended by the epoch rule.
    private enum SessionRecord: CaseIterable {
        case none, live, liveCreatedEarly, liveCreatedAtCut, expired, endsNow, reuseTombstone, notReused
    }

    @Test("the pipelined reads and the script give the same status for every stored state")
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
                                let byScript = try await store.scriptCheck(check, now: Self.now)
                                let pipelined = try await store.pipelinedCheck(check, now: Self.now)
                                #expect(
                                    pipelined == byScript,
                                    "\(revocation) \(epoch) \(session) jti: \(hasJTI) sid: \(hasSession)"
                                )
                                #expect(try await store.check(check) == pipelined)
                                seen.insert(byScript)
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

    @Test("a stored value that is not a number is corrupt on the pipelined path, never valid")
    func unparsableValuesFailClosed() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let keys = RedisKeyspace(prefix: prefix)
            let store = try Self.store(client, prefix: prefix)
            let future = RedisArgument(Self.now.milliseconds + 60_000)
            let writes: [(String, [RedisArgument])] = [
                ("a", ["SET", keys.revoked("a", jti: "j"), "soon"]),
                ("b", ["SET", keys.revoked("b", jti: "j"), "inf"]),
                ("c", ["HSET", keys.epoch("c"), "at", "x", "until", future]),
                ("d", ["HSET", keys.epoch("d"), "at", RedisArgument(Self.now.milliseconds)]),
                ("e", ["HSET", keys.session("e", "s"), "exp", "later"]),
                ("f", ["HSET", keys.session("f", "s"), "exp", " 1"]),
                ("g", ["HSET", keys.session("g", "s"), "exp", future, "created", "x"]),
            ]
            let epoch: [RedisArgument] = [
                "HSET", keys.epoch("g"), "at", RedisArgument(Self.issuedAt.milliseconds - 10),
            ]
            try await client.send(epoch + ["until", future])
            for (userID, command) in writes {
                try await client.send(command)
                let check = AccessCheck(userID: userID, jti: "j", issuedAt: Self.issuedAt, sessionID: "s")
                let error = await #expect(throws: TokenStoreError.self, "\(command)") {
                    _ = try await store.pipelinedCheck(check, now: Self.now)
                }
                #expect(error?.code == .corruptRecord, "\(command)")
            }
        }
    }

    @Test("a check without a session touch is one pipelined round trip: no script, three plain reads")
    func readOnlyCheckIsOnePipeline() async throws {
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
            let counts = RedisTokenStoreTests.commandCounts(stats)
            #expect(sent == 100, "store calls per read-only check: \(Double(sent) / 100)")
            #expect(counts["evalsha", default: 0] == 0)
            #expect(counts["get", default: 0] == 100)
            #expect(counts["hmget", default: 0] == 200)
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
        }
        let late: [RedisArgument] = ["created", RedisArgument(now - 10)]
        let sessionFields: [RedisArgument]? =
            switch session {
            case .none: nil
            case .live: ["exp", RedisArgument(now + 60_000)] + late
            case .liveCreatedEarly: ["exp", RedisArgument(now + 60_000), "created", RedisArgument(iat - 5_000)]
            case .liveCreatedAtCut: ["exp", RedisArgument(now + 60_000), "created", RedisArgument(iat)]
            case .expired: ["exp", RedisArgument(now - 1)] + late
            case .endsNow: ["exp", RedisArgument(now)] + late
            case .reuseTombstone: ["exp", RedisArgument(now + 60_000), "reuse", "1"] + late
            case .notReused: ["exp", RedisArgument(now + 60_000), "reuse", "0"] + late
            }
        if let sessionFields {
            try await client.send(["HSET", keys.session(userID, "s")] + sessionFields)
        }
    }
}
