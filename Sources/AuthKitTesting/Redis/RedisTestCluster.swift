import AuthKitPlatform
import Foundation
import Synchronization

/// A throwaway Redis Cluster for tests: three primaries and three replicas (by default) on loopback ports, made
/// with `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`, with controls to kill nodes, wait for
/// failovers and migrate slots.
///
/// ```swift
/// let cluster = try await RedisTestCluster.start()
/// defer { cluster.terminate() }
/// let client = try RedisClient(url: cluster.url)   // redis-cluster://127.0.0.1:p1,127.0.0.1:p2,…
/// ```
///
/// At most two clusters or Sentinel deployments of a test process run at once (``shared()`` aside): a further
/// ``start(_:)`` waits until one is terminated, so a parallel test run never starts dozens of servers at the same
/// moment. Each node needs two free ports, its own and its cluster bus port (port + 10000): both are checked free before
/// use, on ports below the range the system hands out for outgoing connections, and a start that meets a port
/// taken meanwhile starts over on new ones. Every node has a watchdog that kills it when the test process dies;
/// ``terminate()`` (also run when the value is released) kills them all and removes their directories. When
/// `redis-server` or `redis-cli` is missing, ``start(_:)`` throws an error that says how to install them.
public final class RedisTestCluster: Sendable {
    /// The options the cluster was started with.
    public let options: RedisTestClusterOptions
    /// The client port of every node, primaries first as created.
    public let ports: [Int]
    /// The directory holding every node's directory.
    public let directory: String
    private let nodes: [Int: RedisProcess]
    private let cli: String
    /// Whether the cluster holds a slot of ``FixtureGate/topologies``, given back once by ``terminate()``.
    private let gated = Mutex(false)

    /// The URL of the cluster with every node as a seed: `redis-cluster://127.0.0.1:p1,…`.
    public var url: String {
        "redis-cluster://" + ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")
    }

    private init(
        options: RedisTestClusterOptions,
        ports: [Int],
        directory: String,
        nodes: [Int: RedisProcess],
        cli: String
    ) {
        self.options = options
        self.ports = ports
        self.directory = directory
        self.nodes = nodes
        self.cli = cli
    }

    deinit {
        terminate()
    }

    private static let sharedCluster = Mutex<Task<RedisTestCluster, any Error>?>(nil)

    /// One cluster for the whole test process, started by the first caller and shared by every later one, for
    /// tests that only read and write keys (give each test its own key prefix). Never kill its nodes or move its
    /// slots: start a cluster of your own for that. It lives until the test process exits, when the watchdogs
    /// stop it and remove its directories.
    /// - Throws: ``RedisTestServerError`` when it cannot be started (every caller then gets the error).
    public static func shared() async throws -> RedisTestCluster {
        let task = sharedCluster.withLock { task in
            if let task { return task }
            let started = Task { try await RedisTestCluster.start(RedisTestClusterOptions(), gated: false) }
            task = started
            return started
        }
        return try await task.value
    }

    /// Starts the nodes, creates the cluster and returns once every node reports `cluster_state:ok` and every
    /// replica's link to its primary is up.
    /// - Throws: ``RedisTestServerError`` when `redis-server` or `redis-cli` is missing or the cluster does not
    ///   form.
    public static func start(
        _ options: RedisTestClusterOptions = RedisTestClusterOptions()
    ) async throws
        -> RedisTestCluster
    {
        try await start(options, gated: true)
    }

    /// Starts a cluster, first taking a slot of ``FixtureGate/topologies`` when `gated`.
    private static func start(_ options: RedisTestClusterOptions, gated: Bool) async throws -> RedisTestCluster {
        let server = try RedisProcess.executable(
            "redis-server",
            install: "apt-get install redis-server, or `make deps`"
        )
        let cli = try RedisProcess.executable("redis-cli", install: "apt-get install redis-tools, or `make deps`")
        guard options.primaries >= 3, options.replicasPerPrimary >= 0 else {
            throw RedisTestServerError("a cluster needs at least 3 primaries")
        }
        let count = options.primaries * (1 + options.replicasPerPrimary)
        if gated {
            await FixtureGate.topologies.enter()
        }
        do {
            let cluster = try await startNodes(options, count: count, server: server, cli: cli)
            cluster.gated.withLock { $0 = gated }
            return cluster
        } catch {
            if gated {
                FixtureGate.topologies.leave()
            }
            throw error
        }
    }

