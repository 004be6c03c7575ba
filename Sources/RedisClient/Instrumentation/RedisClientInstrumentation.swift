import Tracing

/// What every round trip of a ``RedisClient`` reports: a span to the tracer in force when the client was created
/// (one per `send`, `eval` attempt or pipeline, named after the command, with `db.system.name` `redis`, the command
/// name and a pipeline's size, never an argument), and the pool's metrics. Without a tracer the span is skipped on
/// one branch.
struct RedisClientInstrumentation: Sendable {
    let metrics: RedisClientMetrics
    private let tracer: (any Tracer)?

    init(metrics: RedisClientMetrics) {
        self.metrics = metrics
        let tracer = InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
    }

    /// Runs one round trip of `commands` commands named `operation`, counting it in flight and its failure.
    func roundTrip<Result>(
        _ operation: String,
        commands: Int,
        _ body: () async throws -> Result
    ) async throws -> Result {
        metrics.inFlight(commands)
        defer { metrics.inFlight(-commands) }
        do {
            guard let tracer else { return try await body() }
            return try await tracer.withSpan(operation, ofKind: .client) { span in
                span.attributes["db.system.name"] = "redis"
                span.attributes["db.operation.name"] = operation
                if commands > 1 { span.attributes["db.operation.batch.size"] = commands }
                return try await body()
            }
        } catch let error as RedisError {
            metrics.record(error)
            throw error
        }
    }
}
