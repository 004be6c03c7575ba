import Logging
import Synchronization

/// The Sentinel side of a ``RedisClient``: finds the primary through the Sentinels, confirms it with `ROLE`, keeps
/// one ``ConnectionPool`` to it, and follows it through failovers.
///
/// The client subscribes to every Sentinel's failover events. When one picks a replica to promote
/// (`+selected-slave`), commands stop going to the primary at once — before the replica stops following it, so
/// that no write lands on a primary whose replica no longer copies it — and wait for `+switch-master`, whose new
/// primary is confirmed and used. The primary is also looked for again on a `READONLY` reply and on a failed
/// connection. A primary that is changing or changed takes no new command (its pool is closed after the commands
/// on it have had their time) and is refused for ``RedisSentinelConfiguration/failoverPause``, because it keeps
/// answering `ROLE` as a primary, and lagging Sentinels keep naming it, until the Sentinels reconfigure it. Every
/// connection of the primary's pool checks `ROLE` before carrying a command
/// (``RedisConfiguration/requiresPrimaryRole``), so that a reconnect never lands on a demoted node. A command
/// refused with `READONLY`, or that met a connection that could not be opened, was not applied and is retried on
/// the new primary within its deadline.
///
/// `@unchecked Sendable`: `state` is behind a `Mutex`; everything else is touched only on the loop thread.
final class SentinelRouter: SubscriptionHost, @unchecked Sendable {
    typealias Waiter = @Sendable (Result<Void, RedisError>) -> Void

    let loop: EventLoop
    let configuration: RedisConfiguration
    let logger: Logger
    private let sentinel: RedisSentinelConfiguration
    private let tlsContext: TLSContext?
    /// The client's metrics, shared by the pool of every node.
    private let metrics: RedisClientMetrics
    private let state: Mutex<SentinelState<ConnectionPool, Waiter>>
    private var sentinelPools: [RedisNodeAddress: ConnectionPool] = [:]
    private var sessions: [ObjectIdentifier: SubscriberSession] = [:]
    /// The subscription to each Sentinel's failover events.
    private var watchers: [RedisNodeAddress: SubscriberSession] = [:]
    private var retiring: [ConnectionPool] = []
    /// Pools of nodes a Sentinel named that `ROLE` did not confirm (yet): kept, so that checking one again waits
    /// out its reconnect backoff instead of opening a connection on every discovery.
    private var candidates: [RedisNodeAddress: ConnectionPool] = [:]
    /// Whether the last discovery failed: only the first failure of a run of them is a warning.
    private var failing = false
    private var eager = false
    private var random = SystemRandomNumberGenerator()

    private static let role: [UInt8] = Array("*1\r\n$4\r\nROLE\r\n".utf8)

    init(
        loop: EventLoop,
        configuration: RedisConfiguration,
        sentinel: RedisSentinelConfiguration,
        tlsContext: TLSContext?,
        logger: Logger,
        metrics: RedisClientMetrics
    ) {
        self.metrics = metrics
        self.loop = loop
        self.configuration = configuration
        self.sentinel = sentinel
        self.tlsContext = tlsContext
        self.logger = logger
        self.state = Mutex(SentinelState(sentinels: sentinel.sentinels))
    }

    var isShutdown: Bool { state.withLock { $0.isShutdown } }

    /// The primary in use, for tests and diagnostics.
    var primary: RedisNodeAddress? { state.withLock { $0.primary?.address } }

    // MARK: Commands

    /// Sends `count` encoded commands in one piece to the primary and returns their replies; retries what was not
    /// applied (a `READONLY` reply, a connection that could not be opened) on the primary found next, within
    /// `deadline`. With a `script`, a `NOSCRIPT` reply loads it and runs the command again.
    /// - Throws: ``RedisError``.
    func run(
        _ bytes: [UInt8],
        count: Int,
        deadline: UInt64,
        dedicated: Bool = false,
        script: RedisScript? = nil
    ) async throws -> [RedisReply] {
        var pacing = RetryPacing(
            deadline: deadline,
            initial: Monotonic.nanoseconds(.milliseconds(5)),
            maximum: Monotonic.nanoseconds(.milliseconds(200))
        )
        while true {
            var pool: ConnectionPool?
            do {
                let primary = try await primaryPool()
                pool = primary
                var replies = try await send(bytes, count: count, on: primary, deadline: deadline, dedicated: dedicated)
                if let script, count == 1, replies[0].errorMessage?.hasPrefix("NOSCRIPT") == true {
                    let load = try CommandEncoder.encode(["SCRIPT", "LOAD", RedisArgument(script.source)])
                    _ = try await send(load, count: 1, on: primary, deadline: deadline, dedicated: false)
                    replies = try await send(bytes, count: count, on: primary, deadline: deadline, dedicated: dedicated)
                }
                guard replies.contains(where: { $0.errorMessage?.hasPrefix("READONLY") == true }) else {
                    return replies
                }
                // A replica answered: what it read may be stale and no write was applied. Retry on the primary.
                demoted(primary)
                guard let pause = pacing.nextPause(now: Monotonic.now()) else { return replies }
                try await Task.sleep(for: .nanoseconds(pause))
            } catch let error as RedisError {
                if let pool, [.connectionFailed, .connectionClosed, .timeout].contains(error.code) {
                    suspect(pool)
                }
                guard error.code == .connectionFailed, let pause = pacing.nextPause(now: Monotonic.now()) else {
                    throw error
                }
                try await Task.sleep(for: .nanoseconds(pause))
            }
        }
    }