    private static func startNodes(
        _ options: RedisTestClusterOptions,
        count: Int,
        server: String,
        cli: String
    )
        async throws -> RedisTestCluster
    {
        try await RedisProcess.retryingTakenPorts {
            let directory = try RedisProcess.makeTemporaryDirectory("authkit-cluster")
            let ports = try Self.freePortPairs(count)
            var nodes: [Int: RedisProcess] = [:]
            for port in ports {
                nodes[port] = try RedisProcess.node(
                    executable: server,
                    in: directory,
                    port: port,
                    lines: [
                        "save \"\"", "appendonly no", "enable-debug-command yes", "cluster-enabled yes",
                        "cluster-config-file nodes.conf", "cluster-node-timeout \(options.nodeTimeoutMilliseconds)",
                        // A replica may take over however long it was cut off, and stays with its primary.
                        "cluster-replica-validity-factor 0", "cluster-allow-replica-migration no",
                        // Replicas sync at once, not after the default 5-second wait for more replicas.
                        "repl-diskless-sync-delay 0",
                    ] + options.extraConfiguration
                )
            }
            let cluster = RedisTestCluster(
                options: options,
                ports: ports,
                directory: directory,
                nodes: nodes,
                cli: cli
            )
            do {
                for port in ports {
                    try await nodes[port]?.launch()
                }
                try await RedisProcess.run(
                    cli,
                    ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + [
                        "--cluster-replicas", "\(options.replicasPerPrimary)", "--cluster-yes",
                    ]
                )
                try await cluster.waitUntilHealthy()
                return cluster
            } catch {
                cluster.terminate()
                throw error
            }
        }
    }

    /// Kills every node at once and removes the directories; safe to call more than once.
    public func terminate() {
        for node in nodes.values {
            node.terminate()
        }
        try? FileManager.default.removeItem(atPath: directory)
        if gated.withLock({ gated in
            defer { gated = false }
            return gated
        }) {
            FixtureGate.topologies.leave()
        }
    }

    // MARK: Nodes

    /// Kills the node on `port` with SIGKILL (no shutdown, connections reset) and waits for it to exit.
    public func kill(port: Int) async {
        await nodes[port]?.signalAndWait(.kill)
    }

    /// Kills the primary on `port` with SIGKILL at a moment its replica has applied every write it acknowledged:
    /// writes are paused on it first (`CLIENT PAUSE … WRITE`), and it dies once its replica's applied replication
    /// offset has reached its own, so a failover test measures the client, not the writes Redis's asynchronous
    /// replication loses with a primary.
    /// - Throws: ``RedisTestServerError`` when the node has no replica or it does not catch up.
    public func killOnceReplicated(port: Int) async throws {
        guard let replica = try await replicaPort(of: port) else {
            throw RedisTestServerError("the primary on port \(port) has no replica to wait for")
        }
        try await RedisProcess.pauseWritesUntilReplicated(cli: cli, primary: port, replica: replica)
        await kill(port: port)
    }

    /// Starts a stopped node again with its configuration; it rejoins the cluster (as a replica, if it was failed
    /// over meanwhile).
    /// - Throws: ``RedisTestServerError`` when it does not come up.
    public func restart(port: Int) async throws {
        try await nodes[port]?.launch()
    }

    /// Whether the node on `port` runs.
    public func isRunning(port: Int) -> Bool {
        nodes[port]?.pid != nil
    }

