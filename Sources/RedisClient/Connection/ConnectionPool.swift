import Logging
import Synchronization

/// The connections of one ``RedisClient``: a fixed number of pipelined slots for ordinary commands, plus the
/// dedicated connections of blocking commands and subscriptions.
///
/// `@unchecked Sendable`: every method runs on the event-loop thread (callers reach it only through
/// ``EventLoop/execute(_:)``), so its state needs no lock.
final class ConnectionPool: @unchecked Sendable {
    private enum Slot {
        case empty
        case active(RedisConnection)
        case backoff(lastError: RedisError)
    }

    let loop: EventLoop
    let configuration: RedisConfiguration
    let logger: Logger
    let metrics: RedisClientMetrics
    private let tlsContext: TLSContext?
    private var slots: [Slot]
    private var attempts: [Int]
    private var dedicated: [ObjectIdentifier: RedisConnection] = [:]
    private var subscribers: [ObjectIdentifier: SubscriberSession] = [:]
    private(set) var isShutdown = false
    /// Established plain connections that callers may write to directly (read from any thread).
    private let directWriteConnections = Mutex<[RedisConnection]>([])
    private var random = SystemRandomNumberGenerator()

    init(
        loop: EventLoop,
        configuration: RedisConfiguration,
        tlsContext: TLSContext?,
        logger: Logger,
        metrics: RedisClientMetrics
    ) {
        self.loop = loop
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.logger = logger
        self.metrics = metrics
        self.slots = Array(repeating: .empty, count: configuration.poolSize)
        self.attempts = Array(repeating: 0, count: configuration.poolSize)
    }

    /// Opens every slot that is not open yet, so the first commands find warm connections.
    func warmUp() {
        guard !isShutdown else { return }
        for index in slots.indices {
            if case .empty = slots[index] {
                open(slot: index)
            }
        }
    }

    /// Called from any thread: writes the command directly on an idle established connection, skipping the hop to
    /// the loop thread. Returns `false` when no connection was idle; the caller then goes through the loop.
    func tryDirectWrite(
        _ command: [UInt8],
        deadline: UInt64,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) -> Bool {
        tryDirectWrite(command, commands: CollectionOfOne(PendingCommand(deadline: deadline, completion: completion)))
    }

