import AuthKitPlatform
import Foundation
import Synchronization

/// A throwaway Sentinel deployment for tests: a primary, a replica and three Sentinels (`redis-server
/// sentinel.conf --sentinel`) monitoring it under ``primaryName``, with controls to fail over, kill nodes and wait
/// for the Sentinels to agree on a new primary.
///
/// ```swift
/// let deployment = try await RedisTestSentinel.start()
/// defer { deployment.terminate() }
/// let client = try RedisClient(url: deployment.url)   // redis-sentinel://127.0.0.1:s1,…/authkit-primary
/// ```
///
/// Like a ``RedisTestCluster``, a deployment takes one of the two turns a test process has for them: ``start(downAfterMilliseconds:)``
/// waits while two are running. Every process has a watchdog that kills it when the test process dies; ``terminate()`` (also run when the
/// value is released) kills them all and removes their directories.
public final class RedisTestSentinel: Sendable {
    /// The name the Sentinels monitor the primary under.
    public let primaryName = "authkit-primary"
    /// The ports of the data nodes: the first primary, then its replica.
    public let dataPorts: [Int]
    /// The ports of the Sentinels.
    public let sentinelPorts: [Int]
    /// The directory holding every process's directory.
    public let directory: String
    private let processes: [Int: RedisProcess]
    private let cli: String
    /// Whether the deployment still holds its slot of ``FixtureGate/topologies``.
    private let gated = Mutex(false)

    /// `redis-sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/authkit-primary`.
    public var url: String {
        "redis-sentinel://" + sentinelPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "/\(primaryName)"
    }

    private init(dataPorts: [Int], sentinelPorts: [Int], directory: String, processes: [Int: RedisProcess], cli: String)
    {
        self.dataPorts = dataPorts
        self.sentinelPorts = sentinelPorts
        self.directory = directory
        self.processes = processes
        self.cli = cli
    }

    deinit {
        terminate()
    }

    /// Starts the primary, the replica and three Sentinels, and returns once the replica is in sync and every
    /// Sentinel knows the replica and the two other Sentinels (so a failover can be authorized).
    /// - Parameter downAfterMilliseconds: how long the primary must be silent before the Sentinels fail it over.
    /// - Throws: ``RedisTestServerError`` when `redis-server` or `redis-cli` is missing or the deployment does not
    ///   settle.
    public static func start(downAfterMilliseconds: Int = 1000) async throws -> RedisTestSentinel {
        let server = try RedisProcess.executable(
            "redis-server",
            install: "apt-get install redis-server, or `make deps`"
        )
        let cli = try RedisProcess.executable("redis-cli", install: "apt-get install redis-tools, or `make deps`")
        await FixtureGate.topologies.enter()
        do {
            let deployment = try await startProcesses(downAfterMilliseconds, server: server, cli: cli)
            deployment.gated.withLock { $0 = true }
            return deployment
        } catch {
            FixtureGate.topologies.leave()
            throw error
        }
    }

    private static func startProcesses(
        _ downAfterMilliseconds: Int,
        server: String,
        cli: String
    ) async throws
        -> RedisTestSentinel
    {
        try await RedisProcess.retryingTakenPorts {
            let directory = try RedisProcess.makeTemporaryDirectory("authkit-sentinel")
            var ports: [Int] = []
            while ports.count < 5 {
                let port = try RedisProcess.freePort()
                if !ports.contains(port) { ports.append(port) }
            }
            let dataPorts = Array(ports[0..<2])
            let sentinelPorts = Array(ports[2..<5])
            var processes: [Int: RedisProcess] = [:]
            for (index, port) in dataPorts.enumerated() {
                processes[port] = try RedisProcess.node(
                    executable: server,
                    in: directory,
                    port: port,
                    lines: ["save \"\"", "appendonly no", "enable-debug-command yes", "repl-diskless-sync-delay 0"]
                        + (index == 1 ? ["replicaof 127.0.0.1 \(dataPorts[0])"] : [])
                )
            }
            for port in sentinelPorts {
                processes[port] = try RedisProcess.node(
                    executable: server,
                    in: directory,
                    port: port,
                    file: "sentinel.conf",
                    lines: [
                        "sentinel monitor authkit-primary 127.0.0.1 \(dataPorts[0]) 2",
                        "sentinel down-after-milliseconds authkit-primary \(downAfterMilliseconds)",
                        "sentinel failover-timeout authkit-primary 10000",
                        "sentinel parallel-syncs authkit-primary 1",
                    ],
                    arguments: ["--sentinel"],
                    readyLine: "Sentinel ID is"
                )
            }
            let deployment = RedisTestSentinel(
                dataPorts: dataPorts,
                sentinelPorts: sentinelPorts,
                directory: directory,
                processes: processes,
                cli: cli
            )
            do {
                for port in ports {
                    try await processes[port]?.launch()
                }
                try await deployment.waitUntilSettled()
                return deployment
            } catch {
                deployment.terminate()
                throw error
            }
        }
    }

