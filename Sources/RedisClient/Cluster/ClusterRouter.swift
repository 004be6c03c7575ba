import Logging
import Synchronization

/// The cluster side of a ``RedisClient``: the slot map, one ``ConnectionPool`` per primary on the client's loop,
/// and the routing of commands, pipelines, scripts and subscriptions to the primary that owns their keys.
///
/// What to do after each reply is decided by pure values (``ClusterCommandAttempt`` for one command,
/// ``ClusterRouterState`` for the map and its reads); this type performs it. Map reads run on the loop thread:
/// `CLUSTER SHARDS` (or `CLUSTER SLOTS` where the server lacks it) to each candidate node in turn.
///
/// `@unchecked Sendable`: `state` is behind a `Mutex`; `sessions`, `retiring` and `periodicArmed` are touched only
/// on the loop thread.
final class ClusterRouter: SubscriptionHost, @unchecked Sendable {
    typealias Waiter = @Sendable (Result<Void, RedisError>) -> Void

    /// Commands of one unit of work, encoded, bound for one slot.
    struct Unit: Sendable {
        var bytes: [UInt8]
        var count: Int
        var slot: Int?
        /// A blocking command, sent on a connection of its own.
        var dedicated = false
    }

    let loop: EventLoop
    let configuration: RedisConfiguration
    let logger: Logger
    private let cluster: RedisClusterConfiguration
    private let tlsContext: TLSContext?
    /// The client's metrics, shared by the pool of every node.
    private let metrics: RedisClientMetrics
    private let state: Mutex<ClusterRouterState<ConnectionPool, Waiter>>
    private var sessions: [ObjectIdentifier: SubscriberSession] = [:]
    private var retiring: [ConnectionPool] = []
    private var periodicArmed = false
    private var eager = false
    /// Whether the last map read failed: only the first failure of a run of them is a warning.
    private var failing = false
    private var random = SystemRandomNumberGenerator()

    private static let asking: [UInt8] = Array("*1\r\n$6\r\nASKING\r\n".utf8)
    private static let shards: [UInt8] = Array("*2\r\n$7\r\nCLUSTER\r\n$6\r\nSHARDS\r\n".utf8)
    private static let slots: [UInt8] = Array("*2\r\n$7\r\nCLUSTER\r\n$5\r\nSLOTS\r\n".utf8)

    init(
        loop: EventLoop,
        configuration: RedisConfiguration,
        cluster: RedisClusterConfiguration,
        tlsContext: TLSContext?,
        logger: Logger,
        metrics: RedisClientMetrics
    ) {
        self.metrics = metrics
        self.loop = loop
        self.configuration = configuration
        self.cluster = cluster
        self.tlsContext = tlsContext
        self.logger = logger
        self.state = Mutex(
            ClusterRouterState(
                seeds: cluster.seeds,
                minimumRefreshInterval: Monotonic.nanoseconds(cluster.minimumRefreshInterval)
            )
        )
    }

    var isShutdown: Bool { state.withLock { $0.isShutdown } }

    /// The primaries of the current slot map (empty before the first read), for tests and diagnostics.
    var primaries: [RedisNodeAddress] { state.withLock { $0.map?.primaries ?? [] } }

    /// The pool of every primary of the slot map, reading the map first when there is none yet.
    /// - Throws: ``RedisError`` when no map can be read.
    func primaryPools() async throws -> [ConnectionPool] {
        _ = try await resolve(.slotOwner, slot: nil)
        return state.withLock { state in
            (state.map?.primaries ?? []).map { state.pool(for: $0, makePool: makePool) }
        }
    }

    /// The primary the current map names for `slot`.
    func owner(of slot: Int) -> RedisNodeAddress? {
        state.withLock { $0.map?.owner(of: slot) }
    }

    // MARK: Commands

