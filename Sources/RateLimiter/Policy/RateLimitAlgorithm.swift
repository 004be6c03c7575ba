/// Which counting rule a ``RateLimitPolicy`` applies.
///
/// A struct of static values rather than an enum, so that adding an algorithm never breaks a user's `switch`.
public struct RateLimitAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm's stable name, used in policy names, storage and the CLI's `--algorithm` option.
    public let name: String

    private init(_ name: String) {
        self.name = name
    }

    /// The text shown when the value is printed or logged.
    public var description: String { name }

    /// Counts requests in windows aligned to the Unix epoch; the count restarts at each window boundary.
    ///
    /// Cheapest and easiest to explain, but lets up to twice the limit through around a boundary.
    public static let fixedWindow = RateLimitAlgorithm("fixed-window")

    /// Weighs the previous fixed window's count by the part of it still inside a sliding window (two counters).
    ///
    /// This is the weighted two-window approximation, not a request log: memory stays constant per key and
    /// the estimate assumes requests in the previous window were evenly spread.
    public static let slidingWindow = RateLimitAlgorithm("sliding-window")

    /// The generic cell rate algorithm: a token bucket of `burst` tokens refilled at `limit` per `window`.
    ///
    /// Stores one timestamp per key (the theoretical arrival time) and spreads requests evenly.
    public static let gcra = RateLimitAlgorithm("gcra")

    /// Every algorithm AuthKit implements.
    public static let all: [RateLimitAlgorithm] = [.fixedWindow, .slidingWindow, .gcra]

    /// Returns the algorithm with the given stable name, or `nil` when AuthKit has none by that name.
    public init?(name: String) {
        guard let match = Self.all.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
