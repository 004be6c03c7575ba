public import Logging
public import Metrics
public import ServiceLifecycle

/// An async Redis client: a pool of automatically pipelined connections over TCP, Unix sockets or TLS, with
/// scripts, pub/sub and typed helpers for common commands.
///
/// Commands work as soon as the client exists (connections open lazily); ``run()`` makes it a
/// swift-service-lifecycle `Service` that connects eagerly and shuts down with the service group. Every command
/// fails by its deadline, ``RedisConfiguration/commandTimeout`` after the call, if no reply came (what that
/// guarantees under load is on ``RedisConfiguration/commandTimeout``). Connections are driven by one thread the
/// client owns; the only socket call a caller's thread may make is one non-blocking `send` to an idle connection
/// (``RedisConfiguration/directWrites``).
///
/// ```swift
/// let redis = try RedisClient(url: "redis://127.0.0.1:6379")
/// try await redis.set("greeting", value: "hello", expiration: .seconds(60))
/// let value = try await redis.get("greeting")
/// await redis.shutdown()
/// ```
public final class RedisClient: Sendable, Service {
    /// The settings this client was created with.
    public let configuration: RedisConfiguration
    let logger: Logger
    let instrumentation: RedisClientInstrumentation
    private let loop: EventLoop
    private let pool: ConnectionPool?
    private let setupError: RedisError?

    /// Creates a client; no connection is opened until the first command or ``run()``.
    ///
    /// An invalid configuration or unusable TLS files do not throw here: every command then fails with that error.
    /// The pool's metrics go to `metricsFactory`, or to the bootstrapped metrics system when nil; round trips are
    /// traced with the tracer in force now (a `withTracer(_:_:)` scope's, or the bootstrapped one).
    public init(
        configuration: RedisConfiguration,
        logger: Logger = Logger(label: "authkit.redis"),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        let metrics = RedisClientMetrics(factory: metricsFactory)
        self.instrumentation = RedisClientInstrumentation(metrics: metrics)
        let busyPoll = configuration.busyPoll.components
        let busyPollNanoseconds =
            busyPoll.seconds < 0 || busyPoll.attoseconds < 0
            ? 0 : UInt64(min(busyPoll.seconds, 1)) * 1_000_000_000 + UInt64(busyPoll.attoseconds / 1_000_000_000)
        self.loop = EventLoop(busyPollNanoseconds: busyPollNanoseconds)
        do {
            let checked = try configuration.validated()
            let tlsContext = try checked.tls.map { settings throws(RedisError) in
                try TLSContext(configuration: settings)
            }
            let pool = ConnectionPool(
                loop: loop,
                configuration: checked,
                tlsContext: tlsContext,
                logger: logger,
                metrics: metrics
            )
            loop.onStop { pool.shutdown() }
            self.pool = pool
            self.setupError = nil
        } catch {
            self.pool = nil
            self.setupError = error
        }
    }