    /// Runs one unit (a command, or commands that must share a connection) on the owner of its slot, following
    /// redirections and retrying within `deadline` as ``ClusterCommandAttempt`` decides. With a `script`, a
    /// `NOSCRIPT` reply loads it on the node that gave it and runs the unit there again.
    /// - Throws: ``RedisError``.
    func run(
        _ unit: Unit,
        deadline: UInt64,
        script: RedisScript? = nil,
        from start: (attempt: ClusterCommandAttempt, target: ClusterCommandAttempt.Target)? = nil
    ) async throws -> [RedisReply] {
        var attempt = start?.attempt ?? newAttempt(deadline: deadline)
        var target = start?.target ?? .slotOwner
        while true {
            var replies: [RedisReply] = []
            let outcome: ClusterCommandAttempt.Outcome
            do {
                let (pool, node) = try await resolve(target, slot: unit.slot)
                let asking: Bool
                if case .node(_, let flag) = target { asking = flag } else { asking = false }
                replies = try await send(unit, on: pool, asking: asking, deadline: deadline)
                if let script, unit.count == 1, replies[0].errorMessage?.hasPrefix("NOSCRIPT") == true {
                    try await load(script, on: pool, deadline: deadline)
                    replies = try await send(unit, on: pool, asking: asking, deadline: deadline)
                }
                outcome = .reply(Self.deciding(replies), from: node)
            } catch let error as RedisError {
                outcome = .failure(error)
            }
            let decision = attempt.next(after: outcome, now: Monotonic.now())
            apply(decision)
            switch decision.action {
            case .finish(.success):
                return replies
            case .finish(.failure(let error)):
                throw error
            case .retry(let next, let delay):
                if delay > 0 {
                    try await Task.sleep(for: .nanoseconds(delay))
                }
                target = next
            }
        }
    }

    /// Runs a pipeline: units of the same primary go together in one write, the primaries in parallel, and the
    /// replies come back in the caller's order. A unit redirected or refused with `TRYAGAIN` is run again on its
    /// own; a node that cannot be reached has its units retried on their own within the deadline.
    /// - Throws: ``RedisError``: ``RedisError/Code/crossSlot`` before anything is sent, or the failure of a part.
    func pipeline(
        _ encoded: [[UInt8]],
        units plan: [ClusterPipelinePlan.Unit],
        deadline: UInt64
    ) async throws
        -> [RedisReply]
    {
        let units = plan.map { planned in
            Unit(bytes: Array(encoded[planned.range].joined()), count: planned.range.count, slot: planned.slot)
        }
        var replies = [RedisReply](repeating: .null, count: encoded.count)
        var groups: [(pool: ConnectionPool, node: RedisNodeAddress, units: [Int])] = []
        var alone: [Int] = []
        for (index, unit) in units.enumerated() {
            guard let (pool, node) = try? await resolve(.slotOwner, slot: unit.slot ?? units.first?.slot) else {
                alone.append(index)
                continue
            }
            if let group = groups.firstIndex(where: { $0.node == node }) {
                groups[group].units.append(index)
            } else {
                groups.append((pool, node, [index]))
            }
        }
        let results = try await withThrowingTaskGroup(of: (Int, [RedisReply]?).self) { tasks in
            for (number, group) in groups.enumerated() {
                let bytes = Array(group.units.map { units[$0].bytes }.joined())
                let count = group.units.reduce(0) { $0 + units[$1].count }
                tasks.addTask {
                    do {
                        return (number, try await group.pool.execute(batch: bytes, count: count, deadline: deadline))
                    } catch let error as RedisError where self.translate(error).code == .connectionFailed {
                        self.requestRefresh()
                        return (number, nil)
                    }
                }
            }
            var results = [[RedisReply]?](repeating: nil, count: groups.count)
            for try await (number, groupReplies) in tasks {
                results[number] = groupReplies
            }
            return results
        }
        for (number, group) in groups.enumerated() {
            guard let groupReplies = results[number] else {
                alone += group.units
                continue
            }
            var offset = 0
            for index in group.units {
                let count = units[index].count
                let unitReplies = Array(groupReplies[offset..<(offset + count)])
                offset += count
                var attempt = newAttempt(deadline: deadline)
                let decision = attempt.next(
                    after: .reply(Self.deciding(unitReplies), from: group.node),
                    now: Monotonic.now()
                )
                if case .retry(let target, let delay) = decision.action {
                    apply(decision)
                    if delay > 0 {
                        try await Task.sleep(for: .nanoseconds(delay))
                    }
                    let again = try await run(units[index], deadline: deadline, from: (attempt, target))
                    replies.replaceSubrange(plan[index].range, with: again)
                } else {
                    replies.replaceSubrange(plan[index].range, with: unitReplies)
                }
            }
        }
        for index in alone {
            replies.replaceSubrange(plan[index].range, with: try await run(units[index], deadline: deadline))
        }
        return replies
    }

