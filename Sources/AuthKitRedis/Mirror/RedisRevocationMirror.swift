package import AuthKitClock
package import Logging
package import Metrics
package import RedisClient
import Synchronization
package import TokenStore

/// A local mirror of a ``RedisTokenStore``'s revocations, tailed from the store's revocation feed, that answers the
/// access check from memory while it can prove it is current (see `RevocationMirrorPolicy` and
/// Documentation/RevocationMirror.md).
///
/// ``run()`` polls the feed every `pollInterval`: the first poll begins the feed when there is none (from then on
/// every store appends to it), then the mirror reads it whole and, once caught up, each poll that finds nothing it
/// has not read proves it current as of when the poll was sent. A poll that finds the feed lost, rewound or trimmed
/// past the mirror's position (its count of entries added does not match what the mirror read) sends the mirror
/// back to reading the feed from its start, answering nothing until it has.
///
/// Metrics: `authkit_mirror_lag_seconds` (time since the mirror was last proven current, at each poll),
/// `authkit_mirror_facts` (entries held), `authkit_mirror_polls_total` with `result` `ok` or `failed`.
package final class RedisRevocationMirror: Sendable {
    /// The most entries one poll reads, whatever the client's reply caps allow.
    static let maximumBatch = 20_000

    /// The configuration of a mirror's own client, from the store's: one connection, a name that says it is the
    /// mirror's, and reply caps that let one poll read ``maximumBatch`` entries.
    package static func ownClientConfiguration(_ store: RedisConfiguration) -> RedisConfiguration {
        var own = store
        own.poolSize = 1
        own.clientName = own.clientName.map { "\($0)-mirror" }
        own.maxReplyElements = max(own.maxReplyElements, 262_144)
        own.maxReplyBytes = max(own.maxReplyBytes, 16 << 20)
        return own
    }
    /// How often the mirror forgets facts that can no longer refuse a token.
    static let pruneInterval: Duration = .seconds(30)

    private struct Tail {
        var mirror: RevocationMirrorState
        /// The id of the last entry read; `0-0` before the first.
        var position = "0-0"
        /// The feed's entries-added count at the last poll that found the mirror caught up, and the entries read
        /// since: together they say whether the feed still holds what the mirror read.
        var baseline: Int64?
        var readSinceBaseline: Int64 = 0
        var lastPrune: ContinuousClock.Instant?

        mutating func restart() {
            mirror.loseProof()
            position = "0-0"
            baseline = nil
            readSinceBaseline = 0
        }
    }

    /// What one poll found.
    package enum PollResult: Equatable, Sendable {
        /// There was no feed; the poll began it.
        case began
        /// The mirror read every entry there was and is proven current as of the poll.
        case caughtUp
        /// The mirror read a full batch; more entries wait.
        case behind
        /// The feed no longer holds what the mirror read: the mirror reads it again from its start.
        case diverged
        /// An entry could not be read; the mirror refers every check from now on.
        case unreadable
    }

    /// The mirror's policy.
    package let policy: RevocationMirrorPolicy
    private let client: RedisClient
    private let ownsClient: Bool
    private let feedKey: RedisArgument
    /// The most entries one poll reads: as many as the client's reply caps allow for entries at their largest (ids and
    /// jtis of 256 bytes: under 700 bytes and 11 reply elements each), up to ``maximumBatch``.
    package let batch: Int
    private let clock: TimeSource
    private let logger: Logger
    private let tail: Mutex<Tail>
    private let lag: Gauge
    private let facts: Gauge
    private let pollsOK: Counter
    private let pollsFailed: Counter

    /// A mirror of the store under `keyPrefix` reached through `client`. With `ownsClient`, ``run()`` services the
    /// client and shuts it down at its end (the mirror's own connection, so that a slow store connection does not
    /// hold up the feed, nor the other way round).
    ///
    /// Throws `TokenStoreError.Code.invalidConfiguration` for a policy that cannot work, and on Redis Cluster, where
    /// the feed is one stream per slot and the mirror does not tail it yet.
    package init(
        client: RedisClient,
        ownsClient: Bool = false,
        keyPrefix: String = "authkit:",
        policy: RevocationMirrorPolicy = RevocationMirrorPolicy(),
        clock: TimeSource = .system,
        logger: Logger = Logger(label: "authkit.mirror"),
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(TokenStoreError) {
        try policy.validate()
        guard client.configuration.topology.cluster == nil else {
            throw TokenStoreError(
                .invalidConfiguration,
                "the revocation mirror does not run on Redis Cluster yet; authenticate checks the store instead"
            )
        }
        self.policy = policy
        self.client = client
        self.ownsClient = ownsClient
        self.feedKey = RedisKeyspace(prefix: keyPrefix).feed
        let caps = client.configuration
        self.batch = max(1, min(Self.maximumBatch, (caps.maxReplyElements - 64) / 11, caps.maxReplyBytes / 700))
        self.clock = clock
        self.logger = logger
        self.tail = Mutex(Tail(mirror: RevocationMirrorState(policy: policy)))
        let factory = metricsFactory ?? MetricsSystem.factory
        lag = Gauge(label: "authkit_mirror_lag_seconds", factory: factory)
        facts = Gauge(label: "authkit_mirror_facts", factory: factory)
        pollsOK = Counter(label: "authkit_mirror_polls_total", dimensions: [("result", "ok")], factory: factory)
        pollsFailed = Counter(label: "authkit_mirror_polls_total", dimensions: [("result", "failed")], factory: factory)
    }

    /// Polls the feed until the task is cancelled: at once while behind, else every `pollInterval`. A failed poll
    /// is logged and retried at the next interval; meanwhile the proof ages and, past the staleness bound, every
    /// check goes to the store.
    ///
    /// The loop runs on the client's I/O thread (its task executor), not on Swift's shared pool: requests that keep
    /// every pool thread busy must not delay the poll past the bound, which would send every check to the store
    /// just when load is highest. A poll that finds nothing new is a few microseconds there; one that catches up
    /// decodes a batch on that thread (bounded by the client's reply caps: about 5 ms at the default caps), which on an
    /// app's shared client delays its other replies that long, only while the mirror starts or catches up.
    package func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            if ownsClient {
                group.addTask { try await self.client.run() }
            }
            group.addTask(executorPreference: client.taskExecutor) {
                defer { self.logger.debug("revocation mirror stopped") }
                var failures = 0
                while !Task.isCancelled {
                    var result = PollResult.caughtUp
                    do {
                        result = try await self.poll()
                        failures = 0
                    } catch {
                        failures += 1
                        if failures == 1 || failures % 100 == 0 {
                            self.logger.warning(
                                "the revocation feed did not answer; checks go to the store past the staleness bound",
                                metadata: ["error": "\(error)", "failures": "\(failures)"]
                            )
                        }
                    }
                    self.report()
                    if result == .caughtUp || result == .unreadable || failures > 0 {
                        try await Task.sleep(for: self.policy.pollInterval)
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

    /// Reads the feed once: begins it, reads a batch, and proves the mirror current when it has read everything.
    ///
    /// One transaction (`MULTI`, `XINFO STREAM`, `XRANGE` after the position, `EXEC`), so the count of entries added
    /// and the entries read are of one instant; when the feed does not exist, an `XADD` of its `b` entry begins it.
    package func poll() async throws -> PollResult {
        let sentAt = ContinuousClock.now
        let now = clock.now()
        let position = tail.withLock { $0.position }
        let replies: [RedisReply]
        do {
            replies = try await client.pipeline([
                ["MULTI"], ["XINFO", "STREAM", feedKey],
                ["XRANGE", feedKey, RedisArgument("(" + position), "+", "COUNT", RedisArgument(batch)], ["EXEC"],
            ])
        } catch {
            pollsFailed.increment()
            throw error
        }
        guard replies.count == 4, let results = replies[3].array, results.count == 2 else {
            pollsFailed.increment()
            throw RedisError(.protocol, "the feed's transaction was answered with \(replies.last ?? .null)")
        }
        if let message = results[0].errorMessage {
            guard message.contains("no such key") else {
                pollsFailed.increment()
                throw RedisError(.server, message)
            }
            _ = try await client.send(["XADD", feedKey, "*", "k", "b", "t", RedisArgument(now.milliseconds)])
            pollsOK.increment()
            tail.withLock { tail in
                tail.mirror.apply(.began(at: now))
                tail.restart()
            }
            logger.info("began the revocation feed", metadata: ["feed": "\(feedKey)"])
            return .began
        }
        pollsOK.increment()
        guard let added = Self.entriesAdded(results[0]) else {
            return unreadable("XINFO STREAM gave no entries-added")
        }
        let entries: [RevocationFeedDecoder.Entry]
        do {
            entries = try RevocationFeedDecoder.entries(results[1])
        } catch {
            return unreadable(error.reason)
        }
        let result = tail.withLock { tail -> PollResult in
            guard tail.position == position else {
                return .behind  // another poll moved on meanwhile: this one's reading is already applied
            }
            if position == "0-0", entries.first.map({ if case .began = $0.entry { false } else { true } }) ?? true {
                // Read from its start, the feed no longer holds its beginning: everything before what it holds was
                // trimmed, older than the feed's retention, so no revocation in it can still refuse a token.
                tail.mirror.apply(.began(at: UnixTime(sinceEpoch: .zero)))
            }
            for entry in entries {
                tail.mirror.apply(entry.entry)
            }
            if let last = entries.last {
                tail.position = last.id
            }
            guard entries.count < batch else {
                tail.readSinceBaseline += Int64(entries.count)
                return .behind
            }
            if let baseline = tail.baseline, added != baseline + tail.readSinceBaseline + Int64(entries.count) {
                tail.restart()
                return .diverged
            }
            tail.baseline = added
            tail.readSinceBaseline = 0
            tail.mirror.prove(sentAt: sentAt)
            if tail.lastPrune.map({ $0.duration(to: sentAt) >= Self.pruneInterval }) ?? true {
                tail.mirror.prune(at: now)
                tail.lastPrune = sentAt
            }
            return .caughtUp
        }
        if result == .diverged {
            logger.warning("the revocation feed diverged from what the mirror read; reading it again")
        }
        return result
    }

    /// The mirror's verdict on `check`, a token expiring at `expiresAt`, now.
    package func verdict(for check: AccessCheck, expiresAt: UnixTime) -> RevocationMirrorState.Verdict {
        let now = clock.now()
        let monotonicNow = ContinuousClock.now
        return tail.withLock {
            $0.mirror.verdict(for: check, expiresAt: expiresAt, at: now, monotonicNow: monotonicNow)
        }
    }

    /// How many facts the mirror holds.
    package var count: Int {
        tail.withLock { $0.mirror.count }
    }

    /// The `entries-added` of an `XINFO STREAM` reply (a flat list of names and values).
    private static func entriesAdded(_ reply: RedisReply) -> Int64? {
        guard let items = reply.array else { return nil }
        for index in stride(from: 0, to: items.count - 1, by: 2) where items[index].string == "entries-added" {
            return items[index + 1].integer
        }
        return nil
    }

    private func unreadable(_ reason: String) -> PollResult {
        tail.withLock { $0.mirror.markUnreadable() }
        logger.error(
            "the revocation feed holds what this version cannot read; every check goes to the store",
            metadata: ["reason": "\(reason)"]
        )
        return .unreadable
    }

    private func report() {
        let (provenAt, held) = tail.withLock { ($0.mirror.provenAt, $0.mirror.count) }
        if let provenAt {
            lag.record(provenAt.duration(to: ContinuousClock.now) / .seconds(1))
        }
        facts.record(held)
    }
}

extension RedisRevocationMirror: AccessCheckMirror {}
