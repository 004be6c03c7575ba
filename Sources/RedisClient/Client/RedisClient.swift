import AuthKitClock
public import Logging
public import Metrics
public import ServiceLifecycle

/// An async Redis client: a pool of automatically pipelined connections over TCP, Unix sockets or TLS, with
/// scripts, pub/sub and typed helpers for common commands — to one server, a Redis Cluster, or a primary found
/// through Sentinels (``RedisConfiguration/topology``).
///
/// On a cluster the client keeps a pool per primary and sends each command to the primary that owns its keys'
/// slot, following `MOVED` and `ASK`; behind Sentinel it follows the primary through failovers. Nothing is ever
/// read from a replica.
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
    private let backend: Backend?
    private let setupError: RedisError?

    /// Where commands go: the one pool of a single server, or the router of a cluster or Sentinel topology.
    enum Backend: Sendable {
        case single(ConnectionPool)
        case cluster(ClusterRouter)
        case sentinel(SentinelRouter)

        /// Closes everything (loop thread).
        func shutdown() {
            switch self {
            case .single(let pool): pool.shutdown()
            case .cluster(let router): router.shutdown()
            case .sentinel(let router): router.shutdown()
            }
        }

        /// Connects eagerly (loop thread).
        func warmUp() {
            switch self {
            case .single(let pool): pool.warmUp()
            case .cluster(let router): router.warmUp()
            case .sentinel(let router): router.warmUp()
            }
        }

        /// Where subscriptions run.
        var subscriptionHost: any SubscriptionHost {
            switch self {
            case .single(let pool): pool
            case .cluster(let router): router
            case .sentinel(let router): router
            }
        }
    }

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
        // Clamped here too: an out-of-range configuration makes every command fail, but still builds a loop.
        let busyPollNanoseconds = Monotonic.nanoseconds(min(configuration.busyPoll, .seconds(1)))
        self.loop = EventLoop(busyPollNanoseconds: busyPollNanoseconds)
        do {
            let checked = try configuration.validated()
            let tlsContext = try checked.tls.map { settings throws(RedisError) in
                try TLSContext(configuration: settings)
            }
            let backend: Backend
            switch checked.topology.kind {
            case .single:
                backend = .single(
                    ConnectionPool(
                        loop: loop,
                        configuration: checked,
                        tlsContext: tlsContext,
                        logger: logger,
                        metrics: metrics
                    )
                )
            case .cluster(let cluster):
                backend = .cluster(
                    ClusterRouter(
                        loop: loop,
                        configuration: checked,
                        cluster: cluster,
                        tlsContext: tlsContext,
                        logger: logger,
                        metrics: metrics
                    )
                )
            case .sentinel(let sentinel):
                backend = .sentinel(
                    SentinelRouter(
                        loop: loop,
                        configuration: checked,
                        sentinel: sentinel,
                        tlsContext: tlsContext,
                        logger: logger,
                        metrics: metrics
                    )
                )
            }
            loop.onStop { backend.shutdown() }
            self.backend = backend
            self.setupError = nil
        } catch {
            self.backend = nil
            self.setupError = error
        }
    }

    /// Creates a client from a URL such as `redis://user:password@host:6379/0`,
    /// `redis-cluster://10.0.0.1:6379,10.0.0.2:6379` or `redis-sentinel://10.0.0.1:26379/mymaster`; see
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
    ///
    /// On a cluster the command goes to the primary that owns its keys' slot (a command without keys, to any
    /// primary); `MOVED` and `ASK` are followed, and `TRYAGAIN`, `CLUSTERDOWN` and a node that cannot be reached are
    /// retried within the deadline. Behind Sentinel a `READONLY` reply makes the client find the new primary and
    /// retry there. Node-wide commands (KEYS, SCAN, DBSIZE, FLUSHALL, INFO…) see one primary of a cluster.
    /// - Throws: ``RedisError``; ``RedisError/Code/invalidCommand`` for a command that would change the state of
    ///   the connection other callers share (SUBSCRIBE and its family, MONITOR, SELECT, AUTH, HELLO, RESET, QUIT,
    ///   WATCH, UNWATCH, CLIENT REPLY, and MULTI, EXEC or DISCARD alone), with the way to get the same effect;
    ///   on a cluster ``RedisError/Code/crossSlot`` for a multi-key command whose keys hash to different slots.
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
                name: name,
                arguments: arguments,
                deadline: Monotonic.deadline(after: timeout),
                dedicated: blockingTime != nil,
                script: nil
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
    ///
    /// On a cluster the batch is cut by the primaries that own the commands' keys: each primary's part goes in one
    /// write, the parts in parallel, and the replies come back in the caller's order. Commands of the same slot
    /// keep their order; a transaction goes whole to one primary; a command without keys (PING, WAIT) goes with the
    /// command before it. A command answered `MOVED`, `ASK` or `TRYAGAIN` is sent again on its own.
    /// - Throws: ``RedisError``; ``RedisError/Code/invalidCommand`` for a blocking command (BLPOP, XREAD … BLOCK,
    ///   WAIT …), which would hold up every other command on the connection, for a command `send(_:)` refuses
    ///   as changing the shared connection's state, and for MULTI, EXEC or DISCARD that do not form transactions
    ///   closed within the batch (a whole MULTI … EXEC is accepted: it is written in one piece); on a cluster
    ///   ``RedisError/Code/crossSlot`` for a command or transaction whose keys hash to different slots.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        var bytes: [UInt8] = []
        var batch = SharedConnectionCommands.Batch()
        var names: [String] = []
        var encoded: [[UInt8]] = []
        let cluster: ClusterRouter?
        if case .cluster(let router) = backend { cluster = router } else { cluster = nil }
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
            if cluster != nil {
                names.append(name)
                encoded.append(try CommandEncoder.encode(arguments))
            } else {
                try CommandEncoder.encode(arguments, appendingTo: &bytes)
            }
        }
        if let refusal = batch.refusalAtEnd {
            throw RedisError(.invalidCommand, refusal)
        }
        let deadline = Monotonic.deadline(after: configuration.commandTimeout)
        let count = commands.count
        let backend = try requireBackend()
        return try await instrumentation.roundTrip("PIPELINE", commands: count) {
            switch backend {
            case .single(let pool):
                return try await pool.execute(batch: bytes, count: count, deadline: deadline)
            case .cluster(let router):
                let units = try ClusterPipelinePlan.units(commands, names: names)
                return try await router.pipeline(encoded, units: units, deadline: deadline)
            case .sentinel(let router):
                return try await router.run(bytes, count: count, deadline: deadline)
            }
        }
    }

    /// Runs a script by EVALSHA; on NOSCRIPT (empty cache after a restart, failover or SCRIPT FLUSH) it loads the
    /// script with SCRIPT LOAD on the node that answered NOSCRIPT and retries once there. A script without a usable
    /// name (its digest could not be computed, or is not the one the server gives it) is sent whole with EVAL.
    ///
    /// On a cluster the script runs on the primary that owns its keys' slot, so every key must have the same slot
    /// (share a hash tag); a script without keys runs on any primary.
    /// - Throws: ``RedisError``; a script's own `error_reply` arrives as ``RedisError/Code/server``; on a cluster
    ///   ``RedisError/Code/crossSlot`` (nothing sent) for keys in different slots.
    @discardableResult
    public func eval(
        _ script: RedisScript,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = []
    ) async throws -> RedisReply {
        let tail = [RedisArgument(keys.count)] + keys + arguments
        let deadline = Monotonic.deadline(after: configuration.commandTimeout)
        func run(_ name: String, _ command: [RedisArgument], script: RedisScript?) async throws -> RedisReply {
            try await instrumentation.roundTrip(name, commands: 1) {
                try await execute(
                    try CommandEncoder.encode(command),
                    name: name,
                    arguments: command,
                    deadline: deadline,
                    dedicated: false,
                    script: script
                )
            }
        }
        var reply = RedisReply.null
        if !script.sha1.isEmpty {
            reply = try await run("EVALSHA", ["EVALSHA", RedisArgument(script.sha1)] + tail, script: script)
        }
        if script.sha1.isEmpty || reply.errorMessage?.hasPrefix("NOSCRIPT") == true {
            // No name, or loading the script did not give it the name computed here: send the source itself.
            if !script.sha1.isEmpty {
                logger.warning(
                    "SCRIPT LOAD did not make the script's SHA-1 known",
                    metadata: ["redis.sha1": "\(script.sha1)"]
                )
            }
            reply = try await run("EVAL", ["EVAL", RedisArgument(script.source)] + tail, script: nil)
        }
        if case .error(let message) = reply {
            throw RedisError(.server, message)
        }
        return reply
    }

    /// Subscribes to channels on a dedicated connection and returns the messages as they arrive.
    ///
    /// Returns once the server has confirmed the subscription, so a message published afterwards is delivered.
    /// On a cluster the connection goes to any primary (a cluster delivers `PUBLISH` to every node's subscribers);
    /// behind Sentinel, to the primary.
    ///
    /// When the connection is lost (closed by the server, reset, or a failed health check), a subscription made
    /// with `resubscribe` (the default) moves to a new connection, on the node the topology names then, and
    /// subscribes again, and the messages published meanwhile are lost without notice. Without it, the sequence
    /// ends at once instead, so a caller that must not miss a message unnoticed (a cache dropping its entries on
    /// invalidations) learns of the gap and subscribes again itself.
    /// - Throws: ``RedisError`` when the first subscription cannot be made.
    public func subscribe(_ channels: [String], resubscribe: Bool = true) async throws -> RedisSubscription {
        try await subscribe(channels, command: "SUBSCRIBE", route: .anyNode, resubscribe: resubscribe)
    }

    /// Subscribes to sharded channels (`SSUBSCRIBE`, Redis 7.0 and later) and returns the messages as they arrive;
    /// messages are published with `SPUBLISH` (`send("SPUBLISH", channel, message)`).
    ///
    /// On a cluster a sharded channel lives in the slot of its name, like a key: the subscription connects to the
    /// primary that owns it, moves with it when the slot is migrated (the server ends it with `SUNSUBSCRIBE`) or
    /// its primary fails over, and publishing reaches only that shard instead of every node. One call covers
    /// channels of one slot; give channels that are subscribed together the same hash tag. `resubscribe` is as for
    /// ``subscribe(_:resubscribe:)``; a move to another node counts as a lost connection.
    /// - Throws: ``RedisError``; ``RedisError/Code/crossSlot`` on a cluster for channels in different slots;
    ///   ``RedisError/Code/server`` from a server without sharded pub/sub.
    public func subscribe(
        shardChannels channels: [String],
        resubscribe: Bool = true
    ) async throws
        -> RedisSubscription
    {
        var slot: Int?
        for channel in channels {
            let next = RedisArgument(channel).hashSlot
            if let slot, slot != next, configuration.topology.cluster != nil {
                throw CommandKeys.crossSlot("SSUBSCRIBE", RedisArgument(channel))
            }
            slot = next
        }
        return try await subscribe(
            channels,
            command: "SSUBSCRIBE",
            route: configuration.topology.cluster == nil ? .anyNode : slot.map { .slot($0) } ?? .anyNode,
            resubscribe: resubscribe
        )
    }

    private func subscribe(
        _ channels: [String],
        command: String,
        route: SubscriptionRoute,
        resubscribe: Bool
    ) async throws
        -> RedisSubscription
    {
        let host = try requireBackend().subscriptionHost
        guard !channels.isEmpty else {
            throw RedisError(.invalidConfiguration, "subscribe needs at least one channel")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: RedisPubSubMessage.self)
        try await withCheckedThrowingContinuation { (confirmed: CheckedContinuation<Void, any Error>) in
            let accepted = loop.execute {
                guard !host.isShutdown else {
                    continuation.finish()
                    confirmed.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
                    return
                }
                let session = SubscriberSession(
                    host: host,
                    route: route,
                    command: command,
                    channels: channels,
                    resubscribes: resubscribe,
                    deliver: { continuation.yield($0) },
                    ended: { continuation.finish() },
                    subscribed: { confirmed.resume(with: $0) }
                )
                host.add(session)
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
        if let backend {
            loop.execute { backend.warmUp() }
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

    /// Connects the pool eagerly, then waits until the task is cancelled and shuts the client down; a graceful
    /// shutdown of the service group alone does not stop it. For an owner that still has commands to send after
    /// the graceful shutdown began (AuthKit's last session touches), and cancels this once they are sent.
    package func runUntilCancelled() async {
        if let backend {
            loop.execute { backend.warmUp() }
        }
        await withTaskCancellationHandler {
            await loop.waitUntilStopped()
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

    /// The pool of every primary: the one server's, the one behind Sentinel, or each of a cluster's.
    /// - Throws: ``RedisError``.
    func primaryPools() async throws -> [ConnectionPool] {
        switch try requireBackend() {
        case .single(let pool): [pool]
        case .cluster(let router): try await router.primaryPools()
        case .sentinel(let router): [try await router.primaryPool()]
        }
    }

    /// The router of a cluster client, for tests and diagnostics.
    var clusterRouter: ClusterRouter? {
        if case .cluster(let router) = backend { return router }
        return nil
    }

    /// The router of a Sentinel client, for tests and diagnostics.
    var sentinelRouter: SentinelRouter? {
        if case .sentinel(let router) = backend { return router }
        return nil
    }

    private func requireBackend() throws(RedisError) -> Backend {
        guard let backend else {
            throw setupError ?? RedisError(.invalidConfiguration, "the client has no usable configuration")
        }
        return backend
    }

    /// Sends one encoded command where the topology says, and returns its reply (error replies included).
    private func execute(
        _ command: [UInt8],
        name: String,
        arguments: [RedisArgument],
        deadline: UInt64,
        dedicated: Bool,
        script: RedisScript?
    ) async throws -> RedisReply {
        switch try requireBackend() {
        case .single(let pool):
            let reply = try await pool.execute(command, deadline: deadline, dedicated: dedicated)
            guard let script, reply.errorMessage?.hasPrefix("NOSCRIPT") == true else { return reply }
            let load = try CommandEncoder.encode(["SCRIPT", "LOAD", RedisArgument(script.source)])
            let loaded = try await pool.execute(load, deadline: deadline)
            if let message = loaded.errorMessage {
                throw RedisError(.server, message)
            }
            return try await pool.execute(command, deadline: deadline)
        case .cluster(let router):
            let slot = try CommandKeys.slot(name, arguments)
            let unit = ClusterRouter.Unit(bytes: command, count: 1, slot: slot, dedicated: dedicated)
            return try await router.run(unit, deadline: deadline, script: script)[0]
        case .sentinel(let router):
            return try await router.run(command, count: 1, deadline: deadline, dedicated: dedicated, script: script)[0]
        }
    }
}
