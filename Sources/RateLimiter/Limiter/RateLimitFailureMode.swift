/// What a ``RateLimiter`` does while its store cannot answer.
public struct RateLimitFailureMode: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable {
        case open
        case closed
        case localFallback(limitScale: Double)
    }

    let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// Allow every request unchecked while the store is down (availability over protection).
    public static let failOpen = RateLimitFailureMode(.open)

    /// Refuse every request while the store is down (protection over availability).
    public static let failClosed = RateLimitFailureMode(.closed)

    /// Decide with this process's in-memory insurance limiter while the store is down.
    ///
    /// Each process then enforces the limits on its own; with N processes behind a balancer, pass
    /// `limitScale: 1.0 / N` so their sum stays near the shared limit. Scaled limits never drop below one. A request
    /// is charged its whole cost against the scaled limit, so one that costs more than a process's share is refused
    /// (retry after ``RateLimiterConfiguration/storeRetryInterval``) rather than admitted once by every process.
    public static func localFallback(limitScale: Double = 1.0) -> RateLimitFailureMode {
        RateLimitFailureMode(.localFallback(limitScale: limitScale.isFinite && limitScale > 0 ? limitScale : 1.0))
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        switch kind {
        case .open: "fail-open"
        case .closed: "fail-closed"
        case .localFallback(let scale): "local-fallback(scale: \(scale))"
        }
    }
}
