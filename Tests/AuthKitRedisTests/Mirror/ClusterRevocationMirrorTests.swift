import AuthKit
import AuthKitClock
import AuthKitTesting
import RedisClient
import Synchronization
import Testing
import TokenStore

@testable import AuthKitRedis

/// The mirror of a Redis Cluster's feed on real clusters, in real time: revocations in every slot reach it within
/// the bound, a lost subscription makes it read every slot again without accepting what it missed, and a primary's
/// failover sends checks to the store until the mirror has proven itself again.
@Suite("Revocation mirror on a Redis Cluster", .serialized)
struct ClusterRevocationMirrorTests {
    /// A session-less token of `userID`, issued now and living ten minutes.
    private static func token(_ jti: String, userID: String) -> (check: AccessCheck, expiresAt: UnixTime) {
        let issued = UnixTime(seconds: TimeSource.system.now().seconds)
        return (AccessCheck(userID: userID, jti: jti, issuedAt: issued, sessionID: nil), issued + .seconds(600))
    }

    /// A policy with no clock margin and a 10 ms poll, so that tests need not wait on either.
    private static let policy = RevocationMirrorPolicy(
        stalenessBound: .seconds(1),
        clockMargin: .zero,
        pollInterval: .milliseconds(10)
    )

    /// A mirror of `prefix` on `client`.
    private static func mirror(_ client: RedisClient, prefix: String) throws -> RedisClusterRevocationMirror {
        try RedisClusterRevocationMirror(client: client, keyPrefix: prefix, policy: policy)
    }

    /// A store on `writer` and a mirror of it on `reader`, under a new prefix; the mirror begins the feed when it
    /// runs.
    private static func storeAndMirror(
        writer: RedisClient,
        reader: RedisClient
    ) async throws -> (RedisTokenStore, RedisClusterRevocationMirror) {
        let prefix = uniquePrefix()
        let store = try RedisTokenStore(client: writer, configuration: RedisTokenStoreConfiguration(keyPrefix: prefix))
        return (store, try mirror(reader, prefix: prefix))
    }

    /// Runs `mirror` for the length of `body`, once it answers checks: it has read (and begun) every slot's stream,
    /// and a token issued now is not one issued before the feed began.
    private static func running<T>(
        _ mirror: RedisClusterRevocationMirror,
        limit: Duration = .seconds(60),
        _ body: () async throws -> T
    ) async throws -> T {
        let runner = Task { try await mirror.run() }
        defer { runner.cancel() }
        try #require(await answers(mirror, limit: limit), "the mirror never answered")
        return try await body()
    }

    /// Whether the mirror answers a fresh token's check within `limit`.
    private static func answers(_ mirror: RedisClusterRevocationMirror, limit: Duration) async throws -> Bool {
        try await TestTiming.eventually(limit: limit) {
            let probe = token("probe", userID: "nobody")
            return mirror.verdict(for: probe.check, expiresAt: probe.expiresAt) == .status(.valid)
        }
    }

    /// Revokes `count` tokens of users spread over every primary through `store`, and waits for each to be refused
    /// by `mirror`; returns how many checks the mirror accepted past the staleness bound after the revocation was
    /// acknowledged (which must be none), and the latencies.
    private static func revokeAndWatch(
        _ count: Int,
        tag: String,
        store: RedisTokenStore,
        mirror: RedisClusterRevocationMirror
    ) async throws -> (late: Int, latencies: [Duration]) {
        var late = 0
        var latencies: [Duration] = []
        for index in 0..<count {
            let user = "\(tag)-user-\(index)"
            let token = token("j\(index)", userID: user)
            #expect(try await store.revoke(jti: "j\(index)", userID: user, expiresAt: token.expiresAt))
            let acknowledged = ContinuousClock.now
            let refused = try await TestTiming.eventually(every: .milliseconds(1)) {
                let verdict = mirror.verdict(for: token.check, expiresAt: token.expiresAt)
                let waited = acknowledged.duration(to: .now)
                if verdict == .status(.valid), waited > mirror.policy.stalenessBound {
                    late += 1
                }
                guard verdict == .status(.revoked) else { return false }
                latencies.append(waited)
                return true
            }
            #expect(refused, "revocation \(index) of \(user) never reached the mirror")
        }
        return (late, latencies)
    }

