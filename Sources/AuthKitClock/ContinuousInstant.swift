import AuthKitPlatform

/// An instant on the clock that `ContinuousClock` reads (it never goes back and counts time the machine spends
/// asleep or suspended), held as whole nanoseconds.
///
/// For deadlines read on every request: reading it is one `clock_gettime`, and comparing two is one integer
/// comparison, where a `ContinuousClock.Instant` is read and compared through generic calls into the standard
/// library on 128-bit durations.
package struct ContinuousInstant: Comparable, Hashable, Sendable {
    /// Nanoseconds since the clock's arbitrary origin (the boot, on Linux).
    package let nanoseconds: UInt64

    @inlinable
    package init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The clock's reading now.
    package static var now: ContinuousInstant {
        ContinuousInstant(nanoseconds: Platform.continuousNanoseconds())
    }

    @inlinable
    package static func < (lhs: ContinuousInstant, rhs: ContinuousInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    // The other orderings are written out: the protocol's defaults are generic calls through `Comparable`.

    @inlinable
    package static func <= (lhs: ContinuousInstant, rhs: ContinuousInstant) -> Bool {
        lhs.nanoseconds <= rhs.nanoseconds
    }

    @inlinable
    package static func > (lhs: ContinuousInstant, rhs: ContinuousInstant) -> Bool {
        lhs.nanoseconds > rhs.nanoseconds
    }

    @inlinable
    package static func >= (lhs: ContinuousInstant, rhs: ContinuousInstant) -> Bool {
        lhs.nanoseconds >= rhs.nanoseconds
    }

    /// The instant `duration` after `instant`, truncated to whole nanoseconds; a negative duration counts as zero and
    /// a sum past the clock's range stays at its end.
    @inlinable
    package static func + (instant: ContinuousInstant, duration: Duration) -> ContinuousInstant {
        let nanoseconds = max(duration.attoseconds / 1_000_000_000, 0)
        guard nanoseconds <= Int128(UInt64.max - instant.nanoseconds) else {
            return ContinuousInstant(nanoseconds: .max)
        }
        return ContinuousInstant(nanoseconds: instant.nanoseconds + UInt64(nanoseconds))
    }

    /// The time from this instant to `later` (negative when `later` is earlier).
    package func duration(to later: ContinuousInstant) -> Duration {
        Duration(attoseconds: (Int128(later.nanoseconds) - Int128(nanoseconds)) * 1_000_000_000)
    }
}
