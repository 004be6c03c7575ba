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
/// Metrics: those of `MirrorPolling`.
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
    /// The most entries one read of a stream takes through a client with `caps`: as many as its reply caps allow for
    /// entries at their largest (ids and jtis of 256 bytes: under 700 bytes and 11 reply elements each), up to
    /// ``maximumBatch``.
    static func batch(for caps: RedisConfiguration) -> Int {
        max(1, min(Self.maximumBatch, (caps.maxReplyElements - 64) / 11, caps.maxReplyBytes / 700))
    }

    /// How often the mirror forgets facts that can no longer refuse a token.
    static let pruneInterval: Duration = .seconds(30)

    private struct Tail {
        var mirror: RevocationMirrorState
        var cursor = FeedStreamCursor()
        var lastPrune: ContinuousInstant?
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
    /// The most entries one poll reads (``batch(for:)``).
    package let batch: Int
    package let clock: TimeSource
    private let logger: Logger
    private let tail: Mutex<Tail>
    private let polling: MirrorPolling

    /// A mirror of the store under `keyPrefix` reached through `client`. With `ownsClient`, ``run()`` services the
    /// client and shuts it down at its end (the mirror's own connection, so that a slow store connection does not
    /// hold up the feed, nor the other way round).
    ///
    /// Throws `TokenStoreError.Code.invalidConfiguration` for a policy that cannot work, and on Redis Cluster, where
    /// the feed is one stream per slot (``RedisClusterRevocationMirror`` reads it).
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
                "RedisRevocationMirror reads one server's feed; a cluster's is RedisClusterRevocationMirror's"
            )
        }
        self.policy = policy
        self.client = client
        self.ownsClient = ownsClient
        self.feedKey = RedisKeyspace(prefix: keyPrefix).feed
        self.batch = Self.batch(for: client.configuration)
        self.clock = clock
        self.logger = logger
        self.tail = Mutex(Tail(mirror: RevocationMirrorState(policy: policy)))
        self.polling = MirrorPolling(factory: metricsFactory)
    }

    /// Polls the feed until the task is cancelled: at once while behind, else every `pollInterval`
    /// (`MirrorPolling.run`, which says why on the client's I/O thread).
    package func run() async throws {
        try await polling.run(
            client: client,
            ownsClient: ownsClient,
            every: policy.pollInterval,
            logger: logger,
            poll: {
                switch try await self.poll() {
                case .began, .behind, .diverged: true
                case .caughtUp, .unreadable: false
                }
            },
            report: { self.tail.withLock { self.polling.report($0.mirror) } }
        )
    }

    /// Reads the feed once: begins it, reads a batch, and proves the mirror current when it has read everything.
    ///
    /// One transaction (`FeedStreamCursor`); when the feed does not exist, an `XADD` of its `b` entry begins it.
    package func poll() async throws -> PollResult {
        let sentAt = ContinuousInstant.now
        let now = clock.now()
        let position = tail.withLock { $0.cursor.position }
        let reading: FeedStreamCursor.Reading
        do {
            let commands = tail.withLock { $0.cursor.commands(feedKey, batch: batch) }
            reading = try FeedStreamCursor.reading(try await client.pipeline(commands)[...])
        } catch {
            polling.pollsFailed.increment()
            throw error
        }
        polling.pollsOK.increment()
        switch reading {
        case .missing:
            _ = try await client.send(FeedStreamCursor.beginning(feedKey, at: now))
            tail.withLock { tail in
                tail.mirror.apply(.began(at: now))
                tail.mirror.loseProof()
                tail.cursor.restart()
            }
            logger.info("began the revocation feed", metadata: ["feed": "\(feedKey)"])
            return .began
        case .unreadable(let reason):
            return unreadable(reason)
        case .read(let added, let entries):
            let result = tail.withLock { tail -> PollResult in
                let result = tail.cursor.apply(
                    entries,
                    added: added,
                    readFrom: position,
                    batch: batch,
                    to: &tail.mirror
                )
                guard result == .caughtUp else { return result }
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
    }

    package func withState<Result>(_ body: (borrowing RevocationMirrorState) -> Result) -> Result {
        tail.withLock { body($0.mirror) }
    }

    private func unreadable(_ reason: String) -> PollResult {
        tail.withLock { $0.mirror.markUnreadable() }
        logger.error(
            "the revocation feed holds what this version cannot read; every check goes to the store",
            metadata: ["reason": "\(reason)"]
        )
        return .unreadable
    }
}
