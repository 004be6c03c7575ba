import AuthKit
import AuthKitRedis
import AuthKitTesting
import Logging
import RedisClient
import Synchronization
import Testing

/// Failovers under a steady facade load (authenticate, refresh, rate limit, login and logout through
/// ``FaultLoad``), against real clusters and Sentinel deployments the tests start:
///
/// - a slot migration (`redis-cli --cluster reshard`) of every slot of the primary that serves the most
///   workers causes no failed call;
/// - a killed cluster primary, `SENTINEL FAILOVER` and a killed Sentinel primary cause failures only as
///   `storeUnavailable`, only in calls that started before the topology had recovered (the replica promoted and
///   every node or Sentinel agreeing), and none after;
/// - throughout and afterwards no token whose logout reported success authenticates, no caller gets another's
///   reply, no call outlives ``FailoverEnvironment/callBound``, and every worker's login still works.
///
/// A primary is killed at a moment its replica has applied every write it acknowledged (writes paused, replica
/// caught up): Redis's replication is asynchronous, and a primary killed at any other moment loses what its replica
/// had not applied yet — Redis's loss, not the client's (Operations.md, "What a failover can still lose"), which
/// would make every acknowledged login, rotation and logout a coin toss here. Under that kill every acknowledged
/// write is still expected to survive.
///
/// Each test prints its figures: when the topology recovered, the last failure, and failures by cause.
@Suite("Failover under load", .serialized)
struct FailoverTests {
    @Test("cluster: resharding every slot of a primary during the load fails no call")
    func clusterReshard() async throws {
        let cluster = try await RedisTestCluster.start()
        defer { cluster.terminate() }
        let environment = try await FailoverEnvironment.start(url: cluster.url)
        let figures = try await environment.run(workers: 12) { environment in
            let (source, _) = try await environment.busiestPrimary(cluster)
            let target = try #require(try await cluster.primaryPorts().first { $0 != source })
            let slots = try await cluster.clusterNodes().first { $0.port == source }?.slotCount ?? 0
            try await cluster.reshard(from: source, to: target, slots: slots)
            try await cluster.waitUntilHealthy()
            #expect(try await cluster.clusterNodes().first { $0.port == source }?.slotCount == 0)
        }
        #expect(figures.failures.isEmpty, "\(figures)")
        print("failover figures, cluster reshard: \(figures)")
    }

    @Test("cluster: a killed primary fails calls only as storeUnavailable until its replica takes over")
    func clusterPrimaryKilled() async throws {
        let cluster = try await RedisTestCluster.start(RedisTestClusterOptions(nodeTimeoutMilliseconds: 1000))
        defer { cluster.terminate() }
        let environment = try await FailoverEnvironment.start(url: cluster.url)
        let figures = try await environment.run(workers: 12) { environment in
            let (victim, users) = try await environment.busiestPrimary(cluster)
            #expect(users > 0)
            let replica = try #require(try await cluster.replicaPort(of: victim))
            try await cluster.killOnceReplicated(port: victim)
            try await cluster.waitForPromotion(of: replica)
        }
        figures.expectOnlyStoreUnavailableBeforeRecovery()
        print("failover figures, cluster primary killed: \(figures)")
    }

    @Test("Sentinel: SENTINEL FAILOVER fails calls only as storeUnavailable until the Sentinels agree")
    func sentinelFailover() async throws {
        let deployment = try await RedisTestSentinel.start()
        defer { deployment.terminate() }
        let environment = try await FailoverEnvironment.start(url: deployment.url)
        let figures = try await environment.run(workers: 8) { _ in
            try await deployment.failover()
            _ = try await deployment.waitForNewPrimary(replacing: deployment.dataPorts[0])
        }
        figures.expectOnlyStoreUnavailableBeforeRecovery()
        print("failover figures, SENTINEL FAILOVER: \(figures)")
    }

    @Test("Sentinel: a killed primary fails calls only as storeUnavailable until the Sentinels promote its replica")
    func sentinelPrimaryKilled() async throws {
        let deployment = try await RedisTestSentinel.start()
        defer { deployment.terminate() }
        let environment = try await FailoverEnvironment.start(url: deployment.url)
        let figures = try await environment.run(workers: 8) { _ in
            try await deployment.killPrimaryOnceReplicated()
            _ = try await deployment.waitForNewPrimary(replacing: deployment.dataPorts[0])
        }
        figures.expectOnlyStoreUnavailableBeforeRecovery()
        print("failover figures, Sentinel primary killed: \(figures)")
    }
}

/// What one failover did to the load.
struct FailoverFigures: CustomStringConvertible {
    /// When the fault was injected.
    var faultAt: ContinuousClock.Instant
    /// When the topology had recovered, as the fixture saw it (the replica promoted and every node agreeing).
    var recoveredAt: ContinuousClock.Instant
    var successes: Int
    var failures: [FaultLoad.Failure]

    /// Every failure is `storeUnavailable`, and none comes from a call started once the topology had recovered.
    func expectOnlyStoreUnavailableBeforeRecovery() {
        for failure in failures {
            #expect(failure.code == .storeUnavailable, "\(failure.operation) failed with \(failure.code)")
            #expect(
                failure.started < recoveredAt,
                "\(failure.operation) started \(failure.started - recoveredAt) after recovery failed: \(failure.cause)"
            )
        }
    }

    var description: String {
        let lastFailure = failures.map(\.ended).max()
        var causes: [String: Int] = [:]
        var operations: [String: Int] = [:]
        for failure in failures {
            causes["\(failure.code)/\(failure.cause)", default: 0] += 1
            operations[failure.operation, default: 0] += 1
        }
        func text(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return "topology recovered \(recoveredAt - faultAt) after the fault; "
            + "last failed call ended \(lastFailure.map { "\($0 - faultAt)" } ?? "never") after it; "
            + "\(successes) calls succeeded, \(failures.count) failed"
            + (failures.isEmpty ? "" : " (by cause: \(text(causes)); by call: \(text(operations)))")
    }
}

