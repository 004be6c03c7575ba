import AuthKitTesting
import Synchronization
import Testing

@testable import RedisClient

/// RedisClient behind a real Sentinel deployment that each test starts: discovery, ROLE, failovers, READONLY.
@Suite("RedisClient behind Sentinel", .serialized)
struct RedisSentinelTests {
    private func withDeployment<T>(_ body: (RedisTestSentinel) async throws -> T) async throws -> T {
        let deployment = try await RedisTestSentinel.start()
        defer { deployment.terminate() }
        return try await body(deployment)
    }

    @Test("the primary is found through any Sentinel that answers and confirmed with ROLE")
    func discovery() async throws {
        try await withDeployment { deployment in
            // A first "Sentinel" that refuses connections: the client asks the next one.
            let dead = try await RedisTestServer.start()
            let deadPort = dead.port
            await dead.kill()
            let url = "redis-sentinel://127.0.0.1:\(deadPort)," + deployment.url.dropFirst("redis-sentinel://".count)
            try await withClient(url: url) { client in
                try await client.set("greeting", value: "hello")
                #expect(try await client.get("greeting") == Array("hello".utf8))
                #expect(client.sentinelRouter?.primary?.port == deployment.dataPorts[0])
            }
            let unknown = String(deployment.url.dropLast(deployment.primaryName.count)) + "unknown"
            try await withClient(url: unknown) { client in
                let code = await errorCode { try await client.ping() }
                #expect(code == .connectionFailed)
            }
        }
    }

    @Test("a connection that requires the primary role refuses a replica before any command runs on it")
    func roleCheck() async throws {
        try await withDeployment { deployment in
            for (port, isPrimary) in [(deployment.dataPorts[0], true), (deployment.dataPorts[1], false)] {
                var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(port)")
                configuration.requiresPrimaryRole = true
                configuration.commandTimeout = TestTiming.scaled(.seconds(2))
                let client = RedisClient(configuration: configuration)
                let error = await errorCode { _ = try await client.get("anything") }
                #expect(error == (isPrimary ? nil : .connectionFailed), "port \(port)")
                await client.shutdown()
            }
        }
    }

    @Test("SENTINEL FAILOVER: the client follows +switch-master and keeps no connection to the demoted primary")
    func failover() async throws {
        try await withDeployment { deployment in
            try await withClient(url: deployment.url, configure: { $0.clientName = "authkit-sentinel-test" }) {
                client in
                let old = deployment.dataPorts[0]
                try await client.set("counter", value: "0")
                let writer = Task {
                    var failures: [RedisError.Code] = []
                    while !Task.isCancelled {
                        do {
                            try await client.incrby("counter", 1)
                        } catch let error as RedisError {
                            failures.append(error.code)
                        }
                        try? await Task.sleep(for: .milliseconds(2))  // paces the load, synchronises nothing
                    }
                    return failures
                }
                try await deployment.failover()
                let new = try await deployment.waitForNewPrimary(replacing: old)
                try await waitUntil("the client uses the new primary") { client.sentinelRouter?.primary?.port == new }
                // Once the old primary reports itself a replica, none of the client's connections may be on it.
                try await waitUntil("the old primary is demoted", timeout: .seconds(60)) {
                    (try? await deployment.role(port: old)) == "slave"
                }
                // An absence cannot be awaited: a pool that wrongly reconnects to the old node gets a second to show.
                try await Task.sleep(for: .seconds(1))
                let clients = try await deployment.cli(port: old, ["client", "list"])
                #expect(!clients.contains("name=authkit-sentinel-test"), "\(clients)")
                writer.cancel()
                let failures = try await writer.value
                #expect(
                    failures.allSatisfy { [.connectionFailed, .connectionClosed, .timeout].contains($0) },
                    "\(failures)"
                )
                #expect(try await client.incrby("counter", 1) > 0)
            }
        }
    }

    @Test("a killed primary: commands fail only until the replica is promoted, then reach it")
    func killedPrimary() async throws {
        try await withDeployment { deployment in
            try await withClient(url: deployment.url) { client in
                try await client.set("k", value: "v")
                let old = deployment.dataPorts[0]
                await deployment.kill(port: old)
                let new = try await deployment.waitForNewPrimary(replacing: old)
                try await waitUntil("commands work again") { (try? await client.set("k", value: "w")) != nil }
                #expect(client.sentinelRouter?.primary?.port == new)
                #expect(try await client.get("k") == Array("w".utf8))
            }
        }
    }

    @Test("a primary turned replica behind the Sentinels' back answers READONLY: never written to again")
    func readOnly() async throws {
        try await withDeployment { deployment in
            try await withClient(url: deployment.url) { client in
                let (primary, replica) = (deployment.dataPorts[0], deployment.dataPorts[1])
                try await client.set("k", value: "before")
                #expect(client.sentinelRouter?.primary?.port == primary)
                // Swap the roles by hand; the Sentinels keep naming the old primary for a while.
                try await deployment.cli(port: replica, ["replicaof", "no", "one"])
                try await deployment.cli(port: primary, ["replicaof", "127.0.0.1", "\(replica)"])
                let result = await errorCode { try await client.set("k", value: "after") }
                // The write was refused (READONLY), never applied: it failed, or went to a confirmed primary.
                if result == nil {
                    let confirmed = try #require(client.sentinelRouter?.primary?.port)
                    #expect(try await deployment.role(port: confirmed) == "master")
                } else {
                    #expect(result == .connectionFailed || result == .server)
                }
                let routed = client.sentinelRouter?.primary?.port
                let stillPrimary = try await deployment.role(port: primary) == "master"
                #expect(routed != primary || stillPrimary)
            }
        }
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout` / 20 ms × ``TestTiming/scale`` checks (a
/// count, so that a starved test process still makes them all).
func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Bool
) async throws {
    for _ in 0..<(Int(timeout / .milliseconds(20)) * TestTiming.scale) {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)")
    throw RedisError(.timeout, "timed out waiting until \(what)")
}