    /// The reply that decides what happens to a unit: its first redirection, else its last reply.
    private static func deciding(_ replies: [RedisReply]) -> RedisReply {
        for reply in replies {
            if let message = reply.errorMessage, ClusterRedirect(errorMessage: message, answeringHost: "") != nil {
                return reply
            }
        }
        return replies.last ?? .null
    }

    private func newAttempt(deadline: UInt64) -> ClusterCommandAttempt {
        ClusterCommandAttempt(
            maximumRedirects: cluster.maximumRedirects,
            pacing: RetryPacing(
                deadline: deadline,
                initial: Monotonic.nanoseconds(cluster.initialRetryPause),
                maximum: Monotonic.nanoseconds(cluster.maximumRetryPause)
            )
        )
    }

    private func apply(_ decision: ClusterCommandAttempt.Decision) {
        if let moved = decision.moved {
            state.withLock { $0.moved(slot: moved.slot, to: moved.node) }
        }
        if decision.refreshMap {
            requestRefresh()
        }
    }

    private func send(
        _ unit: Unit,
        on pool: ConnectionPool,
        asking: Bool,
        deadline: UInt64
    ) async throws
        -> [RedisReply]
    {
        do {
            if asking {
                return Array(
                    try await pool.execute(batch: Self.asking + unit.bytes, count: unit.count + 1, deadline: deadline)
                        .dropFirst()
                )
            }
            if unit.count == 1 {
                return [try await pool.execute(unit.bytes, deadline: deadline, dedicated: unit.dedicated)]
            }
            return try await pool.execute(batch: unit.bytes, count: unit.count, deadline: deadline)
        } catch let error as RedisError {
            throw translate(error)
        }
    }

    private func load(_ script: RedisScript, on pool: ConnectionPool, deadline: UInt64) async throws {
        let command = try CommandEncoder.encode(["SCRIPT", "LOAD", RedisArgument(script.source)])
        do {
            let reply = try await pool.execute(command, deadline: deadline)
            if let message = reply.errorMessage {
                throw RedisError(.server, message)
            }
        } catch let error as RedisError {
            throw translate(error)
        }
    }

    /// A retired pool refuses with `poolShutdown` while the client lives on: nothing was sent, so say so.
    private func translate(_ error: RedisError) -> RedisError {
        guard error.code == .poolShutdown, !isShutdown else { return error }
        return RedisError(.connectionFailed, "the node's connections were closed: it is no longer a primary")
    }