    private func send(
        _ bytes: [UInt8],
        count: Int,
        on pool: ConnectionPool,
        deadline: UInt64,
        dedicated: Bool
    )
        async throws -> [RedisReply]
    {
        do {
            if count == 1 {
                return [try await pool.execute(bytes, deadline: deadline, dedicated: dedicated)]
            }
            return try await pool.execute(batch: bytes, count: count, deadline: deadline)
        } catch let error as RedisError where error.code == .poolShutdown && !isShutdown {
            throw RedisError(.connectionFailed, "the primary changed before the command was sent")
        }
    }

    /// The primary's pool, waiting for a discovery when it is not known.
    /// - Throws: ``RedisError``: `connectionFailed` when the discovery failed, `poolShutdown` after shutdown.
    func primaryPool() async throws -> ConnectionPool {
        while true {
            switch state.withLock({ $0.route() }) {
            case .pool(let pool, _):
                return pool
            case .shutdown:
                throw RedisError(.poolShutdown, "the Redis client has been shut down")
            case .discover:
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let (waiting, start) = state.withLock { $0.waitForPrimary { continuation.resume(with: $0) } }
                    if start {
                        beginDiscovery()
                    }
                    if !waiting {
                        continuation.resume()
                    }
                }
            }
        }
    }

    /// `pool` answered `READONLY`: it is no primary any more.
    private func demoted(_ pool: ConnectionPool) {
        let (retired, start) = state.withLock { $0.demoted(pool) }
        if let retired {
            logger.warning("the Redis primary answered READONLY: it was demoted; asking the Sentinels")
            loop.execute { self.retire(retired) }
        }
        if start {
            beginDiscovery()
        }
    }

    /// A connection of `pool` failed: check with the Sentinels and `ROLE` that it is still the primary.
    private func suspect(_ pool: ConnectionPool) {
        if state.withLock({ $0.startDiscovery() }) {
            beginDiscovery()
        }
    }

    // MARK: Discovery

    /// Finds the primary and connects to it eagerly (for ``RedisClient/run()``).
    func warmUp() {
        eager = true
        if state.withLock({ $0.primary == nil && $0.startDiscovery() }) {
            beginDiscovery()
        }
    }

    private func beginDiscovery() {
        let accepted = loop.execute {
            self.startWatchers()
            let sentinels = self.state.withLock { $0.sentinels }
            guard let announced = self.state.withLock({ $0.takeAnnounced() }) else {
                self.ask(sentinels, at: 0, lastError: nil)
                return
            }
            // A +switch-master named the new primary: confirm it before asking Sentinels that may lag.
            self.confirm(announced) { [self] confirmed in
                switch confirmed {
                case .success(let pool): finishDiscovery(.success((announced, pool)))
                case .failure(let error): ask(sentinels, at: 0, lastError: "\(announced): \(error.message)")
                }
            }
        }
        if !accepted {
            // The loop is stopping: only the waiters are left to answer.
            let error = RedisError(.poolShutdown, "the Redis client has been shut down")
            for waiter in state.withLock({ $0.discoveryFinished(.failure(error)) }).waiters {
                waiter(.failure(error))
            }
        }
    }

    /// Asks `sentinels[index]` where the primary is (loop thread); on failure the next one.
    private func ask(_ sentinels: [RedisNodeAddress], at index: Int, lastError: String?) {
        guard index < sentinels.count else {
            let error = RedisError(
                .connectionFailed,
                "no Sentinel named a primary for '\(sentinel.primaryName)' that ROLE confirms: "
                    + (lastError ?? "no Sentinel to ask")
            )
            finishDiscovery(.failure(error))
            return
        }
        let address = sentinels[index]
        let command: [UInt8]
        do {
            command = try CommandEncoder.encode([
                "SENTINEL", "GET-MASTER-ADDR-BY-NAME", RedisArgument(sentinel.primaryName),
            ])
        } catch {
            finishDiscovery(.failure(error))
            return
        }
        sentinelPool(address).enqueue(command, deadline: Monotonic.deadline(after: configuration.commandTimeout)) {
            [self] result in
            switch result {
            case .success(let reply):
                guard let primary = SentinelReplies.primaryAddress(reply) else {
                    ask(sentinels, at: index + 1, lastError: "Sentinel \(address) answered \(reply)")
                    return
                }
                if state.withLock({ $0.refuses(primary, now: Monotonic.now()) }) {
                    let reason = "Sentinel \(address) still names \(primary), which is being failed over"
                    ask(sentinels, at: index + 1, lastError: reason)
                    return
                }
                state.withLock { $0.sentinelAnswered(address) }
                confirm(primary) { [self] confirmed in
                    switch confirmed {
                    case .success(let pool):
                        finishDiscovery(.success((primary, pool)))
                    case .failure(let error):
                        ask(sentinels, at: index + 1, lastError: "\(primary), named by \(address): \(error.message)")
                    }
                }
            case .failure(let error):
                ask(sentinels, at: index + 1, lastError: "Sentinel \(address): \(error.message)")
            }
        }
    }

    /// Checks with `ROLE` that `address` is a primary (loop thread), on the current pool when it is the current
    /// primary, else on the candidate pool of that address.
    private func confirm(
        _ address: RedisNodeAddress,
        _ completion: @escaping @Sendable (Result<ConnectionPool, RedisError>) -> Void
    ) {
        let current = state.withLock { $0.currentPool(at: address) }
        let pool = current ?? candidates[address] ?? makePrimaryPool(address)
        if current == nil {
            candidates[address] = pool
        }
        pool.enqueue(Self.role, deadline: Monotonic.deadline(after: configuration.commandTimeout)) { [self] result in
            switch result {
            case .success(let reply) where SentinelReplies.isPrimary(reply):
                candidates[address] = nil
                completion(.success(pool))
            case .success(let reply):
                completion(.failure(RedisError(.connectionFailed, "ROLE says \(reply)")))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    private func finishDiscovery(_ result: Result<(RedisNodeAddress, ConnectionPool), RedisError>) {
        let previous = state.withLock { $0.primary?.address }
        let end = state.withLock { $0.discoveryFinished(result) }
        switch result {
        case .success(let (address, pool)):
            failing = false
            if previous != address {
                logger.info(
                    "Redis primary found through Sentinel",
                    metadata: ["redis.primary": "\(address)", "redis.primary_name": "\(sentinel.primaryName)"]
                )
            }
            if eager {
                loop.execute { pool.warmUp() }
            }
        case .failure(let error):
            // While the Sentinels name a primary that is gone, discoveries fail every few milliseconds.
            logger.log(
                level: failing ? .debug : .warning,
                "cannot find the Redis primary through Sentinel",
                metadata: ["redis.error": "\(error)"]
            )
            failing = true
        }
        for waiter in end.waiters {
            waiter(result.map { _ in () })
        }
        if let retired = end.retired {
            loop.execute { self.retire(retired) }
        }
        if end.again {
            beginDiscovery()
        }
    }

    /// Takes the old primary's pool out of service: no command is routed to it any more; it is closed once the
    /// commands already on it have had their time.
    private func retire(_ pool: ConnectionPool) {
        // Subscriptions move now: a demoted primary soon stops receiving what is published on the new one.
        let moved = RedisError(.connectionClosed, "the primary changed")
        for session in sessions.values where session.isConnected(to: pool) {
            session.reconnect(moved)
        }
        retiring.append(pool)
        loop.schedule(at: Monotonic.deadline(after: configuration.commandTimeout)) { [self] in
            pool.shutdown(RedisError(.connectionClosed, "the node is no longer the primary"))
            retiring.removeAll { $0 === pool }
        }
    }

    private func makePrimaryPool(_ address: RedisNodeAddress) -> ConnectionPool {
        var node = configuration.node(address)
        node.requiresPrimaryRole = true
        return ConnectionPool(loop: loop, configuration: node, tlsContext: tlsContext, logger: logger, metrics: metrics)
    }

    private func sentinelPool(_ address: RedisNodeAddress) -> ConnectionPool {
        if let pool = sentinelPools[address] {
            return pool
        }
        var node = configuration.node(address)
        node.username = sentinel.sentinelUsername
        node.password = sentinel.sentinelPassword
        node.database = 0
        node.poolSize = 1
        let pool = ConnectionPool(
            loop: loop,
            configuration: node,
            tlsContext: tlsContext,
            logger: logger,
            metrics: metrics
        )
        sentinelPools[address] = pool
        return pool
    }

    /// The Sentinel events the client follows: a failover starting, ending with a new primary, or given up.
    private static let events = [
        "+selected-slave", "+switch-master", "-failover-abort-not-elected", "-failover-abort-no-good-slave",
        "-failover-abort-slave-timeout",
    ]

    /// Subscribes to the failover events of every Sentinel (only the one leading a failover announces its start);
    /// each subscription reconnects to its Sentinel by itself, and one whose first attempt failed starts again.
    private func startWatchers() {
        guard !isShutdown else { return }
        for address in state.withLock({ $0.sentinels }) where watchers[address] == nil {
            let session = SubscriberSession(
                host: self,
                route: .node(address),
                channels: Self.events,
                resubscribes: true,
                deliver: { [weak self] message in self?.event(message.channel, message.text) },
                ended: {},
                subscribed: { [weak self] result in
                    guard let self, case .failure = result else { return }
                    self.loop.schedule(at: Monotonic.deadline(after: self.backoffDelay(attempt: 3))) { [weak self] in
                        self?.startWatchers()
                    }
                }
            )
            watchers[address] = session
            add(session)
            session.start()
        }
    }

    /// Handles a Sentinel event (loop thread).
    private func event(_ channel: String, _ payload: String) {
        let until = Monotonic.deadline(after: sentinel.failoverPause)
        switch channel {
        case "+switch-master":
            guard let (old, new) = SentinelReplies.switchedPrimary(payload, primaryName: sentinel.primaryName)
            else { return }
            let (retired, start) = state.withLock { $0.switched(from: old, to: new, until: until) }
            if let retired {
                logger.warning("Sentinel announced a new Redis primary", metadata: ["redis.primary": "\(new)"])
                retire(retired)
            }
            if start {
                beginDiscovery()
            }
        case "+selected-slave":
            guard let primary = SentinelReplies.failoverPrimary(payload, primaryName: sentinel.primaryName) else {
                return
            }
            if let retired = state.withLock({ $0.failoverStarted(of: primary, until: until) }) {
                logger.warning(
                    "Sentinel is failing the Redis primary over; holding commands for the new one",
                    metadata: ["redis.primary": "\(primary)"]
                )
                retire(retired)
            }
        default:
            guard let primary = SentinelReplies.failoverPrimary(payload, primaryName: sentinel.primaryName) else {
                return
            }
            if state.withLock({ $0.failoverAborted(of: primary) }) {
                beginDiscovery()
            }
        }
    }

    /// Closes every pool, fails waiters and ends subscriptions (loop thread, at client shutdown).
    func shutdown() {
        let (pool, waiters) = state.withLock { $0.shutdown() }
        pool?.shutdown()
        for retired in retiring {
            retired.shutdown()
        }
        retiring = []
        for other in Array(sentinelPools.values) + Array(candidates.values) {
            other.shutdown()
        }
        sentinelPools = [:]
        candidates = [:]
        let error = RedisError(.poolShutdown, "the Redis client has been shut down")
        for waiter in waiters {
            waiter(.failure(error))
        }
        for session in sessions.values {
            session.finish()
        }
        sessions = [:]
        watchers = [:]
    }

    // MARK: SubscriptionHost

    func backoffDelay(attempt: Int) -> Duration {
        configuration.reconnectBackoff.delay(attempt: attempt, using: &random)
    }

    func subscriptionPool(
        for route: SubscriptionRoute,
        _ completion: @escaping @Sendable (Result<ConnectionPool, RedisError>) -> Void
    ) {
        if case .node(let address) = route {
            completion(.success(sentinelPool(address)))
            return
        }
        switch state.withLock({ $0.route() }) {
        case .pool(let pool, _):
            completion(.success(pool))
        case .shutdown:
            completion(.failure(RedisError(.poolShutdown, "the Redis client has been shut down")))
        case .discover:
            let (waiting, start) = state.withLock { state in
                state.waitForPrimary { [self] result in
                    switch result {
                    case .success: subscriptionPool(for: route, completion)
                    case .failure(let error): completion(.failure(error))
                    }
                }
            }
            if start {
                beginDiscovery()
            }
            if !waiting {
                subscriptionPool(for: route, completion)
            }
        }
    }

    func subscriptionLost(_ route: SubscriptionRoute) {
        // A lost Sentinel connection may have missed a switch; a lost primary connection may mean a failover.
        if state.withLock({ $0.startDiscovery() }) {
            beginDiscovery()
        }
    }

    func add(_ session: SubscriberSession) {
        sessions[ObjectIdentifier(session)] = session
    }

    func remove(_ session: SubscriberSession) {
        sessions[ObjectIdentifier(session)] = nil
        for (address, watcher) in watchers where watcher === session {
            watchers[address] = nil
        }
    }
}