    @Test("revocations in every slot reach the mirror within the bound, and its verdicts are the store's")
    func revocationsReachTheMirror() async throws {
        let url = try await RedisTestCluster.shared().url
        try await withClient(url: url) { writer in
            try await withClient(url: url) { reader in
                let (store, mirror) = try await Self.storeAndMirror(writer: writer, reader: reader)
                try await Self.running(mirror) {
                    #expect(mirror.subscribedNodes == 6, "the mirror is not subscribed on every node")
                    let count = TestTiming.scale > 1 ? 60 : 300
                    let (late, latencies) = try await Self.revokeAndWatch(
                        count,
                        tag: "r",
                        store: store,
                        mirror: mirror
                    )
                    #expect(late == 0, "a revoked token was accepted past the staleness bound")
                    let sorted = latencies.sorted()
                    if !sorted.isEmpty {
                        print(
                            "figure: cluster mirror propagation over \(sorted.count) revocations, poll 10 ms: "
                                + "p50 \(sorted[sorted.count / 2]), p99 \(sorted[sorted.count * 99 / 100])"
                        )
                    }

                    // Sessions ended and epochs moved, in users of every primary: the mirror's verdict is the store's.
                    var checks: [(AccessCheck, UnixTime)] = []
                    for index in 0..<24 {
                        let user = "s-user-\(index)"
                        let session = try await store.createSession(NewSession(userID: user)).session
                        let issued = UnixTime(seconds: TimeSource.system.now().seconds)
                        let check = AccessCheck(userID: user, jti: "a\(index)", issuedAt: issued, sessionID: session.id)
                        checks.append((check, issued + .seconds(600)))
                        switch index % 3 {
                        case 0: _ = try await store.revokeSession(userID: user, sessionID: session.id)
                        case 1: _ = try await store.logOutEverywhere(userID: user, retention: .seconds(600))
                        default: break
                        }
                    }
                    for (check, expiresAt) in checks {
                        let expected = try await store.check(check)
                        let agreed = try await TestTiming.eventually {
                            mirror.verdict(for: check, expiresAt: expiresAt) == .status(expected)
                        }
                        #expect(agreed, "the mirror's verdict on \(check.userID) is not the store's \(expected)")
                    }
                }
            }
        }
    }

    @Test("a subscription lost makes the mirror read every slot again; no revocation made meanwhile is accepted")
    func lostSubscriptionsRereadEverySlot() async throws {
        let cluster = try await RedisTestCluster.shared()
        try await withClient(url: cluster.url) { writer in
            var configuration = try RedisConfiguration(url: cluster.url)
            let name = "mirror-\(UInt32.random(in: 0...UInt32.max))"
            configuration.clientName = name
            let reader = RedisClient(configuration: configuration)
            defer { Task { await reader.shutdown() } }
            let (store, mirror) = try await Self.storeAndMirror(writer: writer, reader: reader)
            try await Self.running(mirror) {
                for round in 0..<(TestTiming.scale > 1 ? 1 : 2) {
                    var killed = 0
                    for node in try await cluster.clusterNodes() {
                        killed += try await Self.killConnections(
                            named: "\(name)-mirror",
                            cluster: cluster,
                            port: node.port
                        )
                    }
                    #expect(killed >= 1, "no subscription of the mirror was found to kill")
                    let (late, latencies) = try await Self.revokeAndWatch(
                        20,
                        tag: "k\(round)",
                        store: store,
                        mirror: mirror
                    )
                    #expect(late == 0, "a revocation made while a subscription was lost was accepted past the bound")
                    #expect(latencies.count == 20)
                }
                #expect(try await Self.answers(mirror, limit: .seconds(30)), "the mirror did not answer again")
                #expect(mirror.subscribedNodes == 6)
            }
        }
    }

    /// Kills the connections named `name` on the node at `port`; returns how many.
    private static func killConnections(named name: String, cluster: RedisTestCluster, port: Int) async throws -> Int {
        let list = try await cluster.cli(port: port, ["CLIENT", "LIST"])
        var killed = 0
        for line in list.split(whereSeparator: \.isNewline) where line.contains(" name=\(name) ") {
            guard let id = line.split(separator: " ").first(where: { $0.hasPrefix("id=") })?.dropFirst(3) else {
                continue
            }
            _ = try await cluster.cli(port: port, ["CLIENT", "KILL", "ID", String(id)])
            killed += 1
        }
        return killed
    }

