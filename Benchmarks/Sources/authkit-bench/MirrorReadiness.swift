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
    static func waitPastFeedBeginning(client: RedisClient, keyPrefix: String) async throws {
        let feed = RedisArgument(keyPrefix + "feed")
        let deadline = ContinuousClock.now + .seconds(10)
        var began: Int64?
        while true {
            began = beginning(try await client.send(["XRANGE", feed, "-", "+", "COUNT", "1"]))
            if began != nil { break }
            guard ContinuousClock.now < deadline else {
                throw BenchmarkError("no revocation mirror began the feed \(keyPrefix)feed within 10 s")
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
    /// but the mirror's polls (``pollCommands``). Throws when that has not happened within ten seconds.
    static func waitUntilServing(
        client: RedisClient,
        authenticate: @Sendable () async throws -> Void
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let before = await ServerCommandCounts.read(client) else {
                throw BenchmarkError("INFO commandstats could not be read")
            }
            for _ in 0..<10 {
                try await authenticate()
            }
            guard let after = await ServerCommandCounts.read(client) else {
                throw BenchmarkError("INFO commandstats could not be read")
            }
            if after.since(before).keys.allSatisfy(pollCommands.contains) {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the revocation mirror did not answer the checks within 10 s")
    }

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