    /// Runs `redis-cli -p port` with `arguments` and returns its output (one value per line, no quoting).
    /// - Throws: ``RedisTestServerError`` when redis-cli fails.
    @discardableResult
    public func cli(port: Int, _ arguments: [String]) async throws -> String {
        try await RedisProcess.run(
            cli,
            ["-h", "127.0.0.1", "-p", "\(port)", "--no-raw"] + arguments,
            timeout: .seconds(20)
        )
        .replacingOccurrences(of: "\"", with: "")
    }

    /// One node as `CLUSTER NODES` on a live node shows it.
    public struct Node: Sendable, Hashable {
        /// The node's cluster id.
        public var id: String
        /// Its client port.
        public var port: Int
        /// Whether it is a primary (as opposed to a replica).
        public var isPrimary: Bool
        /// The id of its primary, for a replica.
        public var primaryID: String?
        /// Whether the cluster has marked it failed (`fail` flag).
        public var isFailed: Bool
        /// How many slots it serves.
        public var slotCount: Int
    }

    /// The nodes as a running node sees them (`CLUSTER NODES`).
    /// - Throws: ``RedisTestServerError`` when no node answers.
    public func clusterNodes() async throws -> [Node] {
        var lastError: (any Error)?
        for port in ports where isRunning(port: port) {
            do {
                let text = try await RedisProcess.run(
                    cli,
                    ["-p", "\(port)", "cluster", "nodes"],
                    timeout: .seconds(20)
                )
                return Self.parseNodes(text)
            } catch {
                lastError = error
            }
        }
        throw RedisTestServerError("no cluster node answered CLUSTER NODES: \(String(describing: lastError))")
    }

    /// The ports of the primaries that serve slots now.
    public func primaryPorts() async throws -> [Int] {
        try await clusterNodes().filter { $0.isPrimary && !$0.isFailed && $0.slotCount > 0 }.map(\.port).sorted()
    }

    /// The port of a replica of the primary on `port`.
    public func replicaPort(of port: Int) async throws -> Int? {
        let nodes = try await clusterNodes()
        guard let primary = nodes.first(where: { $0.port == port }) else { return nil }
        return nodes.first { $0.primaryID == primary.id && !$0.isFailed }?.port
    }

    /// The port of the primary that serves `slot` now (`CLUSTER SHARDS` on a live node).
    public func ownerPort(ofSlot slot: Int) async throws -> Int {
        for port in ports where isRunning(port: port) {
            let text = try await RedisProcess.run(cli, ["-p", "\(port)", "cluster", "slots"], timeout: .seconds(20))
            let lines = text.split(separator: "\n").map(String.init)
            // CLUSTER SLOTS without --no-raw: start, end, host, port, id, … one value per line, ranges in order.
            var index = 0
            while index + 3 < lines.count {
                if let start = Int(lines[index]), let end = Int(lines[index + 1]), let owner = Int(lines[index + 3]),
                    (start...end).contains(slot)
                {
                    return owner
                }
                index += 1
            }
        }
        throw RedisTestServerError("no live node knows who serves slot \(slot)")
    }