    @Test("a primary's failover sends checks to the store, never accepting a stale verdict, until the mirror is proven")
    func failoverFallsBackThenRecovers() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.terminate() }
        try await withClient(url: cluster.url) { writer in
            try await withClient(url: cluster.url) { reader in
                let (store, mirror) = try await Self.storeAndMirror(writer: writer, reader: reader)
                try await Self.running(mirror) {
                    let count = TestTiming.scale > 1 ? 10 : 30
                    let (late, _) = try await Self.revokeAndWatch(count, tag: "before", store: store, mirror: mirror)
                    #expect(late == 0)

                    let victim = try #require(try await cluster.primaryPorts().first)
                    let replica = try #require(try await cluster.replicaPort(of: victim))
                    await cluster.kill(port: victim)
                    let token = Self.token("unseen", userID: "nobody")
                    let referred = try await TestTiming.eventually(limit: .seconds(30)) {
                        mirror.verdict(for: token.check, expiresAt: token.expiresAt) == .refer(.stale)
                    }
                    #expect(referred, "with a primary gone the mirror kept answering")
                    try await cluster.waitForPromotion(of: replica)
                    #expect(
                        try await Self.answers(mirror, limit: .seconds(60)),
                        "the mirror did not answer again after the failover"
                    )
                    let (lateAfter, latencies) = try await Self.revokeAndWatch(
                        count,
                        tag: "after",
                        store: store,
                        mirror: mirror
                    )
                    #expect(lateAfter == 0)
                    #expect(latencies.count == count)
                }
            }
        }
    }

    /// Calls of the commands the store's check sends (`MGET`, `GET`, `HMGET`) on every node of `cluster`.
    private static func checkReads(_ cluster: RedisTestCluster) async throws -> Int {
        var calls = 0
        for node in try await cluster.clusterNodes() {
            let info = try await cluster.cli(port: node.port, ["INFO", "commandstats"])
            for line in info.split(whereSeparator: \.isNewline) {
                let name = line.split(separator: ":").first ?? ""
                guard ["cmdstat_mget", "cmdstat_get", "cmdstat_hmget"].contains(name),
                    let field = line.split(separator: "calls=").last?.split(separator: ",").first,
                    let value = Int(field)
                else { continue }
                calls += value
            }
        }
        return calls
    }

    @Test("through the facade on a cluster: the mirror starts, answers, and refuses a logout made elsewhere")
    func facadeOnACluster() async throws {
        // A cluster of its own: the test counts every check command its nodes run.
        let cluster = try await RedisTestCluster.start(RedisTestClusterOptions(replicasPerPrimary: 0))
        defer { cluster.terminate() }
        let url = cluster.url
        let prefix = uniquePrefix()
        let key = try JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "c1")
        func instance(mirror: Bool) async throws -> AuthKit {
            var configuration = AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [key],
                keyPrefix: prefix
            )
            configuration.revocationMirror = mirror ? RevocationMirrorPolicy(pollInterval: .milliseconds(20)) : nil
            return try await AuthKit(configuration: configuration, store: .redis(url: url))
        }
        let issuer = try await instance(mirror: false)
        let service = try await instance(mirror: true)
        let runner = Task { try await service.run() }
        defer { runner.cancel() }
        // Tokens issued before the feed began (plus the margin) are checked by the store: wait past it.
        try await Task.sleep(for: .seconds(3))
        let pair = try await issuer.login(userID: "alice")
        let served = try await TestTiming.eventually(limit: .seconds(30)) {
            let before = try await Self.checkReads(cluster)
            for _ in 0..<50 {
                _ = try await service.authenticate(token: pair.accessToken)
            }
            return try await Self.checkReads(cluster) == before
        }
        #expect(served, "authenticate kept reading the store with the mirror on")
        try await issuer.logout(accessToken: pair.accessToken)
        let refused = try await TestTiming.eventually {
            await authKitErrorCode { _ = try await service.authenticate(token: pair.accessToken) } == .tokenRevoked
        }
        #expect(refused, "the logout on the issuer did not reach the service")
        runner.cancel()
        await service.shutdown()
        await issuer.shutdown()
    }
}
