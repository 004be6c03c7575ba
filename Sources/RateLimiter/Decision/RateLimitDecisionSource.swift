/// Which path produced a ``RateLimitDecision``: the shared store, or one of the answers used while it is down.
public struct RateLimitDecisionSource: Hashable, Sendable, CustomStringConvertible {
    /// The source's stable name, as printed in the CLI's JSON.
    public let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// The text shown when the value is printed or logged.
    public var description: String { name }

    /// The configured store decided, so the limit holds across every process sharing it.
    public static let store = RateLimitDecisionSource("store")
    /// The store failed and this process's in-memory insurance limiter decided (a per-process limit).
    public static let localFallback = RateLimitDecisionSource("local-fallback")
    /// The store failed and the limiter is configured to fail open: the request was allowed unchecked.
    public static let failOpen = RateLimitDecisionSource("fail-open")
    /// The store failed and the limiter is configured to fail closed: the request was refused unchecked.
    public static let failClosed = RateLimitDecisionSource("fail-closed")
}
