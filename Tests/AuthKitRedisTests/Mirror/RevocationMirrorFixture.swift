import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// Mirrors and stores for the revocation-mirror tests.
enum RevocationMirrorFixture {
    /// A mirror of the store under `prefix`.
    static func mirror(
        _ client: RedisClient,
        prefix: String,
        clock: TimeSource = .system,
        policy: RevocationMirrorPolicy = RevocationMirrorPolicy()
    ) throws -> RedisRevocationMirror {
        try RedisRevocationMirror(client: client, keyPrefix: prefix, policy: policy, clock: clock)
    }

    /// Polls until a poll finds the mirror caught up (it began the feed first when there was none).
    static func catchUp(_ mirror: RedisRevocationMirror) async throws {
        for _ in 0..<100_000 {
            switch try await mirror.poll() {
            case .caughtUp: return
            case .unreadable: throw RedisError(.protocol, "the mirror could not read the feed")
            case .began, .behind, .diverged: continue
            }
        }
        throw RedisError(.protocol, "the mirror did not catch up")
    }

    /// The entries of the feed under `prefix`, as a mirror reads them (in batches under the client's reply caps).
    static func feed(_ client: RedisClient, prefix: String) async throws -> [RevocationFeedEntry] {
        var entries: [RevocationFeedEntry] = []
        var after = "-"
        while true {
            let reply = try await client.send([
                "XRANGE", RedisArgument(prefix + "feed"), RedisArgument(after), "+", "COUNT", 500,
            ])
            let batch = try RevocationFeedDecoder.entries(reply)
            entries += batch.map(\.entry)
            guard batch.count == 500, let last = batch.last else { return entries }
            after = "(" + last.id
        }
    }
}
