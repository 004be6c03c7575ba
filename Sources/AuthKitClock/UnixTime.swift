/// An instant on the wall clock, as the time elapsed since 1970-01-01T00:00:00Z.
///
/// JWT NumericDates, Redis TTLs and session timestamps are all wall-clock times, so AuthKit measures them
/// with this type rather than with a monotonic `ContinuousClock` instant.
public struct UnixTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The time elapsed since the Unix epoch.
    public var sinceEpoch: Duration

    /// Creates an instant from the time elapsed since the Unix epoch.
    @inlinable
    public init(sinceEpoch: Duration) {
        self.sinceEpoch = sinceEpoch
    }

    /// Creates an instant from whole seconds since the Unix epoch.
    public init(seconds: Int64) {
        self.sinceEpoch = .seconds(seconds)
    }

    /// The whole seconds since the epoch, rounded towards negative infinity.
    public var seconds: Int64 {
        sinceEpoch.wholeUnits(in: .seconds)
    }

    /// The milliseconds since the epoch, rounded towards negative infinity.
    public var milliseconds: Int64 {
        sinceEpoch.wholeUnits(in: .milliseconds)
    }

    /// The seconds since the epoch as a floating-point number, for comparisons with fractional NumericDates.
    public var secondsDouble: Double {
        let (whole, attoseconds) = sinceEpoch.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    // Compared and moved as 128-bit attoseconds, which the compiler inlines: `Duration`'s own operators are calls
    // into the standard library, and a verification and a mirror check each make several of them. Every ordering is
    // written out, as `Comparable`'s defaults are generic calls.

    /// Whether `lhs` comes before `rhs`.
    @inlinable
    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.sinceEpoch.attoseconds < rhs.sinceEpoch.attoseconds
    }

    /// Whether `lhs` comes before `rhs` or is the same instant.
    @inlinable
    public static func <= (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.sinceEpoch.attoseconds <= rhs.sinceEpoch.attoseconds
    }

    /// Whether `lhs` comes after `rhs`.
    @inlinable
    public static func > (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.sinceEpoch.attoseconds > rhs.sinceEpoch.attoseconds
    }

    /// Whether `lhs` comes after `rhs` or is the same instant.
    @inlinable
    public static func >= (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.sinceEpoch.attoseconds >= rhs.sinceEpoch.attoseconds
    }

    /// Whether `lhs` and `rhs` are the same instant.
    @inlinable
    public static func == (lhs: UnixTime, rhs: UnixTime) -> Bool {
        lhs.sinceEpoch.attoseconds == rhs.sinceEpoch.attoseconds
    }

    /// The instant `rhs` after `lhs`.
    @inlinable
    public static func + (lhs: UnixTime, rhs: Duration) -> UnixTime {
        UnixTime(sinceEpoch: Duration(attoseconds: lhs.sinceEpoch.attoseconds + rhs.attoseconds))
    }

    /// The difference: an instant `rhs` before `lhs`, or the duration between two instants.
    @inlinable
    public static func - (lhs: UnixTime, rhs: Duration) -> UnixTime {
        UnixTime(sinceEpoch: Duration(attoseconds: lhs.sinceEpoch.attoseconds - rhs.attoseconds))
    }

    /// The difference: an instant `rhs` before `lhs`, or the duration between two instants.
    @inlinable
    public static func - (lhs: UnixTime, rhs: UnixTime) -> Duration {
        Duration(attoseconds: lhs.sinceEpoch.attoseconds - rhs.sinceEpoch.attoseconds)
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        "UnixTime(\(secondsDouble))"
    }
}
