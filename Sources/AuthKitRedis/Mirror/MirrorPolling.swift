package import AuthKitClock
package import Logging
package import Metrics
package import RedisClient
package import TokenStore

/// A mirror of a Redis store's revocation feed: ``RedisRevocationMirror`` on one server (or behind Sentinel),
/// ``RedisClusterRevocationMirror`` on a cluster.
package protocol RedisFeedMirror: AccessCheckMirror {
    init(
        client: RedisClient,
        ownsClient: Bool,
        keyPrefix: String,
        policy: RevocationMirrorPolicy,
        clock: TimeSource,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?
    ) throws(TokenStoreError)

    /// The clock the mirror prunes by and judges checks at when not given an instant.
    var clock: TimeSource { get }

    /// Runs `body` on the mirror's state, under the lock the poll loop updates it under.
    func withState<Result>(_ body: (borrowing RevocationMirrorState) -> Result) -> Result
}

extension RedisFeedMirror {
    /// The mirror's verdict on `check`, a token expiring at `expiresAt`, now on the mirror's clock.
    package func verdict(for check: AccessCheck, expiresAt: UnixTime) -> RevocationMirrorState.Verdict {
        verdict(for: check, expiresAt: expiresAt, at: clock.now())
    }

    /// The mirror's verdict on `check`, a token expiring at `expiresAt`, at `now`.
    package func verdict(for check: AccessCheck, expiresAt: UnixTime, at now: UnixTime) -> RevocationMirrorState.Verdict
    {
        let monotonicNow = ContinuousInstant.now
        return withState { $0.verdict(for: check, expiresAt: expiresAt, at: now, monotonicNow: monotonicNow) }
    }

    /// How many facts the mirror holds.
    package var count: Int {
        withState { $0.count }
    }
}

/// What the mirror of one server (``RedisRevocationMirror``) and the mirror of a cluster
/// (``RedisClusterRevocationMirror``) share: their metrics and the loop that polls.
///
/// Metrics: `authkit_mirror_lag_seconds` (time since the mirror was last proven current, at each poll),
/// `authkit_mirror_facts` (entries held), `authkit_mirror_polls_total` with `result` `ok` or `failed`.
struct MirrorPolling: Sendable {
    let pollsOK: Counter
    let pollsFailed: Counter
    private let lag: Gauge
    private let facts: Gauge

    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        lag = Gauge(label: "authkit_mirror_lag_seconds", factory: factory)
        facts = Gauge(label: "authkit_mirror_facts", factory: factory)
        pollsOK = Counter(label: "authkit_mirror_polls_total", dimensions: [("result", "ok")], factory: factory)
        pollsFailed = Counter(label: "authkit_mirror_polls_total", dimensions: [("result", "failed")], factory: factory)
    }

    /// Records how long ago `mirror` was proven current and how many facts it holds.
    func report(_ mirror: RevocationMirrorState) {
        if let provenAt = mirror.provenAt {
            lag.record(provenAt.duration(to: .now) / .seconds(1))
        }
        facts.record(mirror.count)
    }

    /// Calls `poll` until the task is cancelled: at once when it returns true (more waits to be read), else every
    /// `interval`. A failed poll is logged and retried at the next interval; meanwhile the proof ages and, past the
    /// staleness bound, every check goes to the store. With `ownsClient`, `client` is serviced meanwhile and shut
    /// down at the end.
    ///
    /// The loop runs on the client's I/O thread (its task executor), not on Swift's shared pool: requests that keep
    /// every pool thread busy must not delay the poll past the bound, which would send every check to the store
    /// just when load is highest. A poll that finds nothing new is a few microseconds there; one that catches up
    /// decodes a batch on that thread (bounded by the client's reply caps: about 5 ms at the default caps), which on an
    /// app's shared client delays its other replies that long, only while the mirror starts or catches up.
    func run(
        client: RedisClient,
        ownsClient: Bool,
        every interval: Duration,
        logger: Logger,
        poll: @escaping @Sendable () async throws -> Bool,
        report: @escaping @Sendable () -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            if ownsClient {
                group.addTask { try await client.run() }
            }
            group.addTask(executorPreference: client.taskExecutor) {
                defer { logger.debug("revocation mirror stopped") }
                var failures = 0
                while !Task.isCancelled {
                    var again = false
                    do {
                        again = try await poll()
                        failures = 0
                    } catch is CancellationError {
                        break
                    } catch {
                        failures += 1
                        if failures == 1 || failures % 100 == 0 {
                            logger.warning(
                                "the revocation feed did not answer; checks go to the store past the staleness bound",
                                metadata: ["error": "\(error)", "failures": "\(failures)"]
                            )
                        }
                    }
                    report()
                    if !again || failures > 0 {
                        try await Task.sleep(for: interval)
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
        if ownsClient {
            await client.shutdown()
        }
    }
}

extension RedisRevocationMirror: RedisFeedMirror {}
extension RedisClusterRevocationMirror: RedisFeedMirror {}
