import Logging

/// The loop-side state of one subscription: its dedicated connection, resubscribing after every reconnect, or
/// (without `resubscribes`) ending the subscription when its connection is lost.
///
/// `@unchecked Sendable`: every method runs on the event-loop thread.
final class SubscriberSession: @unchecked Sendable {
    private let pool: ConnectionPool
    private let channels: [String]
    private let resubscribes: Bool
    private let continuation: AsyncStream<RedisPubSubMessage>.Continuation
    private var connection: RedisConnection?
    private var attempt = 0
    private var finished = false
    private var firstSubscribe: ((Result<Void, RedisError>) -> Void)?

    init(
        pool: ConnectionPool,
        channels: [String],
        resubscribes: Bool,
        continuation: AsyncStream<RedisPubSubMessage>.Continuation,
        subscribed: @escaping (Result<Void, RedisError>) -> Void
    ) {
        self.pool = pool
        self.channels = channels
        self.resubscribes = resubscribes
        self.continuation = continuation
        self.firstSubscribe = subscribed
    }

    func start() {
        guard !finished else { return }
        let connection = pool.makeConnection()
        self.connection = connection
        connection.pushHandler = { [weak self] reply in self?.received(reply) }
        connection.isPush = { reply in
            guard case .array(let parts) = reply, let kind = parts.first?.string else { return false }
            return kind == "message" || kind == "pmessage"
        }
        connection.onClose = { [weak self, weak connection] error in
            guard let self, let connection, self.connection === connection else { return }
            self.disconnected(error)
        }
        connection.start()
        let command: [UInt8]
        do {
            command = try CommandEncoder.encode(["SUBSCRIBE"] + channels.map { RedisArgument($0) })
        } catch {
            fail(error)
            return
        }
        // The first confirmation is matched as the reply; the server has then subscribed every channel of the
        // command, because it handles one command at a time.
        connection.enqueue(command, deadline: Monotonic.deadline(after: pool.configuration.commandTimeout)) {
            [weak self] result in
            guard let self else { return }
            switch result {
            case .success(.error(let message)):
                self.connection?.close(RedisError(.server, message))
            case .success:
                self.attempt = 0
                self.firstSubscribe?(.success(()))
                self.firstSubscribe = nil
                self.scheduleHealthCheck(for: connection)
            case .failure(let error):
                // A SUBSCRIBE that timed out before the socket was ready leaves the connection open: close it, so
                // the subscription fails or moves on like after any other failure.
                connection.close(error)
            }
        }
    }

    /// A subscriber connection is otherwise silent, so a hung or black-holed server would go unnoticed: a PING
    /// with the command deadline proves it alive, and a missing answer closes the connection, which resubscribes.
    private func scheduleHealthCheck(for connection: RedisConnection) {
        let interval = pool.configuration.subscriptionHealthCheckInterval
        pool.loop.schedule(at: Monotonic.deadline(after: interval)) { [weak self, weak connection] in
            guard let self, let connection, self.connection === connection, !connection.isClosed else { return }
            let deadline = Monotonic.deadline(after: self.pool.configuration.commandTimeout)
            // The reply only proves liveness; a timeout or error closes the connection, handled in `disconnected`.
            connection.enqueue(Self.ping, deadline: deadline) { _ in }
            self.scheduleHealthCheck(for: connection)
        }
    }

    private static let ping: [UInt8] = Array("*1\r\n$4\r\nPING\r\n".utf8)

    /// Ends the subscription: closes the connection and finishes the stream.
    func finish() {
        guard !finished else { return }
        finished = true
        let connection = self.connection
        self.connection = nil
        connection?.close(RedisError(.connectionClosed, "subscription ended"))
        firstSubscribe?(.failure(RedisError(.poolShutdown, "the subscription ended before it was confirmed")))
        firstSubscribe = nil
        continuation.finish()
        pool.remove(self)
    }

    private func fail(_ error: RedisError) {
        firstSubscribe?(.failure(error))
        firstSubscribe = nil
        finish()
    }

    private func disconnected(_ error: RedisError) {
        connection = nil
        guard !finished, !pool.isShutdown else { return }
        if firstSubscribe != nil {
            // The first subscribe never succeeded: report it to the caller rather than retrying silently.
            fail(error)
            return
        }
        guard resubscribes else {
            // Messages may have been published while the connection was dying: end, so the caller knows.
            pool.logger.warning(
                "Redis subscription connection closed; ending the subscription",
                metadata: ["redis.error": "\(error)"]
            )
            finish()
            return
        }
        let delay = pool.backoffDelay(attempt: attempt)
        attempt += 1
        pool.logger.warning(
            "Redis subscription connection closed; resubscribing",
            metadata: ["redis.error": "\(error)", "redis.reconnect_in": "\(delay)"]
        )
        pool.loop.schedule(at: Monotonic.deadline(after: delay)) { [weak self] in
            self?.start()
        }
    }

    private func received(_ reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count == 3, parts[0].string == "message",
            let channel = parts[1].string, let payload = parts[2].bytes
        else {
            return
        }
        continuation.yield(RedisPubSubMessage(channel: channel, payload: payload))
    }
}
