import AuthKit
import AuthKitClock
import RedisClient

/// What a benchmark of the revocation mirror waits for before it measures: tokens issued late enough for the mirror
/// to answer for them, and a mirror that answers.
enum MirrorReadiness {
    /// Waits until the feed under `keyPrefix` exists (a running mirror's first poll begins it), then until a token
    /// issued from now on is past the feed's beginning plus the default clock margin. The mirror refers every check of
    /// a token issued earlier to the store, for as long as the token lives: a revocation from before the feed began is
    /// not in it. Throws when no mirror began the feed within ten seconds.
    ///
    /// On a cluster (`primaries` not empty) the feed is a stream per slot, `<prefix>feed:{<tag>}`, which the first
    /// poll of the first mirror begins all of (seconds, for 16,384 streams): the beginning is read from the first
    /// stream a scan of the primaries finds, and the wait allows a minute.
    static func waitPastFeedBeginning(
        client: RedisClient,
        keyPrefix: String,
        primaries: [RedisClient] = []
    ) async throws {
        let limit: Duration = primaries.isEmpty ? .seconds(10) : .seconds(60)
        let deadline = ContinuousClock.now + limit
        var began: Int64?
        while true {
            began =
                primaries.isEmpty
                ? beginning(
                    try await client.send(["XRANGE", RedisArgument(keyPrefix + "feed"), "-", "+", "COUNT", "1"])
                )
                : try await clusterBeginning(primaries, keyPrefix: keyPrefix)
            if began != nil { break }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkError("no revocation mirror began the feed \(keyPrefix)feed within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Tokens carry whole seconds: the first second the mirror answers for is the one after began + margin.
        let margin = RevocationMirrorPolicy().clockMargin.components
        let marginMilliseconds = margin.seconds * 1000 + margin.attoseconds / 1_000_000_000_000_000
        let answersFrom = ((began ?? 0) + marginMilliseconds) / 1000 * 1000 + 1000
        let wait = answersFrom - TimeSource.system.now().milliseconds + 20
        if wait > 0 {
            try await Task.sleep(for: .milliseconds(wait))
        }
    }

    /// The commands of a mirror's poll (one `MULTI` transaction), as `INFO commandstats` names them.
    static let pollCommands: Set<String> = ["multi", "xinfo", "xrange", "exec"]

    /// Waits until `authenticate` answers from the mirror: a round of checks during which the server ran nothing
    /// but the mirror's polls (``pollCommands``); on a cluster (`primaries` not empty), during which no primary ran a
    /// check command (``checkCommands``: the cluster mirror's polls there are many commands, of every node). Throws
    /// when that has not happened within ten seconds (twenty on a cluster).
    static func waitUntilServing(
        client: RedisClient,
        primaries: [RedisClient] = [],
        authenticate: @Sendable () async throws -> Void
    ) async throws {
        let onCluster = !primaries.isEmpty
        let limit: Duration = onCluster ? .seconds(20) : .seconds(10)
        let deadline = ContinuousClock.now + limit
        func counts() async throws -> ServerCommandCounts {
            let read =
                onCluster ? await ClusterPrimaries.commandCounts(primaries) : await ServerCommandCounts.read(client)
            guard let read else { throw BenchmarkError("INFO commandstats could not be read") }
            return read
        }
        while ContinuousClock.now < deadline {
            let before = try await counts()
            for _ in 0..<10 {
                try await authenticate()
            }
            let ran = try await counts().since(before).keys
            if onCluster ? ran.allSatisfy({ !checkCommands.contains($0) }) : ran.allSatisfy(pollCommands.contains) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the revocation mirror did not answer the checks within \(limit)")
    }

    /// When a cluster's feed began, from the first of its streams a scan of the primaries finds; nil before any.
    private static func clusterBeginning(_ primaries: [RedisClient], keyPrefix: String) async throws -> Int64? {
        for primary in primaries {
            let reply = try await primary.send(
                "SCAN",
                "0",
                "MATCH",
                RedisArgument(keyPrefix + "feed:{*}"),
                "COUNT",
                "1000"
            )
            guard let stream = reply.array?.last?.array?.first?.string else { continue }
            return beginning(try await primary.send(["XRANGE", RedisArgument(stream), "-", "+", "COUNT", "1"]))
        }
        return nil
    }

    /// The commands of the store's access check, as `INFO commandstats` names them.
    static let checkCommands: Set<String> = ["mget", "get", "hmget", "evalsha", "eval"]

    /// When the feed began, from its first entry (`k b t <milliseconds>`, written by the poll that began it), or
    /// the first entry's id time when the beginning was trimmed; nil when there is no feed.
    private static func beginning(_ reply: RedisReply) -> Int64? {
        guard let entry = reply.array?.first?.array, entry.count == 2, let id = entry[0].string else {
            return nil
        }
        let fields = (entry[1].array ?? []).compactMap(\.string)
        if fields.count == 4, fields[0] == "k", fields[1] == "b", fields[2] == "t", let at = Int64(fields[3]) {
            return at
        }
        return id.split(separator: "-").first.flatMap { Int64($0) }
    }
}