/// A facade over a cluster or Sentinel URL with timings sized for failovers on a loaded machine.
///
/// A command's deadline (``commandTimeout``) bounds how long it waits out a failover (a cluster client retries a
/// command that found no connection until then); a facade call makes at most ``storeCommandsPerCall`` commands,
/// so ``callBound`` is that many deadlines plus scheduling margin.
struct FailoverEnvironment: Sendable {
    static let commandTimeout = TestTiming.scaled(.seconds(2))
    static let storeCommandsPerCall = 6
    static let callBound = commandTimeout * storeCommandsPerCall + TestTiming.scaled(.seconds(3))
    /// How long the load runs on after the topology has recovered: the unscaled call bound.
    static let loadAfterRecovery = Duration.seconds(2) * storeCommandsPerCall + .seconds(3)

    let client: RedisClient
    let auth: AuthKit

    static func start(url: String) async throws -> FailoverEnvironment {
        var configuration = try RedisConfiguration(url: url)
        configuration.commandTimeout = commandTimeout
        configuration.connectTimeout = TestTiming.scaled(.seconds(1))
        configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(250))
        var quiet = Logger(label: "failover-tests")
        quiet.logLevel = .critical
        let client = RedisClient(configuration: configuration, logger: quiet)
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://failover.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256([UInt8](repeating: 0x17, count: 32), kid: "failover")],
                keyPrefix: "failover-\(UInt32.random(in: 0...UInt32.max)):"
            ),
            store: .redis(client: client),
            logger: quiet
        )
        return FailoverEnvironment(client: client, auth: auth)
    }

    /// The primary that serves the most of the load's workers (`user-<n>`), and how many.
    func busiestPrimary(_ cluster: RedisTestCluster, workers: Int = 12) async throws -> (port: Int, users: Int) {
        var counts: [Int: Int] = [:]
        for index in 0..<workers {
            let slot = try await cluster.keySlot("{u:user-\(index)}")
            counts[try await cluster.ownerPort(ofSlot: slot), default: 0] += 1
        }
        let busiest = try #require(counts.max { $0.value < $1.value })
        return (busiest.key, busiest.value)
    }

    /// Runs the load, then `fault` (which returns once the topology has recovered), keeps the load going a while,
    /// checks every property of ``FailoverTests`` but the failures' timing, and returns the figures.
    func run(workers: Int, _ fault: (FailoverEnvironment) async throws -> Void) async throws -> FailoverFigures {
        do {
            let figures = try await runLoad(workers: workers, fault)
            await auth.shutdown()
            await client.shutdown()
            return figures
        } catch {
            await auth.shutdown()
            await client.shutdown()
            throw error
        }
    }

    private func runLoad(
        workers: Int,
        _ fault: (FailoverEnvironment) async throws -> Void
    ) async throws
        -> FailoverFigures
    {
        var revoked: [String] = []
        for index in 0..<4 {
            let pair = try await auth.login(userID: "revoked-\(index)")
            try await auth.logout(accessToken: pair.accessToken)
            revoked.append(pair.accessToken)
        }
        let load = FaultLoad(auth: auth, workers: workers, revokedTokens: revoked)
        let running = (0..<workers).map { index in Task { await load.runWorker(index) } }
        _ = try await TestTiming.eventually(limit: .seconds(15), every: .milliseconds(50)) {
            load.counts.successes >= workers * 4
        }
        #expect(load.counts.successes > 0, "the load made no successful call before the fault")
        let faultAt = ContinuousClock.now
        try await fault(self)
        let recoveredAt = ContinuousClock.now
        let afterRecovery = load.counts.successes
        // The load runs on after recovery so that the calls started after it (none of which may fail) cover a
        // window, not only the first few; every call that started before it still ends before the checks below,
        // which wait for each worker. The window is observed, not a bound that slowness could break, so it does
        // not scale with the sanitizers' slack (it did, as the call bound: 90 s a test under ThreadSanitizer).
        try await Task.sleep(for: Self.loadAfterRecovery)
        load.stop()
        var logins: [FaultLoad.Login?] = []
        for worker in running {
            logins.append(await worker.value)
        }
        #expect(load.counts.successes > afterRecovery + workers, "the load barely ran after recovery")
        #expect(load.violations.isEmpty, "\(load.violations.prefix(10).joined(separator: "\n"))")
        #expect(load.longestCall <= Self.callBound, "a call took \(load.longestCall)")
        for token in load.revokedTokens {
            await expectRefused(token)
        }
        for (index, login) in logins.enumerated() {
            guard let login else { continue }
            let principal = try await auth.authenticate(token: login.accessToken)
            #expect(principal.userID == "user-\(index)" && principal.sessionID == login.sessionID)
            let next = try await auth.refresh(login.refreshToken)
            #expect(next.session.id == login.sessionID, "a reported rotation was lost")
        }
        return FailoverFigures(
            faultAt: faultAt,
            recoveredAt: recoveredAt,
            successes: load.counts.successes,
            failures: load.failureLog
        )
    }

    private func expectRefused(_ token: String) async {
        do {
            _ = try await auth.authenticate(token: token)
            Issue.record("a token whose logout reported success authenticates after the failover")
        } catch let error as AuthKitError {
            #expect(error.code == .tokenRevoked || error.code == .sessionEnded, "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