    /// Called from any thread: like ``tryDirectWrite(_:deadline:completion:)`` for the encoded bytes of several
    /// commands (a pipeline), all on the same connection, in order. Every command has the same deadline.
    func tryDirectWrite(_ bytes: [UInt8], commands: some Collection<PendingCommand>) -> Bool {
        guard let deadline = commands.first?.deadline,
            let connection = directWriteConnections.withLock({ $0.first })
        else { return false }
        switch connection.tryDirectWrite(bytes, commands: commands) {
        case .declined:
            return false
        case .sent:
            loop.noteDeadline(deadline)
            return true
        case .needsFlush:
            loop.noteDeadline(deadline)
            let accepted = loop.execute { connection.requestFlush() }
            if !accepted {
                connection.close(RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
            return true
        }
    }

    /// Sends one encoded command on the least busy connection.
    func enqueue(
        _ command: [UInt8],
        deadline: UInt64,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) {
        enqueue(command, commands: CollectionOfOne(PendingCommand(deadline: deadline, completion: completion)))
    }

    /// Sends the encoded bytes of one or more commands on the least busy connection, all on that one connection and
    /// in order; on failure every command's completion gets the error.
    func enqueue(_ bytes: [UInt8], commands: some Collection<PendingCommand>) {
        guard !isShutdown else {
            Self.fail(commands, RedisError(.poolShutdown, "the Redis client has been shut down"))
            return
        }
        guard let connection = pick() else {
            var reason = "every connection is waiting to reconnect"
            for slot in slots {
                if case .backoff(let lastError) = slot {
                    reason += "; last error: \(lastError.message)"
                    break
                }
            }
            Self.fail(commands, RedisError(.connectionFailed, reason))
            return
        }
        connection.enqueue(bytes, commands: commands)
    }

    private static func fail(_ commands: some Collection<PendingCommand>, _ error: RedisError) {
        for command in commands {
            command.completion(.failure(error))
        }
    }

    /// Sends one command on a connection of its own, closed once the reply is in (for blocking commands).
    func enqueueDedicated(
        _ command: [UInt8],
        deadline: UInt64,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) {
        guard !isShutdown else {
            completion(.failure(RedisError(.poolShutdown, "the Redis client has been shut down")))
            return
        }
        let connection = makeConnection()
        let key = ObjectIdentifier(connection)
        dedicated[key] = connection
        connection.onClose = { [weak self] _ in self?.dedicated[key] = nil }
        connection.start()
        connection.enqueue(command, deadline: deadline) { [weak self, weak connection] result in
            completion(result)
            connection?.close(RedisError(.connectionClosed, "dedicated connection finished"))
            self?.dedicated[key] = nil
        }
    }

    /// Registers a subscription so shutdown can end it.
    func add(_ session: SubscriberSession) {
        subscribers[ObjectIdentifier(session)] = session
    }

    func remove(_ session: SubscriberSession) {
        subscribers[ObjectIdentifier(session)] = nil
    }

    /// A new, unstarted connection with this pool's settings.
    func makeConnection() -> RedisConnection {
        RedisConnection(loop: loop, configuration: configuration, tlsContext: tlsContext)
    }

    /// The wait before reconnect attempt `attempt`.
    func backoffDelay(attempt: Int) -> Duration {
        configuration.reconnectBackoff.delay(attempt: attempt, using: &random)
    }

    /// Fails every queued command with `error` (by default ``RedisError/Code/poolShutdown``) and closes every
    /// connection; later commands fail with ``RedisError/Code/poolShutdown``. A cluster or Sentinel client also
    /// shuts down the pool of a node it no longer uses, with an error of its own.
    func shutdown(_ error: RedisError = RedisError(.poolShutdown, "the Redis client has been shut down")) {
        guard !isShutdown else { return }
        isShutdown = true
        directWriteConnections.withLock { $0.removeAll() }
        for index in slots.indices {
            if case .active(let connection) = slots[index] {
                slots[index] = .empty
                connection.close(error)
            }
        }
        for connection in dedicated.values {
            connection.close(error)
        }
        dedicated.removeAll()
        for session in subscribers.values {
            session.finish()
        }
        subscribers.removeAll()
    }

    /// Fills connections in slot order up to ``batchThreshold`` commands in flight before spreading: one busy
    /// connection batches better (fewer system calls on both ends) than several half-empty ones.
    private func pick() -> RedisConnection? {
        var best: RedisConnection?
        var bestPending = Int.max
        var firstEmpty: Int?
        for index in slots.indices {
            switch slots[index] {
            case .active(let connection):
                let pending = connection.pendingCount
                if pending < Self.batchThreshold {
                    return connection
                }
                if pending < bestPending {
                    best = connection
                    bestPending = pending
                }
            case .empty:
                if firstEmpty == nil {
                    firstEmpty = index
                }
            case .backoff:
                break
            }
        }
        if let firstEmpty {
            return open(slot: firstEmpty)
        }
        return best
    }

    private static let batchThreshold = 128

    @discardableResult
    private func open(slot index: Int) -> RedisConnection {
        let connection = makeConnection()
        slots[index] = .active(connection)
        connection.allowsDirectWrites = configuration.directWrites
        var established = false
        connection.onEstablished = { [weak self, weak connection] in
            guard let self else { return }
            established = true
            self.metrics.connectionEstablished(reconnect: self.attempts[index] > 0)
            if let connection {
                self.directWriteConnections.withLock { $0.append(connection) }
            }
            if self.attempts[index] > 0 {
                self.logger.info("reconnected to Redis", metadata: ["redis.endpoint": "\(self.configuration)"])
            }
            self.attempts[index] = 0
        }
        connection.onClose = { [weak self, weak connection] error in
            guard let self else { return }
            if established { self.metrics.connectionClosed() }
            guard let connection else { return }
            self.closed(slot: index, connection: connection, error: error)
        }
        connection.start()
        return connection
    }

    private func closed(slot index: Int, connection: RedisConnection, error: RedisError) {
        directWriteConnections.withLock { $0.removeAll { $0 === connection } }
        guard !isShutdown, case .active(let current) = slots[index], current === connection else { return }
        let delay = backoffDelay(attempt: attempts[index])
        attempts[index] += 1
        slots[index] = .backoff(lastError: error)
        // The first failure is worth a warning; the retries of an outage that goes on are only debug noise.
        logger.log(
            level: attempts[index] == 1 ? .warning : .debug,
            "Redis connection closed",
            metadata: [
                "redis.endpoint": "\(configuration)", "redis.error": "\(error)",
                "redis.reconnect_in": "\(delay)",
            ]
        )
        loop.schedule(at: Monotonic.deadline(after: delay)) { [weak self] in
            guard let self, !self.isShutdown, case .backoff = self.slots[index] else { return }
            self.open(slot: index)
        }
    }
}