    /// Creates a client from a URL such as `redis://user:password@host:6379/0`; see
    /// ``RedisConfiguration/init(url:)`` for the accepted forms.
    public convenience init(url: String, logger: Logger = Logger(label: "authkit.redis")) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), logger: logger)
    }

    deinit {
        loop.stop()
    }

    /// An executor that runs tasks on this client's I/O thread, for
    /// `withTaskExecutorPreference(_:operation:)` or `group.addTask(executorPreference:)`.
    ///
    /// A task that prefers it is resumed by a reply on the same thread that read the reply: no thread switch, which
    /// cuts latency and CPU when the machine is busy, and a deadline's caller is resumed without waiting for
    /// Swift's cooperative pool. Only for short, non-blocking work — one slow job run there delays every connection
    /// and every deadline of this client until it ends. After shutdown such tasks continue on the global executor.
    public var taskExecutor: any TaskExecutor { loop }

    /// Sends one command and returns its reply.
    ///
    /// Error replies are thrown as ``RedisError/Code/server``. Blocking commands (BLPOP, BRPOP, BLMOVE, BZPOPMIN,
    /// XREAD … BLOCK, WAIT …) run on a connection of their own, with their blocking time added to the deadline.
    /// - Throws: ``RedisError``; ``RedisError/Code/invalidCommand`` for a command that would change the state of
    ///   the connection other callers share (SUBSCRIBE and its family, MONITOR, SELECT, AUTH, HELLO, RESET, QUIT,
    ///   WATCH, UNWATCH, CLIENT REPLY, and MULTI, EXEC or DISCARD alone), with the way to get the same effect.
    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws -> RedisReply {
        let name = arguments.first?.uppercasedName ?? ""
        if let refusal = SharedConnectionCommands.refusal(name, arguments) {
            throw RedisError(.invalidCommand, refusal)
        }
        let command = try CommandEncoder.encode(arguments)
        let blockingTime = BlockingCommands.blockingTime(name, arguments)
        var timeout = configuration.commandTimeout
        if let blockingTime {
            timeout = blockingTime == .zero ? .seconds(Int64(Int32.max)) : timeout + blockingTime
        }
        return try await instrumentation.roundTrip(name, commands: 1) {
            let reply = try await execute(
                command,
                deadline: Monotonic.deadline(after: timeout),
                dedicated: blockingTime != nil
            )
            if case .error(let message) = reply {
                throw RedisError(.server, message)
            }
            return reply
        }
    }

    /// Sends one command given as variadic arguments: `try await client.send("INCR", "hits")`.
    /// - Throws: ``RedisError``.
    @discardableResult
    public func send(_ arguments: RedisArgument...) async throws -> RedisReply {
        try await send(arguments)
    }

    /// Sends several commands in one write on one connection and returns their replies in command order.
    ///
    /// This is for commands that do not depend on each other's replies but are wanted in one round trip: they are
    /// encoded into one buffer and handed to one connection in one piece (one `send` when it is idle), and the
    /// caller is resumed once, when the last reply is in — several concurrent `send` calls would cost one hop to
    /// the I/O thread and one continuation each. The batch is not atomic: other clients' commands may run between
    /// these on the server (use a script or MULTI/EXEC for that); the commands themselves run in order.
    ///
    /// Error replies do not throw: each command's error reply is returned in its place as ``RedisReply/error(_:)``,
    /// so the caller sees which command failed, and the others' replies are still there. A failure of the batch as a
    /// whole — ``RedisConfiguration/commandTimeout`` passing before the last reply (one deadline for the whole
    /// batch), the connection closing, shutdown — throws once; some of the commands may then have been applied.
    /// An empty batch returns `[]` without touching the network.
    /// - Throws: ``RedisError``; ``RedisError/Code/invalidCommand`` for a blocking command (BLPOP, XREAD … BLOCK,
    ///   WAIT …), which would hold up every other command on the connection, for a command `send(_:)` refuses
    ///   as changing the shared connection's state, and for MULTI, EXEC or DISCARD that do not form transactions
    ///   closed within the batch (a whole MULTI … EXEC is accepted: it is written in one piece).
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        var bytes: [UInt8] = []
        var batch = SharedConnectionCommands.Batch()
        for arguments in commands {
            let name = arguments.first?.uppercasedName ?? ""
            if BlockingCommands.blockingTime(name, arguments) != nil {
                throw RedisError(
                    .invalidCommand,
                    "the blocking command \(name) cannot be pipelined; send it with send(_:)"
                )
            }
            if let refusal = batch.refusal(name, arguments) {
                throw RedisError(.invalidCommand, refusal)
            }
            try CommandEncoder.encode(arguments, appendingTo: &bytes)
        }
        if let refusal = batch.refusalAtEnd {
            throw RedisError(.invalidCommand, refusal)
        }
        let pool = try requirePool()
        let deadline = Monotonic.deadline(after: configuration.commandTimeout)
        let count = commands.count
        return try await instrumentation.roundTrip("PIPELINE", commands: count) {
            try await pipeline(bytes, count: count, pool: pool, deadline: deadline)
        }
    }

    private func pipeline(
        _ bytes: [UInt8],
        count: Int,
        pool: ConnectionPool,
        deadline: UInt64
    ) async throws -> [RedisReply] {
        try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<[RedisReply], any Error>) in
            let collector = PipelineCollector(count: count) { continuation.resume(with: $0) }
            let pending = (0..<count).map { index in
                PendingCommand(deadline: deadline) { collector.receive($0, at: index) }
            }
            if pool.tryDirectWrite(bytes, commands: pending) {
                return
            }
            let accepted = loop.execute { [bytes] in pool.enqueue(bytes, commands: pending) }
            if !accepted {
                continuation.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
        }
    }

    /// Runs a script by EVALSHA; on NOSCRIPT (empty cache after a restart, failover or SCRIPT FLUSH) it loads the
    /// script with SCRIPT LOAD and retries once under the name the server gave it. A script without a name (its
    /// digest could not be computed) is sent whole with EVAL.
    /// - Throws: ``RedisError``; a script's own `error_reply` arrives as ``RedisError/Code/server``.
    @discardableResult
    public func eval(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisReply {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        guard !script.sha1.isEmpty else {
            return try await send(["EVAL", RedisArgument(script.source)] + tail)
        }
        do {
            return try await send(["EVALSHA", RedisArgument(script.sha1)] + tail)
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            let loaded = try await send(["SCRIPT", "LOAD", RedisArgument(script.source)])
            guard let name = loaded.string, !name.isEmpty else {
                return try await send(["EVAL", RedisArgument(script.source)] + tail)
            }
            if name != script.sha1 {
                logger.warning("SCRIPT LOAD returned an unexpected SHA-1", metadata: ["redis.sha1": "\(script.sha1)"])
            }
            return try await send(["EVALSHA", RedisArgument(name)] + tail)
        }
    }

    /// Subscribes to channels on a dedicated connection and returns the messages as they arrive.
    ///
    /// Returns once the server has confirmed the subscription, so a message published afterwards is delivered.
    ///
    /// When the connection is lost (closed by the server, reset, or a failed health check), a subscription made
    /// with `resubscribe` (the default) moves to a new connection and subscribes again, and the messages published
    /// meanwhile are lost without notice. Without it, the sequence ends at once instead, so a caller that must not
    /// miss a message unnoticed (a cache dropping its entries on invalidations) learns of the gap and subscribes
    /// again itself.
    /// - Throws: ``RedisError`` when the first subscription cannot be made.
    public func subscribe(_ channels: [String], resubscribe: Bool = true) async throws -> RedisSubscription {
        let pool = try requirePool()
        guard !channels.isEmpty else {
            throw RedisError(.invalidConfiguration, "subscribe needs at least one channel")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: RedisPubSubMessage.self)
        try await withCheckedThrowingContinuation { (confirmed: CheckedContinuation<Void, any Error>) in
            let accepted = loop.execute {
                guard !pool.isShutdown else {
                    continuation.finish()
                    confirmed.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
                    return
                }
                let session = SubscriberSession(
                    pool: pool,
                    channels: channels,
                    resubscribes: resubscribe,
                    continuation: continuation
                ) {
                    confirmed.resume(with: $0)
                }
                pool.add(session)
                continuation.onTermination = { [loop = self.loop] _ in
                    loop.execute { session.finish() }
                }
                session.start()
            }
            if !accepted {
                continuation.finish()
                confirmed.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
        }
        return RedisSubscription(stream: stream)
    }

    /// Connects the pool eagerly, then waits until the service group shuts down (or the task is cancelled) and
    /// shuts the client down.
    public func run() async throws {
        if let pool {
            loop.execute { pool.warmUp() }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.waitUntilStopped()
            } onGracefulShutdown: {
                self.beginShutdown()
            }
        } onCancel: {
            self.beginShutdown()
        }
    }

    /// Fails queued and in-flight commands with ``RedisError/Code/poolShutdown``, ends subscriptions, closes every
    /// connection and stops the I/O thread. Later commands fail at once.
    public func shutdown() async {
        beginShutdown()
        await loop.waitUntilStopped()
    }

    private func beginShutdown() {
        loop.stop()
    }

    private func requirePool() throws(RedisError) -> ConnectionPool {
        guard let pool else {
            throw setupError ?? RedisError(.invalidConfiguration, "the client has no usable configuration")
        }
        return pool
    }

    private func execute(_ command: [UInt8], deadline: UInt64, dedicated: Bool) async throws -> RedisReply {
        let pool = try requirePool()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RedisReply, any Error>) in
            let completion: @Sendable (Result<RedisReply, RedisError>) -> Void = { continuation.resume(with: $0) }
            if !dedicated && pool.tryDirectWrite(command, deadline: deadline, completion: completion) {
                return
            }
            let accepted = loop.execute {
                if dedicated {
                    pool.enqueueDedicated(command, deadline: deadline, completion: completion)
                } else {
                    pool.enqueue(command, deadline: deadline, completion: completion)
                }
            }
            if !accepted {
                continuation.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
        }
    }
}
