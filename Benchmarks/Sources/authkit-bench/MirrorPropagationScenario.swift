import AuthKit
import AuthKitRedis
import RedisClient
import Synchronization

/// `mirror-propagation`: how long a logout on one instance takes to be enforced by another instance's revocation
/// mirror, with the default policy (poll every 250 ms, staleness bound 1 s), on loopback.
///
/// Two facades share one Redis and key prefix, each on a client (connection pool) of its own: the writer, without a
/// mirror, logs users in and out; the reader runs with `RevocationMirrorPolicy()` and its `run()`, and measures once
/// its mirror answers. `--concurrency` workers repeat, `--samples` times in all: a login on the writer, an
/// `authenticate` of the token on the reader (accepted), a pause of a random part of the poll interval,
/// `logout(accessToken:)` on the writer, then `authenticate` on the reader every 200 µs until it refuses the token. The latency is from the writer's acknowledgement of the logout
/// to the first refusal; a token accepted more than the staleness bound after the acknowledgement is counted as a
/// late acceptance (none is allowed). The server's commands are counted over the measurement: an `MGET` would be a
/// check the reader's mirror referred to the store.
enum MirrorPropagationScenario {
    static func run(options: BenchmarkOptions) async throws -> String {
        var redis = try RedisConfiguration(url: options.url ?? "")
        redis.commandTimeout = .milliseconds(Int64(options.commandTimeoutMilliseconds))
        redis.connectTimeout = .seconds(1)
        let key = try JWTKey.hs256(Array("authkit-bench-hmac-secret-32-by!".utf8), kid: "bench")
        let policy = RevocationMirrorPolicy()
        var configuration = AuthKitConfiguration(
            issuer: "https://api.example.com",
            audience: "api",
            signingKeys: [key],
            keyPrefix: "authkit-bench-propagation:"
        )
        let writerClient = RedisClient(configuration: redis, logger: quietLogger)
        let writer = try await AuthKit(
            configuration: configuration,
            store: .redis(client: writerClient),
            logger: quietLogger
        )
        configuration.revocationMirror = policy
        let readerClient = RedisClient(configuration: redis, logger: quietLogger)
        let reader = try await AuthKit(
            configuration: configuration,
            store: .redis(client: readerClient),
            logger: quietLogger
        )
        Task { try await reader.run() }
        try await MirrorReadiness.waitPastFeedBeginning(client: writerClient, keyPrefix: configuration.keyPrefix)
        let probe = try await writer.login(userID: "propagation-probe").accessToken
        try await MirrorReadiness.waitUntilServing(client: writerClient) {
            _ = try await reader.authenticate(token: probe)
        }

        let bound =
            UInt64(policy.stalenessBound.components.seconds) * 1_000_000_000
            + UInt64(policy.stalenessBound.components.attoseconds / 1_000_000_000)
        let next = SharedCounter()
        let lateAcceptances = SharedCounter()
        let latencies = SharedLatencies()
        let samples = options.samples
        let interval = policy.pollInterval.components
        let intervalMilliseconds = interval.seconds * 1000 + interval.attoseconds / 1_000_000_000_000_000
        let pollMicroseconds = intervalMilliseconds * 1000
        let countsBefore = await ServerCommandCounts.read(writerClient)
        let start = monotonicNanoseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(options.concurrency, options.samples) {
                group.addTask {
                    while true {
                        let index = next.value.add(1, ordering: .relaxed).oldValue
                        guard index < samples else { return }
                        let token = try await writer.login(userID: "propagation-\(index)").accessToken
                        _ = try await reader.authenticate(token: token)
                        // At a random point of the poll cycle: right after the refusal that ended the last sample,
                        // the next logout would always land just after a poll, and wait the whole interval.
                        try await Task.sleep(for: .microseconds(Int64.random(in: 0..<pollMicroseconds)))
                        try await writer.logout(accessToken: token)
                        let acknowledged = monotonicNanoseconds()
                        var late = false
                        while true {
                            do {
                                _ = try await reader.authenticate(token: token)
                            } catch let error as AuthKitError
                                where error.code == .tokenRevoked || error.code == .sessionEnded
                            {
                                latencies.value.withLock { $0.append(monotonicNanoseconds() - acknowledged) }
                                break
                            }
                            let waited = monotonicNanoseconds() - acknowledged
                            if waited > bound, !late {
                                late = true
                                lateAcceptances.value.add(1, ordering: .relaxed)
                            }
                            guard waited < 10 * bound else {
                                throw BenchmarkError("a logged-out token was still accepted 10 s later")
                            }
                            try await Task.sleep(for: .microseconds(200))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let countsAfter = await ServerCommandCounts.read(writerClient)
        var serverCommands = ""
        if let before = countsBefore, let after = countsAfter {
            serverCommands = ",\"redis_commands\":" + ServerCommandCounts.json(after.since(before))
        }
        let sorted = latencies.value.withLock { $0.sorted() }
        func milliseconds(_ fraction: Double) -> Double {
            rounded(percentile(sorted, fraction) / 1000, 2)
        }
        return "{\"scenario\":\"mirror-propagation\",\"samples\":\(sorted.count),"
            + "\"concurrency\":\(options.concurrency),\"seconds\":\(rounded(seconds, 3)),"
            + "\"poll_interval_ms\":\(intervalMilliseconds),\"p50_ms\":\(milliseconds(0.5)),"
            + "\"p90_ms\":\(milliseconds(0.9)),\"p99_ms\":\(milliseconds(0.99)),\"max_ms\":\(milliseconds(1)),"
            + "\"late_acceptances\":\(lateAcceptances.value.load(ordering: .relaxed))\(serverCommands)}"
    }
}

/// Latencies in nanoseconds that the tasks of a group append to.
final class SharedLatencies: Sendable {
    let value = Mutex<[UInt64]>([])
}
