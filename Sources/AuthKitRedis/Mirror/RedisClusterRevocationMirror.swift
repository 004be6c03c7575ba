package import AuthKitClock
package import Logging
package import Metrics
package import RedisClient
import Synchronization
package import TokenStore

/// A local mirror of a ``RedisTokenStore``'s revocations on Redis Cluster, where the feed is one stream per slot
/// (`<prefix>feed:{<tag>}`): told which streams changed, it reads only those, and proves itself current with a
/// nonce published on every node (Documentation/RevocationMirror.md §3.1).
///
/// - **Told.** Every store script that appends to a slot's stream announces it in the same script, with
///   `PUBLISH <prefix>feed <stream>`. Redis writes a message to the subscribers on its own node while the script
///   runs, before any later command there. The mirror subscribes on every node of the cluster, primaries and
///   replicas alike (a replica may be promoted), each through a client of its own.
/// - **Proven.** Each poll publishes a nonce on every node, and reads `CLUSTER NODES` there. Once every node's nonce
///   has come back on that node's subscription, every script that ran on any node before the poll was sent has been
///   announced to the mirror. The mirror then reads the streams it was told of, as the mirror of one server reads its
///   stream (`FeedStreamCursor`), and is proven current as of the poll's sending. A node that some node lists, is not
///   marked failed and has no subscription of the mirror's (one joining the cluster) holds the proof back until the
///   mirror has subscribed to it and read every stream again.
/// - **Started again.** At the start, and whenever a subscription ends (its connection lost), the mirror reads every
///   slot's stream, beginning those that do not exist: the writes of a node during the gap were not announced.
///
/// Metrics are those of `MirrorPolling`; logs those of ``RedisRevocationMirror``.
package final class RedisClusterRevocationMirror: Sendable {
    /// The most slots one pipeline reads.
    static let slotsPerRead = 512
    /// The most entries one read of one slot's stream takes (a slot holds about 1/16,384 of the feed).
    static let maximumSlotBatch = 1_000

    /// What one poll found.
    package enum PollResult: Equatable, Sendable {
        /// Every stream announced was read, every node's nonce came back: the mirror is proven current as of the
        /// poll.
        case caughtUp
        /// Streams wait to be read (more entries than one read takes, or every slot after a subscription changed):
        /// poll again at once.
        case behind
        /// A node some node lists has no subscription yet: the next poll subscribes to it.
        case unknownNodes
    }

    private struct State {
        var mirror: RevocationMirrorState
        var cursors = [FeedStreamCursor](repeating: FeedStreamCursor(), count: HashSlot.count)
        /// The slots whose streams are to be read: every one at first and after a subscription was lost, then those
        /// announced.
        var dirty = Set(0..<HashSlot.count)
        var lastPrune: ContinuousInstant?
    }

    /// The mirror's subscription on one node, and what it has heard there.
    private final class NodeLink: Sendable {
        struct Heard {
            var nonce: UInt64 = 0
            var ended = false
        }

        let id: String
        let client: RedisClient
        let heard = Mutex(Heard())
        let listener = Mutex<Task<Void, Never>?>(nil)

        init(id: String, client: RedisClient) {
            self.id = id
            self.client = client
        }

        func close() async {
            listener.withLock { $0 }?.cancel()
            await client.shutdown()
        }
    }

    package let policy: RevocationMirrorPolicy
    private let client: RedisClient
    private let ownsClient: Bool
    private let prefix: String
    private let channel: String
    package let clock: TimeSource
    private let logger: Logger
    private let state: Mutex<State>
    private let links = Mutex<[String: NodeLink]>([:])
    /// Nodes a probe listed that had no subscription, for the next poll to subscribe to.
    private let unlinked = Mutex<[ClusterNodeList.Node]>([])
    /// The most entries one read of a slot's stream takes (``RedisRevocationMirror/batch``'s rule).
    private let batch: Int
    private let nonces = Atomic<UInt64>(0)
    private let polling: MirrorPolling

    /// A mirror of the store under `keyPrefix` on the cluster `client` reaches. With `ownsClient`, ``run()`` services
    /// the client and shuts it down at its end.
    ///
    /// Throws `TokenStoreError.Code.invalidConfiguration` for a policy that cannot work, or a client that is not a
    /// cluster's.
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
        guard client.configuration.topology.cluster != nil else {
            throw TokenStoreError(.invalidConfiguration, "RedisClusterRevocationMirror needs a cluster's client")
        }
        self.policy = policy
        self.client = client
        self.ownsClient = ownsClient
        self.prefix = keyPrefix
        self.channel = RedisKeyspace(prefix: keyPrefix).feedChannel
        self.batch = min(Self.maximumSlotBatch, RedisRevocationMirror.batch(for: client.configuration))
        self.clock = clock
        self.logger = logger
        self.state = Mutex(State(mirror: RevocationMirrorState(policy: policy)))
        self.polling = MirrorPolling(factory: metricsFactory)
    }

    /// Polls until the task is cancelled: at once while streams wait to be read, else every `pollInterval`
    /// (`MirrorPolling.run`); then closes the subscriptions.
    package func run() async throws {
        do {
            try await polling.run(
                client: client,
                ownsClient: ownsClient,
                every: policy.pollInterval,
                logger: logger,
                poll: { try await self.poll() == .behind },
                report: { self.state.withLock { self.polling.report($0.mirror) } }
            )
        } catch {
            await closeLinks()
            throw error
        }
        await closeLinks()
    }

    /// Polls once: subscribes where it must, publishes a nonce on every node, reads the streams announced, and proves
    /// the mirror current when nothing is left to read.
    package func poll() async throws -> PollResult {
        let sentAt = ContinuousInstant.now
        let now = clock.now()
        do {
            try await link()
            let nonce = nonces.add(1, ordering: .relaxed).newValue
            let views = try await probe(nonce)
            try await waitForNonce(nonce)
            let linked = Set(links.withLock { $0.keys })
            let unknown = Self.unknownNodes(in: views, linked: linked)
            // Every stream announced before the nonces came back is in this read; announcements that arrive while
            // it runs are of later writes, which the next poll reads.
            let complete = try await readAnnounced(now: now)
            polling.pollsOK.increment()
            guard unknown.isEmpty else {
                unlinked.withLock { $0 = unknown }
                logger.info(
                    "a node of the cluster has no subscription yet",
                    metadata: ["nodes": "\(unknown.map(\.id))"]
                )
                return .unknownNodes
            }
            return state.withLock { state in
                guard complete else { return .behind }
                state.mirror.prove(sentAt: sentAt)
                if state.lastPrune.map({ $0.duration(to: sentAt) >= RedisRevocationMirror.pruneInterval }) ?? true {
                    state.mirror.prune(at: now)
                    state.lastPrune = sentAt
                }
                return .caughtUp
            }
        } catch {
            polling.pollsFailed.increment()
            throw error
        }
    }

    package func withState<Result>(_ body: (borrowing RevocationMirrorState) -> Result) -> Result {
        state.withLock { body($0.mirror) }
    }

    /// How many nodes the mirror is subscribed on.
    package var subscribedNodes: Int {
        links.withLock { $0.count }
    }

    // MARK: Subscriptions

    /// Drops the subscriptions that ended and those of nodes the cluster no longer lists (or marks failed), and
    /// subscribes on every node listed that has none; any change sends every slot to be read again.
    private func link() async throws {
        var listed = try ClusterNodeList(try await client.send(["CLUSTER", "NODES"]).string ?? "").live
        for node in unlinked.withLock({ $0 }) where !listed.contains(where: { $0.id == node.id }) {
            listed.append(node)
        }
        let (ended, gone) = links.withLock { links in
            let ended = links.values.filter { $0.heard.withLock { $0.ended } }
            let gone = links.values.filter { link in !listed.contains { $0.id == link.id } }
            for link in ended + gone {
                links[link.id] = nil
            }
            return (ended, gone)
        }
        for link in ended + gone {
            await link.close()
        }
        var added = 0
        for node in listed where links.withLock({ $0[node.id] == nil }) {
            let link = try await subscribe(node)
            links.withLock { $0[node.id] = link }
            added += 1
        }
        unlinked.withLock { $0 = [] }
        if !ended.isEmpty || added > 0 {
            state.withLock { state in
                state.dirty = Set(0..<HashSlot.count)
                state.mirror.loseProof()
            }
            if !ended.isEmpty {
                logger.warning(
                    "a subscription to the revocation feed ended; reading every slot's stream again",
                    metadata: ["nodes": "\(ended.map(\.id))"]
                )
            }
        }
    }

    /// A subscription to the feed's announcements on `node`, through a client of its own.
    private func subscribe(_ node: ClusterNodeList.Node) async throws -> NodeLink {
        var configuration = client.configuration
        configuration.topology = .single
        // A node that does not know its own address yet lists itself without one: it is the seed answered from.
        var host = node.host
        if host.isEmpty, case .tcp(let seed, _) = configuration.endpoint {
            host = seed
        }
        configuration.endpoint = .tcp(host: host, port: node.port)
        configuration.poolSize = 1
        configuration.clientName = configuration.clientName.map { "\($0)-mirror" }
        let link = NodeLink(id: node.id, client: RedisClient(configuration: configuration, logger: logger))
        let subscription: RedisSubscription
        do {
            subscription = try await link.client.subscribe([channel], resubscribe: false)
        } catch {
            await link.client.shutdown()
            throw error
        }
        let task = Task { [weak self] in
            for await message in subscription {
                self?.heard(message, on: link)
            }
            link.heard.withLock { $0.ended = true }
        }
        link.listener.withLock { $0 = task }
        return link
    }

    /// One message on a node's subscription: a probe's nonce, or a slot's stream announced.
    private func heard(_ message: RedisPubSubMessage, on link: NodeLink) {
        let text = message.text
        if let nonce = Self.nonce(text) {
            link.heard.withLock { $0.nonce = max($0.nonce, nonce) }
            return
        }
        state.withLock { _ = $0.dirty.insert(HashSlot.slot(of: message.payload)) }
    }

    private func closeLinks() async {
        let all = links.withLock { links in
            defer { links = [:] }
            return Array(links.values)
        }
        for link in all {
            await link.close()
        }
    }

    // MARK: Proof

    /// The text of the probe with `nonce`: no stream's name starts with it.
    private static func probeText(_ nonce: UInt64) -> String {
        "probe \(nonce)"
    }

    private static func nonce(_ text: String) -> UInt64? {
        guard text.hasPrefix("probe ") else { return nil }
        return UInt64(text.dropFirst(6))
    }

    /// Publishes `nonce` on every node and returns each node's `CLUSTER NODES`, read after the publish.
    private func probe(_ nonce: UInt64) async throws -> [ClusterNodeList] {
        let all = links.withLock { Array($0.values) }
        let command: [[RedisArgument]] = [
            ["PUBLISH", RedisArgument(channel), RedisArgument(Self.probeText(nonce))], ["CLUSTER", "NODES"],
        ]
        return try await withThrowingTaskGroup(of: ClusterNodeList.self) { group in
            for link in all {
                group.addTask {
                    let replies = try await link.client.pipeline(command)
                    if let message = replies.first?.errorMessage {
                        throw RedisError(.server, message)
                    }
                    return try ClusterNodeList(replies.last?.string ?? "")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Waits, for at most the staleness bound, until every subscription has heard `nonce`.
    private func waitForNonce(_ nonce: UInt64) async throws {
        let deadline = ContinuousClock.now + policy.stalenessBound
        while true {
            let (waiting, ended) = links.withLock { links in
                let heard = links.values.map { link in (link.id, link.heard.withLock { $0 }) }
                return (heard.filter { $0.1.nonce < nonce }.map(\.0), heard.filter(\.1.ended).map(\.0))
            }
            guard ended.isEmpty else {
                throw RedisError(.connectionClosed, "the feed's subscription on \(ended) ended")
            }
            if waiting.isEmpty {
                return
            }
            guard ContinuousClock.now < deadline else {
                throw RedisError(.timeout, "the feed's probe did not come back from \(waiting)")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The nodes listed in `views`, not marked failed, that have no subscription.
    private static func unknownNodes(in views: [ClusterNodeList], linked: Set<String>) -> [ClusterNodeList.Node] {
        var unknown: [String: ClusterNodeList.Node] = [:]
        for node in views.flatMap(\.live) where !linked.contains(node.id) {
            unknown[node.id] = node
        }
        return unknown.values.sorted { $0.id < $1.id }
    }

    // MARK: Reading

    /// Reads the streams of the slots waiting to be read now, a pipeline of up to ``slotsPerRead`` at a time,
    /// beginning those that do not exist.
    /// - Returns: Whether every one of them was read to its end; those that were not (more entries than one read
    ///   takes, diverged, just begun) wait for the next poll.
    private func readAnnounced(now: UnixTime) async throws -> Bool {
        let waiting = state.withLock { state in
            defer { state.dirty = [] }
            return state.dirty.sorted()
        }
        var index = 0
        var complete = true
        do {
            while index < waiting.count {
                let slots = Array(waiting[index..<min(index + Self.slotsPerRead, waiting.count)])
                complete = try await read(slots, now: now) && complete
                index += slots.count
            }
        } catch {
            state.withLock { $0.dirty.formUnion(waiting[index...]) }
            throw error
        }
        return complete
    }

    /// Reads the streams of `slots` in one pipeline; returns whether each was read to its end.
    private func read(_ slots: [Int], now: UnixTime) async throws -> Bool {
        let (positions, commands) = state.withLock { state in
            var commands: [[RedisArgument]] = []
            commands.reserveCapacity(slots.count * 4)
            for slot in slots {
                commands += state.cursors[slot].commands(Self.key(prefix, slot), batch: batch)
            }
            return (slots.map { state.cursors[$0].position }, commands)
        }
        let replies = try await client.pipeline(commands)
        var missing: [Int] = []
        var complete = true
        for (offset, slot) in slots.enumerated() {
            let reading: FeedStreamCursor.Reading
            do {
                reading = try FeedStreamCursor.reading(replies[offset * 4..<offset * 4 + 4])
            } catch {
                state.withLock { _ = $0.dirty.insert(slot) }
                throw error
            }
            switch reading {
            case .missing:
                missing.append(slot)
            case .unreadable(let reason):
                complete = false
                state.withLock { $0.mirror.markUnreadable() }
                logger.error(
                    "the revocation feed holds what this version cannot read; every check goes to the store",
                    metadata: ["reason": "\(reason)", "slot": "\(slot)"]
                )
            case .read(let added, let entries):
                let result = state.withLock { state in
                    state.cursors[slot].apply(
                        entries,
                        added: added,
                        readFrom: positions[offset],
                        batch: batch,
                        to: &state.mirror
                    )
                }
                if result != .caughtUp {
                    complete = false
                    state.withLock { _ = $0.dirty.insert(slot) }
                }
                if result == .diverged {
                    logger.warning(
                        "a slot's revocation feed diverged from what the mirror read; reading it again",
                        metadata: ["slot": "\(slot)"]
                    )
                }
            }
        }
        guard !missing.isEmpty else { return complete }
        // A stream found missing had no entry a writer could have appended (writers append only to a stream that
        // exists): once begun it holds only its `b` entry, which is applied here. Another mirror's `b` written just
        // before it makes the count differ at the slot's next read, which then reads the stream again.
        let begun = try await client.pipeline(missing.map { FeedStreamCursor.beginning(Self.key(prefix, $0), at: now) })
        return state.withLock { state in
            state.mirror.apply(.began(at: now))
            for (slot, reply) in zip(missing, begun) {
                guard let id = reply.string else {
                    complete = false
                    state.dirty.insert(slot)
                    continue
                }
                state.cursors[slot].begun(at: id)
            }
            return complete
        }
    }

    /// The stream of `slot`.
    private static func key(_ prefix: String, _ slot: Int) -> RedisArgument {
        RedisKeyspace(prefix: prefix).feed(slot: slot)
    }
}
