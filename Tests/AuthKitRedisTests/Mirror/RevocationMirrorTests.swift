import AuthKit
import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// The mirror on real redis-servers, in real time: another instance's revocations reach it, a rebuild at start reads
/// every revocation before the mirror answers, a feed it cannot reach sends the checks to the store within the bound,
/// and with Redis gone authentication fails closed.
@Suite("Revocation mirror on Redis", .serialized)
struct RevocationMirrorTests {
    private static let key: JWTKey? = try? JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "m1")

    /// A token of `userID` without a session, issued now and living ten minutes.
    private static func token(_ jti: String, userID: String = "ann") -> (check: AccessCheck, expiresAt: UnixTime) {
        let issued = UnixTime(seconds: TimeSource.system.now().seconds)
        return (AccessCheck(userID: userID, jti: jti, issuedAt: issued, sessionID: nil), issued + .seconds(600))
    }

    /// Runs `mirror` for the length of `body`, once it answers checks.
    private static func running<T>(
        _ mirror: RedisRevocationMirror,
        _ body: () async throws -> T
    ) async throws -> T {
        let runner = Task { try await mirror.run() }
        defer { runner.cancel() }
        let probe = token("probe", userID: "nobody")
        let answering = try await TestTiming.eventually(limit: .seconds(30)) {
            mirror.verdict(for: probe.check, expiresAt: probe.expiresAt) == .status(.valid)
        }
        try #require(answering, "the mirror never answered")
        return try await body()
    }

    /// A policy whose clock margin is zero, with the feed begun at least one whole second before the tokens the test
    /// issues, so that they are not referred as issued before the feed.
    private static func policy(pollInterval: Duration = .milliseconds(10)) -> RevocationMirrorPolicy {
        RevocationMirrorPolicy(stalenessBound: .seconds(1), clockMargin: .zero, pollInterval: pollInterval)
    }

    /// A store on `writer` and a mirror of it on `reader`, under a new prefix, with the feed begun.
    private static func storeAndMirror(
        writer: RedisClient,
        reader: RedisClient
    ) async throws -> (RedisTokenStore, RedisRevocationMirror) {
        let prefix = uniquePrefix()
        let store = try RedisTokenStore(client: writer, configuration: RedisTokenStoreConfiguration(keyPrefix: prefix))
        try await beginFeed(writer, prefix: prefix)
        return (store, try RevocationMirrorFixture.mirror(reader, prefix: prefix, policy: policy()))
    }

    private static func beginFeed(_ client: RedisClient, prefix: String) async throws {
        let first = try RevocationMirrorFixture.mirror(client, prefix: prefix, policy: policy())
        #expect(try await first.poll() == .began)
        let began = TimeSource.system.now()
        try await Task.sleep(for: .milliseconds(1000 - began.milliseconds % 1000 + 5))
    }

    @Test("a revocation on one instance is refused by another's mirror within the bound, over 1,000 revocations")
    func revocationsReachAnotherInstance() async throws {
        try await withRedisURL { url in
            try await withClient(url: url) { writer in
                try await withClient(url: url) { reader in
                    let (store, mirror) = try await Self.storeAndMirror(writer: writer, reader: reader)
                    let count = TestTiming.scale > 1 ? 200 : 1000
                    var latencies: [Duration] = []
                    var lateAcceptances = 0
                    try await Self.running(mirror) {
                        for index in 0..<count {
                            let token = Self.token("j\(index)")
                            #expect(try await store.revoke(jti: "j\(index)", userID: "ann", expiresAt: token.expiresAt))
                            let acknowledged = ContinuousClock.now
                            let refused = try await TestTiming.eventually(every: .milliseconds(1)) {
                                let verdict = mirror.verdict(for: token.check, expiresAt: token.expiresAt)
                                let waited = acknowledged.duration(to: .now)
                                if verdict == .status(.valid), waited > mirror.policy.stalenessBound {
                                    lateAcceptances += 1
                                }
                                guard verdict == .status(.revoked) else { return false }
                                latencies.append(waited)
                                return true
                            }
                            #expect(refused, "revocation \(index) never reached the mirror")
                        }
                    }
                    #expect(lateAcceptances == 0, "a revoked token was accepted past the staleness bound")
                    #expect(latencies.count == count)
                    let sorted = latencies.sorted()
                    let p50 = sorted[sorted.count / 2]
                    let p99 = sorted[sorted.count * 99 / 100]
                    print(
                        "figure: mirror propagation over \(count) revocations, poll interval 10 ms: "
                            + "p50 \(p50), p99 \(p99), max \(sorted.last ?? .zero) from the writer's acknowledgement"
                    )
                }
            }
        }
    }

    @Test("a mirror started after 100,000 revocations refuses every one of them before it answers a check")
    func rebuildAtStart() async throws {
        try await withRedis { client in
            let prefix = uniquePrefix()
            let store = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: prefix)
            )
            try await Self.beginFeed(client, prefix: prefix)
            let count = TestTiming.scale > 1 ? 20_000 : 100_000
            let tokens = (0..<count).map { Self.token("r\($0)", userID: "u\($0 % 1000)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<32 {
                    group.addTask {
                        for index in stride(from: worker, to: count, by: 32) {
                            let token = tokens[index]
                            _ = try await store.revoke(
                                jti: token.check.jti ?? "",
                                userID: token.check.userID,
                                expiresAt: token.expiresAt
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let mirror = try RevocationMirrorFixture.mirror(client, prefix: prefix, policy: Self.policy())
            let started = ContinuousClock.now
            var polls = 0
            var answeredEarly = 0
            while try await mirror.poll() != .caughtUp {
                polls += 1
                let sample = tokens[polls * 7919 % count]
                if case .status = mirror.verdict(for: sample.check, expiresAt: sample.expiresAt) {
                    answeredEarly += 1
                }
            }
            let rebuilt = started.duration(to: .now)
            #expect(answeredEarly == 0, "the mirror answered before it had read the whole feed")
            #expect(polls >= count / mirror.batch)
            let refused = tokens.filter { mirror.verdict(for: $0.check, expiresAt: $0.expiresAt) == .status(.revoked) }
            #expect(refused.count == count)
            print(
                "figure: mirror rebuild of \(count) revocations: \(rebuilt) in \(polls + 1) polls, \(mirror.count) facts"
            )
        }
    }

    @Test("a black-holed feed sends checks to the store within the bound, and the mirror answers again once caught up")
    func blackHoledFeedFallsBack() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        let proxy = try FaultProxy.start(upstreamPort: server.port)
        var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: proxy.port))
        configuration.commandTimeout = TestTiming.scaled(.milliseconds(300))
        configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
        let reader = RedisClient(configuration: configuration)
        try await withClient(url: server.url) { writer in
            let (store, mirror) = try await Self.storeAndMirror(writer: writer, reader: reader)
            try await Self.running(mirror) {
                let token = Self.token("cut-off")
                proxy.mode = .blackHole
                let blackHoled = ContinuousClock.now
                #expect(try await store.revoke(jti: "cut-off", userID: "ann", expiresAt: token.expiresAt))
                var lateAcceptances = 0
                let referred = try await TestTiming.eventually(every: .milliseconds(2)) {
                    let verdict = mirror.verdict(for: token.check, expiresAt: token.expiresAt)
                    if verdict == .status(.valid), blackHoled.duration(to: .now) > mirror.policy.stalenessBound {
                        lateAcceptances += 1
                    }
                    return verdict == .refer(.stale)
                }
                #expect(referred, "the mirror kept answering with its feed black-holed")
                #expect(lateAcceptances == 0)
                proxy.mode = .pass
                let caughtUp = try await TestTiming.eventually(limit: .seconds(30)) {
                    mirror.verdict(for: token.check, expiresAt: token.expiresAt) == .status(.revoked)
                }
                #expect(caughtUp, "the mirror did not answer again after the feed came back")
            }
        }
        await reader.shutdown()
        await proxy.stop()
    }

    @Test("with coalesced session touches the mirror still answers, and sessions slide off the request path")
    func coalescedTouchesWithTheMirror() async throws {
        try await withRedisURL { url in
            let prefix = uniquePrefix()
            let service = try await Self.instance(
                url,
                prefix: prefix,
                mirror: true,
                touch: .coalesced(interval: .seconds(60))
            )
            let runner = Task { try await service.run() }
            defer { runner.cancel() }
            let probe = try RedisClient(url: url)
            let began = try await TestTiming.eventually(limit: .seconds(30)) {
                try await probe.send(["EXISTS", RedisArgument(prefix + "feed")]).integer == 1
            }
            try #require(began, "the mirror did not begin the feed")
            try await Task.sleep(for: .milliseconds(2100))
            let pair = try await service.login(userID: "carol")
            try await Task.sleep(for: .milliseconds(5))  // a touch in the login's millisecond would not show as a slide
            let served = try await TestTiming.eventually(limit: .seconds(30)) {
                let before = try await Self.checkReads(probe)
                _ = try await service.authenticate(token: pair.accessToken)
                return try await Self.checkReads(probe) == before
            }
            #expect(served, "authenticate kept reading the store")
            let slid = try await TestTiming.eventually(limit: .seconds(30)) {
                let session = try await service.sessions(of: "carol").first
                return (session?.lastSeenAt ?? pair.session.lastSeenAt) > pair.session.lastSeenAt
            }
            #expect(slid, "the session was never touched")
            runner.cancel()
            await probe.shutdown()
            await service.shutdown()
        }
    }

    private static func instance(
        _ url: String,
        prefix: String,
        mirror: Bool,
        touch: SessionTouch = .off
    ) async throws -> AuthKit {
        var configuration = AuthKitConfiguration(
            issuer: "https://api.example.com",
            audience: "api",
            signingKeys: [try #require(Self.key)],
            keyPrefix: prefix
        )
        configuration.revocationMirror = mirror ? RevocationMirrorPolicy(pollInterval: .milliseconds(20)) : nil
        configuration.sessionTouch = touch
        return try await AuthKit(configuration: configuration, store: .redis(url: url))
    }

    @Test("through the facade: no Redis command per authenticate, a logout elsewhere refused, Redis gone fails closed")
    func facadeServesFromTheMirror() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        let prefix = uniquePrefix()
        let issuer = try await Self.instance(server.url, prefix: prefix, mirror: false)
        let service = try await Self.instance(server.url, prefix: prefix, mirror: true)
        let runner = Task { try await service.run() }
        defer { runner.cancel() }
        // The service's mirror begins the feed; tokens issued in that second (plus the margin) go to the store.
        let probe = try RedisClient(url: server.url)
        let began = try await TestTiming.eventually(limit: .seconds(30)) {
            try await probe.send(["EXISTS", RedisArgument(prefix + "feed")]).integer == 1
        }
        try #require(began, "the service's mirror did not begin the feed")
        try await Task.sleep(for: .milliseconds(2100))
        let pair = try await issuer.login(userID: "alice")
        let served = try await TestTiming.eventually(limit: .seconds(30)) {
            let before = try await Self.checkReads(probe)
            _ = try await service.authenticate(token: pair.accessToken)
            return try await Self.checkReads(probe) == before
        }
        #expect(served, "authenticate kept reading the store")
        let before = try await Self.checkReads(probe)
        for _ in 0..<200 {
            _ = try await service.authenticate(token: pair.accessToken)
        }
        #expect(try await Self.checkReads(probe) == before, "authenticate read the store with the mirror current")

        try await issuer.logout(accessToken: pair.accessToken)
        let refused = try await TestTiming.eventually {
            await authKitErrorCode { _ = try await service.authenticate(token: pair.accessToken) } == .tokenRevoked
        }
        #expect(refused, "the logout on the issuer did not reach the service")

        let other = try await issuer.login(userID: "bob")
        await probe.shutdown()
        await server.stop()
        let failedClosed = try await TestTiming.eventually(limit: .seconds(30)) {
            await authKitErrorCode { _ = try await service.authenticate(token: other.accessToken) } == .storeUnavailable
        }
        #expect(failedClosed, "with Redis gone authenticate did not fail closed")
        runner.cancel()
        await service.shutdown()
        await issuer.shutdown()
    }

    /// Calls of the commands the store's check sends (`MGET`, `GET`, `HMGET`), from `INFO commandstats`.
    private static func checkReads(_ client: RedisClient) async throws -> Int {
        let info = try await client.send(["INFO", "commandstats"]).string ?? ""
        var calls = 0
        for line in info.split(whereSeparator: \.isNewline) {
            let name = line.split(separator: ":").first ?? ""
            guard ["cmdstat_mget", "cmdstat_get", "cmdstat_hmget"].contains(name),
                let field = line.split(separator: "calls=").last?.split(separator: ",").first, let value = Int(field)
            else { continue }
            calls += value
        }
        return calls
    }
}
