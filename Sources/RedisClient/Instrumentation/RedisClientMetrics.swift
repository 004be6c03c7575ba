import Metrics

/// The connection pool's health through swift-metrics, reported by every ``RedisClient``:
///
/// | Metric | Kind | What it counts |
/// | --- | --- | --- |
/// | `authkit_redis_connections` | meter | pool connections established and not yet closed |
/// | `authkit_redis_commands_in_flight` | meter | commands sent (or queued) whose reply has not come back |
/// | `authkit_redis_reconnects_total` | counter | connections re-established after one was lost |
/// | `authkit_redis_timeouts_total` | counter | commands that got no reply within their deadline |
/// | `authkit_redis_errors_total{code}` | counter | failed commands, by ``RedisError/Code`` name |
///
/// Without a bootstrapped metrics backend every update goes to swift-metrics' no-op handler.
final class RedisClientMetrics: Sendable {
    let connectionsOpen: Meter
    let commandsInFlight: Meter
    let reconnects: Counter
    let timeouts: Counter
    private let errors: [String: Counter]
    private let otherErrors: Counter

    /// Metrics reported to `factory` (tests pass their own), or to the bootstrapped metrics system.
    init(factory: (any MetricsFactory)?) {
        let factory = factory ?? MetricsSystem.factory
        connectionsOpen = Meter(label: "authkit_redis_connections", factory: factory)
        commandsInFlight = Meter(label: "authkit_redis_commands_in_flight", factory: factory)
        reconnects = Counter(label: "authkit_redis_reconnects_total", factory: factory)
        timeouts = Counter(label: "authkit_redis_timeouts_total", factory: factory)
        let codes: [RedisError.Code] = [
            .connectionFailed, .connectionClosed, .timeout, .server, .protocol, .replyTooLarge, .tls,
            .authentication, .poolShutdown, .invalidConfiguration, .invalidCommand,
        ]
        var errors: [String: Counter] = [:]
        for code in codes {
            errors[code.name] = Counter(
                label: "authkit_redis_errors_total",
                dimensions: [("code", code.name)],
                factory: factory
            )
        }
        self.errors = errors
        otherErrors = Counter(label: "authkit_redis_errors_total", dimensions: [("code", "other")], factory: factory)
    }

    /// Counts a pool connection that is now established (again, after a loss, when `reconnect`).
    func connectionEstablished(reconnect: Bool) {
        connectionsOpen.increment()
        if reconnect { reconnects.increment() }
    }

    /// Counts an established pool connection that closed.
    func connectionClosed() {
        connectionsOpen.decrement()
    }

    /// Counts `count` commands sent and awaiting replies (negative when their replies are in).
    func inFlight(_ count: Int) {
        count > 0 ? commandsInFlight.increment(by: Double(count)) : commandsInFlight.decrement(by: Double(-count))
    }

    /// Counts a failed command.
    func record(_ error: RedisError) {
        (errors[error.code.name] ?? otherErrors).increment()
        if error.code == .timeout { timeouts.increment() }
    }
}