    /// The pool for `target`, waiting for the first slot map when there is none yet.
    /// - Throws: ``RedisError``: `connectionFailed` when no map could be read or no primary serves the slot,
    ///   `poolShutdown` after shutdown.
    private func resolve(
        _ target: ClusterCommandAttempt.Target,
        slot: Int?
    ) async throws
        -> (ConnectionPool, RedisNodeAddress)
    {
        if case .node(let node, _) = target {
            let pool = state.withLock { state -> ConnectionPool? in
                state.isShutdown ? nil : state.pool(for: node, makePool: makePool)
            }
            guard let pool else { throw RedisError(.poolShutdown, "the Redis client has been shut down") }
            return (pool, node)
        }
        while true {
            switch state.withLock({ $0.route(slot: slot, makePool: makePool) }) {
            case .pool(let pool, let node):
                return (pool, node)
            case .noOwner:
                requestRefresh()
                throw RedisError(.connectionFailed, "no primary serves slot \(slot ?? -1) in the cluster's slot map")
            case .shutdown:
                throw RedisError(.poolShutdown, "the Redis client has been shut down")
            case .waitForMap:
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if state.withLock({ $0.waitForMap { continuation.resume(with: $0) } }) {
                        requestRefresh()
                    } else {
                        continuation.resume()
                    }
                }
            }
        }
    }

    private func makePool(_ node: RedisNodeAddress) -> ConnectionPool {
        ConnectionPool(
            loop: loop,
            configuration: configuration.node(node),
            tlsContext: tlsContext,
            logger: logger,
            metrics: metrics
        )
    }

    // MARK: The slot map

    /// Asks for a map read (rate-limited, one at a time); callable from any thread.
    func requestRefresh() {
        let start = state.withLock { $0.requestRefresh(now: Monotonic.now()) }
        begin(start)
    }

    /// Reads the map and connects every primary eagerly (for ``RedisClient/run()``).
    func warmUp() {
        eager = true
        requestRefresh()
    }

    private func begin(_ start: ClusterRouterState<ConnectionPool, Waiter>.RefreshStart) {
        switch start {
        case .none:
            return
        case .at(let instant):
            loop.execute {
                self.loop.schedule(at: instant) {
                    self.begin(self.state.withLock { $0.plannedRefreshDue(now: Monotonic.now()) })
                }
            }
        case .now(let candidates):
            let accepted = loop.execute { self.read(from: candidates, at: 0, slotsOnly: false, lastError: nil) }
            if !accepted {
                // The loop is stopping: only the waiters are left to answer.
                let error = RedisError(.poolShutdown, "the Redis client has been shut down")
                for waiter in state.withLock({ $0.refreshFinished(.failure(error), now: 0) }).waiters {
                    waiter(.failure(error))
                }
            }
        }
    }

    /// Asks `candidates[index]` for the map (loop thread); on failure the next one, until one answers.
    private func read(from candidates: [RedisNodeAddress], at index: Int, slotsOnly: Bool, lastError: RedisError?) {
        guard index < candidates.count else {
            let error = RedisError(
                .connectionFailed,
                "no cluster node answered CLUSTER SHARDS: \(lastError?.message ?? "no node to ask")"
            )
            finishRead(.failure(error))
            return
        }
        let node = candidates[index]
        let pool = state.withLock { state -> ConnectionPool? in
            state.isShutdown ? nil : state.pool(for: node, makePool: makePool)
        }
        guard let pool else { return }
        let deadline = Monotonic.deadline(after: configuration.commandTimeout)
        pool.enqueue(slotsOnly ? Self.slots : Self.shards, deadline: deadline) { [self] result in
            let tls = configuration.tls != nil
            switch result {
            case .success(.error(let message)) where !slotsOnly && message.lowercased().contains("unknown"):
                read(from: candidates, at: index, slotsOnly: true, lastError: nil)
            case .success(let reply):
                do throws(RedisError) {
                    let map =
                        slotsOnly
                        ? try ClusterSlotMap.fromSlots(reply, answeringHost: node.host)
                        : try ClusterSlotMap.fromShards(reply, tls: tls, answeringHost: node.host)
                    guard map.assignedSlots > 0 else {
                        throw RedisError(.protocol, "\(node) serves no slot: it is not (yet) part of the cluster")
                    }
                    finishRead(.success(map))
                } catch {
                    read(from: candidates, at: index + 1, slotsOnly: slotsOnly, lastError: error)
                }
            case .failure(let error):
                read(from: candidates, at: index + 1, slotsOnly: slotsOnly, lastError: error)
            }
        }
    }

    private func finishRead(_ result: Result<ClusterSlotMap, RedisError>) {
        let previous = state.withLock { $0.map }
        let end = state.withLock { $0.refreshFinished(result, now: Monotonic.now()) }
        switch result {
        case .success(let map):
            failing = false
            if map.primaries != previous?.primaries {
                logger.info(
                    "Redis cluster slot map read",
                    metadata: [
                        "redis.primaries": "\(map.primaries.map(\.description))", "redis.slots": "\(map.assignedSlots)",
                    ]
                )
            }
            if eager {
                for node in map.primaries {
                    state.withLock { $0.isShutdown ? nil : $0.pool(for: node, makePool: makePool) }?.warmUp()
                }
            }
        case .failure(let error):
            logger.log(
                level: failing ? .debug : .warning,
                "cannot read the Redis cluster slot map",
                metadata: ["redis.error": "\(error)"]
            )
            failing = true
        }
        for waiter in end.waiters {
            waiter(result.map { _ in () })
        }
        retire(end.retired)
        begin(end.followUp)
        armPeriodicRefresh()
    }

    /// Closes pools the map no longer needs once the commands on them have had their time.
    private func retire(_ pools: [ConnectionPool]) {
        guard !pools.isEmpty else { return }
        retiring += pools
        loop.schedule(at: Monotonic.deadline(after: configuration.commandTimeout * 2)) { [self] in
            for pool in pools {
                pool.shutdown(RedisError(.connectionClosed, "the node is no longer a primary of the cluster"))
            }
            retiring.removeAll { retired in pools.contains { $0 === retired } }
        }
    }

    private func armPeriodicRefresh() {
        guard !periodicArmed else { return }
        periodicArmed = true
        schedulePeriodicRefresh()
    }

    private func schedulePeriodicRefresh() {
        loop.schedule(at: Monotonic.deadline(after: cluster.refreshInterval)) { [weak self] in
            guard let self, !self.isShutdown else { return }
            self.requestRefresh()
            self.schedulePeriodicRefresh()
        }
    }

    /// Closes every pool, fails waiters, ends subscriptions (loop thread, at client shutdown).
    func shutdown() {
        let (pools, waiters) = state.withLock { $0.shutdown() }
        let error = RedisError(.poolShutdown, "the Redis client has been shut down")
        for pool in pools + retiring {
            pool.shutdown()
        }
        retiring = []
        for waiter in waiters {
            waiter(.failure(error))
        }
        for session in sessions.values {
            session.finish()
        }
        sessions = [:]
    }

    // MARK: SubscriptionHost

    func backoffDelay(attempt: Int) -> Duration {
        configuration.reconnectBackoff.delay(attempt: attempt, using: &random)
    }

    func subscriptionPool(
        for route: SubscriptionRoute,
        _ completion: @escaping @Sendable (Result<ConnectionPool, RedisError>) -> Void
    ) {
        let slot: Int?
        switch route {
        case .anyNode: slot = nil
        case .slot(let value): slot = value
        case .node(let node):
            let pool = state.withLock { $0.isShutdown ? nil : $0.pool(for: node, makePool: makePool) }
            completion(
                pool.map { .success($0) } ?? .failure(RedisError(.poolShutdown, "the Redis client has been shut down"))
            )
            return
        }
        switch state.withLock({ $0.route(slot: slot, makePool: makePool) }) {
        case .pool(let pool, _):
            completion(.success(pool))
        case .noOwner:
            requestRefresh()
            completion(.failure(RedisError(.connectionFailed, "no primary serves slot \(slot ?? -1)")))
        case .shutdown:
            completion(.failure(RedisError(.poolShutdown, "the Redis client has been shut down")))
        case .waitForMap:
            let waiting = state.withLock { state in
                state.waitForMap { [self] result in
                    switch result {
                    case .success: subscriptionPool(for: route, completion)
                    case .failure(let error): completion(.failure(error))
                    }
                }
            }
            if waiting {
                requestRefresh()
            } else {
                subscriptionPool(for: route, completion)
            }
        }
    }

    func subscriptionLost(_ route: SubscriptionRoute) {
        requestRefresh()
    }

    func add(_ session: SubscriberSession) {
        sessions[ObjectIdentifier(session)] = session
    }

    func remove(_ session: SubscriberSession) {
        sessions[ObjectIdentifier(session)] = nil
    }
}
