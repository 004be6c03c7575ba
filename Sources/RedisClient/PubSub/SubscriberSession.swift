import Logging

/// The loop-side state of one subscription: its dedicated connection, resubscribing after every reconnect on the
/// node its ``SubscriptionHost`` names then, or (without `resubscribes`) ending the subscription when its connection
/// is lost.
///
/// `@unchecked Sendable`: every method runs on the event-loop thread.
final class SubscriberSession: @unchecked Sendable {
    private let host: any SubscriptionHost
    private let route: SubscriptionRoute
    /// `SUBSCRIBE` or `SSUBSCRIBE`.
    private let command: String
    private let channels: [String]
    private let resubscribes: Bool
    /// Receives each message.
    private let deliver: (RedisPubSubMessage) -> Void
    /// Called once when the session ends.
    private let ended: () -> Void
    private var connection: RedisConnection?
    /// The pool whose node the connection goes to.
    private weak var pool: ConnectionPool?
    private var attempt = 0
    private var finished = false
    private var firstSubscribe: ((Result<Void, RedisError>) -> Void)?

    init(
        host: any SubscriptionHost,
        route: SubscriptionRoute = .anyNode,
        command: String = "SUBSCRIBE",
        channels: [String],
        resubscribes: Bool,
        deliver: @escaping (RedisPubSubMessage) -> Void,
        ended: @escaping () -> Void,
        subscribed: @escaping (Result<Void, RedisError>) -> Void
    ) {
        self.host = host
        self.route = route
        self.command = command
        self.channels = channels
        self.resubscribes = resubscribes
        self.deliver = deliver
        self.ended = ended
        self.firstSubscribe = subscribed
    }

    func start() {
        guard !finished else { return }
        host.subscriptionPool(for: route) { [weak self] result in
            guard let self, !self.finished else { return }
            switch result {
            case .success(let pool):
                self.pool = pool
                self.connect(pool.makeConnection())
            case .failure(let error):
                self.disconnected(error)
            }
        }
    }

    private func connect(_ connection: RedisConnection) {
        self.connection = connection
        connection.pushHandler = { [weak self] reply in self?.received(reply) }
        connection.isPush = { reply in
            guard case .array(let parts) = reply, let kind = parts.first?.string else { return false }
            // `sunsubscribe` never answers a command of ours (ending a session closes its connection): the server
            // sends it when the channels' slot has moved to another node.
            return kind == "message" || kind == "pmessage" || kind == "smessage" || kind == "sunsubscribe"
        }
        connection.onClose = { [weak self, weak connection] error in
            guard let self, let connection, self.connection === connection else { return }
            self.disconnected(error)
        }
        connection.start()
        let encoded: [UInt8]
        do {
            encoded = try CommandEncoder.encode([RedisArgument(command)] + channels.map { RedisArgument($0) })
        } catch {
            fail(error)
            return
        }
        // The first confirmation is matched as the reply; the server has then subscribed every channel of the
        // command, because it handles one command at a time.
        connection.enqueue(encoded, deadline: Monotonic.deadline(after: host.configuration.commandTimeout)) {
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
        let interval = host.configuration.subscriptionHealthCheckInterval
        host.loop.schedule(at: Monotonic.deadline(after: interval)) { [weak self, weak connection] in
            guard let self, let connection, self.connection === connection, !connection.isClosed else { return }
            let deadline = Monotonic.deadline(after: self.host.configuration.commandTimeout)
            // The reply only proves liveness; a timeout or error closes the connection, handled in `disconnected`.
            connection.enqueue(Self.ping, deadline: deadline) { _ in }
            self.scheduleHealthCheck(for: connection)
        }
    }

    private static let ping: [UInt8] = Array("*1\r\n$4\r\nPING\r\n".utf8)

    /// Whether the subscription's connection goes to `pool`'s node.
    func isConnected(to pool: ConnectionPool) -> Bool {
        connection != nil && self.pool === pool
    }

    /// Closes the connection and subscribes again on the node the host names now (its primary changed).
    func reconnect(_ reason: RedisError) {
        connection?.close(reason)
    }

    /// Ends the subscription: closes the connection and finishes the stream.
    func finish() {
        guard !finished else { return }
        finished = true
        let connection = self.connection
        self.connection = nil
        connection?.close(RedisError(.connectionClosed, "subscription ended"))
        firstSubscribe?(.failure(RedisError(.poolShutdown, "the subscription ended before it was confirmed")))
        firstSubscribe = nil
        ended()
        host.remove(self)
    }

    private func fail(_ error: RedisError) {
        firstSubscribe?(.failure(error))
        firstSubscribe = nil
        finish()
    }

    private func disconnected(_ error: RedisError) {
        connection = nil
        guard !finished, !host.isShutdown else { return }
        if firstSubscribe != nil {
            // The first subscribe never succeeded: report it to the caller rather than retrying silently.
            fail(error)
            return
        }
        host.subscriptionLost(route)
        guard resubscribes else {
            // Messages may have been published while the connection was dying: end, so the caller knows.
            host.logger.warning(
                "Redis subscription connection closed; ending the subscription",
                metadata: ["redis.error": "\(error)"]
            )
            finish()
            return
        }
        let delay = host.backoffDelay(attempt: attempt)
        attempt += 1
        host.logger.warning(
            "Redis subscription connection closed; resubscribing",
            metadata: ["redis.error": "\(error)", "redis.reconnect_in": "\(delay)"]
        )
        host.loop.schedule(at: Monotonic.deadline(after: delay)) { [weak self] in
            self?.start()
        }
    }

    private func received(_ reply: RedisReply) {
        guard case .array(let parts) = reply, let kind = parts.first?.string else { return }
        if kind == "sunsubscribe" {
            connection?.close(RedisError(.connectionClosed, "the server moved the subscribed channels' slot"))
            return
        }
        guard parts.count == 3, kind == "message" || kind == "smessage", let channel = parts[1].string,
            let payload = parts[2].bytes
        else {
            return
        }
        deliver(RedisPubSubMessage(channel: channel, payload: payload))
    }
}
