import AuthKitPlatform

/// Monotonic nanoseconds (`clock_gettime(CLOCK_MONOTONIC)`), the unit of every deadline on the event loop.
enum Monotonic {
    static func now() -> UInt64 {
        Platform.monotonicNanoseconds()
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return UInt64.max / 2 }
        return whole &+ UInt64(max(attoseconds, 0) / 1_000_000_000)
    }

    static func deadline(after duration: Duration) -> UInt64 {
        let (sum, overflow) = now().addingReportingOverflow(nanoseconds(duration))
        return overflow ? UInt64.max : sum
    }
}
