/// A unit a `Duration` is counted in where it leaves Swift: a Redis TTL, a Lua script's clock, an HTTP header.
///
/// See `Duration.ttl(in:)` and `Duration.wholeUnits(in:)` for the two ways of counting.
package enum DurationUnit: Sendable {
    case seconds
    case milliseconds
    case microseconds
    case nanoseconds

    /// The attoseconds in one unit.
    var attoseconds: Int64 {
        switch self {
        case .seconds: 1_000_000_000_000_000_000
        case .milliseconds: 1_000_000_000_000_000
        case .microseconds: 1_000_000_000_000
        case .nanoseconds: 1_000_000_000
        }
    }

    /// The units in one second.
    var perSecond: Int64 {
        1_000_000_000_000_000_000 / attoseconds
    }
}