    /// Kills every process at once and removes the directories; safe to call more than once.
    public func terminate() {
        for process in processes.values {
            process.terminate()
        }
        try? FileManager.default.removeItem(atPath: directory)
        if gated.withLock({ gated in
            defer { gated = false }
            return gated
        }) {
            FixtureGate.topologies.leave()
        }
    }

    /// Kills the process on `port` with SIGKILL and waits for it to exit.
    public func kill(port: Int) async {
        await processes[port]?.signalAndWait(.kill)
    }

    /// Kills the primary (``dataPorts``[0]) with SIGKILL at a moment the replica has applied every write it
    /// acknowledged: writes are paused on it first (`CLIENT PAUSE … WRITE`), and it dies once the replica's
    /// applied replication offset has reached its own, so a failover test measures the client, not the writes
    /// Redis's asynchronous replication loses with a primary.
    /// - Throws: ``RedisTestServerError`` when the replica does not catch up.
    public func killPrimaryOnceReplicated() async throws {
        try await RedisProcess.pauseWritesUntilReplicated(cli: cli, primary: dataPorts[0], replica: dataPorts[1])
        await kill(port: dataPorts[0])
    }

    /// Runs `redis-cli -p port` with `arguments` and returns its raw output (one value per line).
    /// - Throws: ``RedisTestServerError`` when redis-cli fails.
    @discardableResult
    public func cli(port: Int, _ arguments: [String]) async throws -> String {
        try await RedisProcess.run(cli, ["-h", "127.0.0.1", "-p", "\(port)"] + arguments, timeout: .seconds(20))
    }

    /// The role (`master`, `slave`) the data node on `port` reports.
    public func role(port: Int) async throws -> String {
        String(try await cli(port: port, ["role"]).split(separator: "\n").first ?? "")
    }

    /// The primary's port according to the Sentinel on `sentinel` (`SENTINEL GET-MASTER-ADDR-BY-NAME`).
    public func primaryPort(accordingTo sentinel: Int) async throws -> Int? {
        let lines = try await cli(port: sentinel, ["sentinel", "get-master-addr-by-name", primaryName])
            .split(separator: "\n")
        return lines.count == 2 ? Int(lines[1]) : nil
    }

    /// Asks the first live Sentinel for a failover (`SENTINEL FAILOVER`), retrying while it answers that no good
    /// replica is ready yet.
    /// - Throws: ``RedisTestServerError`` when no Sentinel accepts within `timeout` of checks.
    public func failover(timeout: Duration = .seconds(30)) async throws {
        var last = ""
        let started = try await RedisProcess.poll(every: .milliseconds(200), upTo: timeout) {
            for port in sentinelPorts where processes[port]?.pid != nil {
                last = (try? await cli(port: port, ["sentinel", "failover", primaryName])) ?? last
                if last.hasPrefix("OK") { return true }
            }
            return false
        }
        if !started {
            throw RedisTestServerError("no Sentinel started a failover within \(timeout) of checks: \(last)")
        }
    }

    /// Waits until every live Sentinel names a primary other than `port`, that node's `ROLE` is `master`, and
    /// returns its port.
    /// - Throws: ``RedisTestServerError`` when that does not happen within `timeout` of checks.
    public func waitForNewPrimary(replacing port: Int, timeout: Duration = .seconds(60)) async throws -> Int {
        var primary = 0
        let agreed = try await RedisProcess.poll(every: .milliseconds(50), upTo: timeout) {
            var named: Set<Int> = []
            for sentinel in sentinelPorts where processes[sentinel]?.pid != nil {
                named.insert((try? await primaryPort(accordingTo: sentinel)) ?? nil ?? 0)
            }
            guard named.count == 1, let candidate = named.first, candidate != port, candidate != 0,
                (try? await role(port: candidate)) == "master"
            else { return false }
            primary = candidate
            return true
        }
        guard agreed else {
            throw RedisTestServerError("the Sentinels did not agree on a new primary within \(timeout) of checks")
        }
        return primary
    }

    /// Waits until the replica's link is up and every Sentinel knows the replica and the two other Sentinels.
    private func waitUntilSettled(timeout: Duration = .seconds(60)) async throws {
        var last = ""
        let settled = try await RedisProcess.poll(every: .milliseconds(200), upTo: timeout) {
            let role = (try? await cli(port: dataPorts[1], ["role"])) ?? ""
            last = "replica: \(role.split(separator: "\n").joined(separator: " "))"
            guard role.contains("connected") else { return false }
            for sentinel in sentinelPorts {
                let replicas = (try? await cli(port: sentinel, ["sentinel", "replicas", primaryName])) ?? ""
                let others = (try? await cli(port: sentinel, ["sentinel", "sentinels", primaryName])) ?? ""
                let quorum = (try? await cli(port: sentinel, ["sentinel", "ckquorum", primaryName])) ?? ""
                last = "sentinel \(sentinel): quorum \(quorum)"
                guard replicas.contains("\(dataPorts[1])"), !replicas.contains("s_down"),
                    others.split(separator: "\n").filter({ $0 == "name" }).count == 2, quorum.hasPrefix("OK")
                else { return false }
            }
            return true
        }
        if !settled {
            throw RedisTestServerError("the Sentinel deployment did not settle within \(timeout) of checks: \(last)")
        }
    }
}
