import Tracing

/// The tracer AuthKit's spans go to (`authkit.authenticate`, `authkit.login`, `authkit.refresh`,
/// `authkit.rate_limit`, `authkit.permissions`), read once when an instance is created: the one a
/// `withTracer(_:_:)` scope binds, or else the one bootstrapped in swift-distributed-tracing's
/// `InstrumentationSystem`.
///
/// With none (the `NoOpTracer`), every span is skipped on one branch, so tracing costs nothing until a tracer is
/// bootstrapped. Span attributes name users, sessions, policies and outcomes; never a token, a secret or a
/// password.
struct AuthKitTracing: Sendable {
    private let tracer: (any Tracer)?
    /// Whether spans are recorded: false with the no-op tracer, when a caller may take a path without ``span(_:_:)``
    /// (kept apart from the tracer, which reading would copy).
    let isEnabled: Bool

    /// The tracer in force now, or none when it is the no-op tracer.
    init() {
        let tracer = InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
        self.isEnabled = self.tracer != nil
    }

    /// Runs `body` inside a span named `name` (no span without a tracer); an error thrown ends the span as failed.
    func span<Result>(
        _ name: String,
        _ body: (SpanHandle) async throws -> Result
    ) async rethrows -> Result {
        guard let tracer else { return try await body(SpanHandle(span: nil)) }
        return try await tracer.withSpan(name) { span in try await body(SpanHandle(span: span)) }
    }
}

/// The span of an operation, or nothing when no tracer is in force; its setters then do nothing.
struct SpanHandle: Sendable {
    let span: (any Span)?

    /// Sets a string attribute.
    func set(_ key: String, _ value: String?) {
        guard let span, let value else { return }
        span.attributes[key] = value
    }

    /// Sets an integer attribute.
    func set(_ key: String, _ value: Int) {
        span?.attributes[key] = value
    }

    /// Sets a Boolean attribute.
    func set(_ key: String, _ value: Bool) {
        span?.attributes[key] = value
    }
}