    /// How many commands the node on `port` has refused with `TRYAGAIN` (`INFO errorstats`): the way to see that a
    /// multi-key command has met a half-migrated slot, instead of waiting some time for it to.
    public func tryAgainCount(port: Int) async throws -> Int {
        let info = try await cli(port: port, ["info", "errorstats"])
        guard let range = info.firstRange(of: "errorstat_TRYAGAIN:count=") else { return 0 }
        return Int(info[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// `CLUSTER KEYSLOT key` on a live node.
    public func keySlot(_ key: String) async throws -> Int {
        for port in ports where isRunning(port: port) {
            let text = try await RedisProcess.run(
                cli,
                ["-p", "\(port)", "cluster", "keyslot", key],
                timeout: .seconds(20)
            )
            if let slot = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return slot
            }
        }
        throw RedisTestServerError("no live node answered CLUSTER KEYSLOT")
    }

    /// Waits until every running node reports `cluster_state:ok`, all agree on who serves every slot, no live
    /// primary is marked failed, and every replica's link to its primary is up.
    /// - Throws: ``RedisTestServerError`` when that does not happen within `timeout` of checks, every 100 ms.
    public func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
        var last = ""
        let healthy = try await RedisProcess.poll(every: .milliseconds(100), upTo: timeout) {
            do {
                return try await isHealthy()
            } catch {
                last = "\(error)"
                return false
            }
        }
        if !healthy {
            throw RedisTestServerError("the cluster did not become healthy within \(timeout) of checks: \(last)")
        }
    }

    private func isHealthy() async throws -> Bool {
        var views: Set<[String]> = []
        for port in ports where isRunning(port: port) {
            let info = try await RedisProcess.run(cli, ["-p", "\(port)", "cluster", "info"], timeout: .seconds(20))
            guard info.contains("cluster_state:ok") else { return false }
            let nodes = Self.parseNodes(
                try await RedisProcess.run(cli, ["-p", "\(port)", "cluster", "nodes"], timeout: .seconds(20))
            )
            let live = Set(ports.filter { isRunning(port: $0) })
            for node in nodes where live.contains(node.port) && node.isFailed {
                return false
            }
            views.insert(
                nodes.filter { $0.isPrimary && $0.slotCount > 0 }.map { "\($0.port):\($0.slotCount)" }.sorted()
            )
            let role = try await RedisProcess.run(cli, ["-p", "\(port)", "role"], timeout: .seconds(20))
            if role.hasPrefix("slave"), !role.contains("connected") {
                return false
            }
        }
        return views.count == 1
    }

    /// Waits until the replica on `port` has been promoted and the cluster is healthy again.
    /// - Throws: ``RedisTestServerError`` when that does not happen within `timeout` of checks.
    public func waitForPromotion(of port: Int, timeout: Duration = .seconds(60)) async throws {
        let promoted = try await RedisProcess.poll(every: .milliseconds(50), upTo: timeout) {
            (try? await cli(port: port, ["role"]))?.hasPrefix("1) master") == true
        }
        guard promoted else {
            throw RedisTestServerError("the replica on port \(port) was not promoted within \(timeout) of checks")
        }
        try await waitUntilHealthy(timeout: timeout)
    }

    /// Moves `slots` slots from the primary on `source` to the primary on `target` with
    /// `redis-cli --cluster reshard`, keys included, and returns when the move is done.
    /// - Throws: ``RedisTestServerError`` when redis-cli fails.
    public func reshard(from source: Int, to target: Int, slots: Int) async throws {
        let (from, to) = try await ids(source, target)
        try await RedisProcess.run(
            cli,
            [
                "--cluster", "reshard", "127.0.0.1:\(source)", "--cluster-from", from, "--cluster-to", to,
                "--cluster-slots", "\(slots)", "--cluster-yes", "--cluster-pipeline", "10",
            ],
            timeout: .seconds(300)
        )
    }

    /// Moves one slot and its keys from the primary on `source` to the one on `target`, by hand as
    /// `redis-cli --cluster reshard` does: mark it importing and migrating, `MIGRATE` its keys, assign it.
    /// - Throws: ``RedisTestServerError`` when a step fails.
    public func moveSlot(_ slot: Int, from source: Int, to target: Int) async throws {
        try await beginSlotMigration(slot, from: source, to: target)
        while true {
            let keys = try await RedisProcess.run(
                cli,
                ["-p", "\(source)", "cluster", "getkeysinslot", "\(slot)", "100"],
                timeout: .seconds(20)
            ).split(separator: "\n").map(String.init)
            if keys.isEmpty { break }
            try await migrateKeys(keys, slot: slot, from: source, to: target)
        }
        try await finishSlotMigration(slot, from: source, to: target)
    }

    /// Marks `slot` importing on `target` and migrating on `source` (`CLUSTER SETSLOT … IMPORTING|MIGRATING`).
    /// - Throws: ``RedisTestServerError`` when a step fails.
    public func beginSlotMigration(_ slot: Int, from source: Int, to target: Int) async throws {
        let (sourceID, targetID) = try await ids(source, target)
        try await expectOK(target, ["cluster", "setslot", "\(slot)", "importing", sourceID])
        try await expectOK(source, ["cluster", "setslot", "\(slot)", "migrating", targetID])
    }

    /// Moves `keys` of a migrating slot from `source` to `target` with `MIGRATE … KEYS`.
    /// - Throws: ``RedisTestServerError`` when MIGRATE fails.
    public func migrateKeys(_ keys: [String], slot: Int, from source: Int, to target: Int) async throws {
        let reply = try await RedisProcess.run(
            cli,
            ["-p", "\(source)", "migrate", "127.0.0.1", "\(target)", "", "0", "5000", "KEYS"] + keys,
            timeout: .seconds(20)
        )
        guard reply.hasPrefix("OK") || reply.hasPrefix("NOKEY") else {
            throw RedisTestServerError("MIGRATE of slot \(slot) failed: \(reply)")
        }
    }

    /// Assigns `slot` to `target` on both nodes (`CLUSTER SETSLOT … NODE`), which ends its migration; the other
    /// nodes learn it from the cluster bus.
    /// - Throws: ``RedisTestServerError`` when a step fails.
    public func finishSlotMigration(_ slot: Int, from source: Int, to target: Int) async throws {
        let (_, targetID) = try await ids(source, target)
        try await expectOK(target, ["cluster", "setslot", "\(slot)", "node", targetID])
        try await expectOK(source, ["cluster", "setslot", "\(slot)", "node", targetID])
    }

    private func ids(_ source: Int, _ target: Int) async throws -> (String, String) {
        let nodes = try await clusterNodes()
        guard let from = nodes.first(where: { $0.port == source })?.id,
            let to = nodes.first(where: { $0.port == target })?.id
        else {
            throw RedisTestServerError("no node on port \(source) or \(target)")
        }
        return (from, to)
    }

    private func expectOK(_ port: Int, _ arguments: [String]) async throws {
        let reply = try await RedisProcess.run(cli, ["-p", "\(port)"] + arguments, timeout: .seconds(20))
        guard reply.hasPrefix("OK") else {
            throw RedisTestServerError("\(arguments.joined(separator: " ")) on \(port): \(reply)")
        }
    }

    // MARK: Internals

    /// `CLUSTER NODES` lines: `id host:port@bus flags primary ping pong epoch link slot…`.
    static func parseNodes(_ text: String) -> [Node] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 8, let colon = fields[1].lastIndex(of: ":") else { return nil }
            let portText = fields[1][fields[1].index(after: colon)...].prefix { $0 != "@" }
            guard let port = Int(portText) else { return nil }
            let flags = fields[2].split(separator: ",")
            var slots = 0
            for range in fields.dropFirst(8) where !range.hasPrefix("[") {
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                slots += bounds.count == 2 ? bounds[1] - bounds[0] + 1 : bounds.count
            }
            return Node(
                id: fields[0],
                port: port,
                isPrimary: flags.contains("master"),
                primaryID: fields[3] == "-" ? nil : fields[3],
                isFailed: flags.contains("fail"),
                slotCount: slots
            )
        }
    }

    /// `count` ports whose cluster bus ports (port + 10000) are free too. They are drawn from 10000–21999, below
    /// the range Linux hands out for outgoing connections (32768 and up), so that neither can be taken by a
    /// client's ephemeral port.
    private static func freePortPairs(_ count: Int) throws -> [Int] {
        var chosen: [Int] = []
        var tries = 0
        while chosen.count < count {
            tries += 1
            if tries > 10_000 {
                throw RedisTestServerError("cannot find \(count) free port pairs (port and port + 10000)")
            }
            let port = Int.random(in: 10_000...21_999)
            guard !chosen.contains(port), !chosen.contains(port + 10_000), !chosen.contains(port - 10_000),
                RedisProcess.canBind(port), RedisProcess.canBind(port + 10_000)
            else { continue }
            chosen.append(port)
        }
        return chosen
    }
}
