/// The one place a `Duration` becomes an integer count of seconds, milliseconds, microseconds or nanoseconds.
///
/// Two rules, each for its own kind of value; every conversion in AuthKit goes through one of them:
///
/// - `ttl(in:)` for a span AuthKit keeps or waits for: a TTL, a window, a block, a retry time, a
///   timeout. It rounds up, so a positive duration never becomes 0 (a `PEXPIRE 0` deletes a key; a TTL of 0 ms is
///   no expiry at all in some commands) and state lives at least as long as asked.
/// - `wholeUnits(in:)` for an instant (time since the epoch) and for a lifetime promised to someone
///   else (`Cache-Control: max-age`, OAuth `expires_in`): it rounds down, towards negative infinity, so an instant
///   falls in the unit that has begun and a promise never outlasts what it describes.
///
/// Neither traps: a count that does not fit in `Int64` saturates at `Int64.max` (or `Int64.min`), which every caller
/// that sends it on either has bounded by validation first or hands to Redis, which refuses it with an error.
extension Duration {
    /// The duration as a TTL (or window, block, retry time, timeout) in whole `unit`s, rounded up.
    ///
    /// - A positive duration is at least 1: one nanosecond is 1 ms, 999 ms is 1 s, 1 s is 1 s, 1 s + 1 ns is 2 s.
    /// - Zero and negative durations are 0: nothing to keep or wait for. Callers that must not send 0 validate
    ///   their durations as positive first.
    /// - A count beyond `Int64.max` is `Int64.max`.
    package func ttl(in unit: DurationUnit) -> Int64 {
        guard self > .zero else { return 0 }
        guard let parts = floorComponents else { return .max }
        let fraction = parts.attoseconds / unit.attoseconds + (parts.attoseconds % unit.attoseconds == 0 ? 0 : 1)
        return Self.saturatingCount(parts.seconds, unit, plus: fraction)
    }

    /// The whole `unit`s in the duration, rounded down (towards negative infinity): for an instant's time since the
    /// epoch, and for a lifetime promised to a client, which must not outlast the real one.
    ///
    /// One nanosecond is 0 ms, 999 ms is 0 s, −1 ns is −1 ms. A count beyond `Int64`'s range saturates.
    package func wholeUnits(in unit: DurationUnit) -> Int64 {
        guard let parts = floorComponents else { return self > .zero ? .max : .min }
        return Self.saturatingCount(parts.seconds, unit, plus: parts.attoseconds / unit.attoseconds)
    }

    /// `components` with the attoseconds in `0..<10^18` (the seconds rounded towards negative infinity), whichever
    /// sign convention the standard library uses for negative durations; nil when the seconds would not fit in
    /// `Int64` (a `Duration` reaches further, and `components` traps there).
    private var floorComponents: (seconds: Int64, attoseconds: Int64)? {
        guard self > .seconds(Int64.min), self < .seconds(Int64.max) else { return nil }
        let (seconds, attoseconds) = components
        guard attoseconds < 0 else { return (seconds, attoseconds) }
        return (seconds - 1, attoseconds + 1_000_000_000_000_000_000)
    }

    /// `seconds` counted in `unit`, plus `fraction` units, clamped to `Int64`'s range.
    private static func saturatingCount(_ seconds: Int64, _ unit: DurationUnit, plus fraction: Int64) -> Int64 {
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: unit.perSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, carried) = whole.addingReportingOverflow(fraction)
        return carried ? .max : total
    }
}
