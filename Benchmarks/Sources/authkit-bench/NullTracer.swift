import Tracing

/// The cheapest real tracer: spans that record nothing, so `--tracer null` measures what AuthKit itself spends on a
/// span when a tracer is in force (a tracer that exports adds its own cost on top).
struct NullTracer: Tracer {
    func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> InstrumentationContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> NullSpan {
        NullSpan(context: context(), operationName: operationName)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {}

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout InstrumentationContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {}
}

/// A span of ``NullTracer``: every call does nothing.
struct NullSpan: Span {
    let context: InstrumentationContext
    var operationName: String {
        get { storedName }
        nonmutating set {}
    }
    private let storedName: String

    init(context: InstrumentationContext, operationName: String) {
        self.context = context
        self.storedName = operationName
    }

    var attributes: SpanAttributes {
        get { [:] }
        nonmutating set {}
    }

    var isRecording: Bool { false }

    func setStatus(_ status: SpanStatus) {}

    func addEvent(_ event: SpanEvent) {}

    func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {}

    func addLink(_ link: SpanLink) {}

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {}
}
