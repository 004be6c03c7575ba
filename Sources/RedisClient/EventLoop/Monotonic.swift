import AuthKitClock
import AuthKitPlatform

/// Monotonic nanoseconds (`clock_gettime(CLOCK_MONOTONIC)`), the unit of every deadline on the event loop.
enum Monotonic {
    static func now() -> UInt64 {
        Platform.monotonicNanoseconds()
    }

    /// A timeout in nanoseconds: rounded up, 0 when not positive, at most `Int64.max` (292 years).
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.ttl(in: .nanoseconds))
    }

    static func deadline(after duration: Duration) -> UInt64 {
        let (sum, overflow) = now().addingReportingOverflow(nanoseconds(duration))
        return overflow ? UInt64.max : sum
    }
}
