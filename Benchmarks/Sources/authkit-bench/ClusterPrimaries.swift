import RedisClient

/// A client of its own on each primary of a cluster, for what the cluster client cannot aim at one node: `INFO
/// commandstats` of every primary (the run's cost to the cluster is their sum), and a scan for the feed's streams.
enum ClusterPrimaries {
    /// One client per primary that `CLUSTER NODES`, asked through `client`, lists; empty when that fails.
    static func connect(through client: RedisClient) async -> [RedisClient] {
        guard let text = try? await client.send("CLUSTER", "NODES").string else { return [] }
        var clients: [RedisClient] = []
        for line in text.split(whereSeparator: \.isNewline) {
            // <id> <host:port@cport[,hostname]> <flags> ...: a primary's flags name `master`, and no `fail`.
            let fields = line.split(separator: " ")
            guard fields.count > 2 else { continue }
            let flags = fields[2].split(separator: ",")
            guard flags.contains("master"), !flags.contains("fail"),
                let address = fields[1].split(separator: "@").first,
                var configuration = try? RedisConfiguration(url: "redis://\(address)")
            else {
                continue
            }
            configuration.poolSize = 1
            configuration.connectTimeout = .seconds(1)
            clients.append(RedisClient(configuration: configuration, logger: quietLogger))
        }
        return clients
    }

    /// The commands every primary ran so far, summed; nil when any cannot be read.
    static func commandCounts(_ primaries: [RedisClient]) async -> ServerCommandCounts? {
        var total = ServerCommandCounts(calls: [:])
        for primary in primaries {
            guard let counts = await ServerCommandCounts.read(primary) else { return nil }
            total.calls.merge(counts.calls, uniquingKeysWith: +)
            total.microseconds.merge(counts.microseconds, uniquingKeysWith: +)
        }
        return total
    }
}
