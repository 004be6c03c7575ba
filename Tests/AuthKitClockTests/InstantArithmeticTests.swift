import AuthKitClock
import Testing

/// `UnixTime` and `ContinuousInstant` do their arithmetic on plain integers for speed; these hold them to the answers
/// of `Duration` and `ContinuousClock`, which they stand for.
@Suite("Instant arithmetic")
struct InstantArithmeticTests {
    /// Durations around the places where 128-bit attoseconds change sign, carry or round.
    private static let durations: [Duration] = [
        .zero, .nanoseconds(1), .nanoseconds(-1), Duration(secondsComponent: 0, attosecondsComponent: 1),
        Duration(secondsComponent: 0, attosecondsComponent: -1), .seconds(1), .seconds(-1),
        .seconds(1) - Duration(secondsComponent: 0, attosecondsComponent: 1), .milliseconds(1_500),
        .seconds(1_800_000_000), .seconds(1_800_000_000) + .nanoseconds(999_999_999), .seconds(Int64.max / 4),
        .seconds(-(Int64.max / 4)), .seconds(1 << 40),
    ]

    @Test("UnixTime orders, equates, adds and subtracts exactly as the durations since the epoch do")
    func unixTimeAgreesWithDuration() {
        for a in Self.durations {
            for b in Self.durations {
                let (x, y) = (UnixTime(sinceEpoch: a), UnixTime(sinceEpoch: b))
                #expect((x < y) == (a < b), "\(a) < \(b)")
                #expect((x == y) == (a == b), "\(a) == \(b)")
                #expect((x <= y) == (a <= b), "\(a) <= \(b)")
                #expect((x + b).sinceEpoch == a + b, "\(a) + \(b)")
                #expect((x - b).sinceEpoch == a - b, "\(a) - \(b)")
                #expect(x - y == a - b, "\(a) - \(b)")
                if x == y { #expect(x.hashValue == y.hashValue) }
            }
        }
    }

    @Test("a ContinuousInstant adds durations in whole nanoseconds, and stays at the clock's end past it")
    func continuousInstantArithmetic() {
        let instant = ContinuousInstant(nanoseconds: 1_000)
        #expect((instant + .seconds(2)).nanoseconds == 2_000_001_000)
        #expect((instant + .nanoseconds(1)).nanoseconds == 1_001)
        #expect((instant + Duration(secondsComponent: 0, attosecondsComponent: 999_999_999)).nanoseconds == 1_000)
        #expect((instant + .seconds(-5)).nanoseconds == 1_000, "a negative duration counts as zero")
        #expect((instant + .seconds(Int64.max)).nanoseconds == .max)
        #expect((ContinuousInstant(nanoseconds: .max - 1) + .nanoseconds(1)).nanoseconds == .max)
        #expect((ContinuousInstant(nanoseconds: .max - 1) + .nanoseconds(2)).nanoseconds == .max)
        #expect(instant.duration(to: instant + .milliseconds(250)) == .milliseconds(250))
        #expect((instant + .milliseconds(250)).duration(to: instant) == .milliseconds(-250))
        #expect(instant < instant + .nanoseconds(1))
        #expect(!(instant + .nanoseconds(1) < instant))
    }

    @Test("a ContinuousInstant reads the clock ContinuousClock reads: its elapsed time lies within ContinuousClock's")
    func continuousInstantReadsContinuousClock() async throws {
        // Each reading of ours is bracketed by two of ContinuousClock's, so however the thread is preempted, the
        // time ours measures lies between the shortest and the longest span the brackets allow.
        let before = ContinuousClock.now
        let first = ContinuousInstant.now
        let afterFirst = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(30))
        let beforeSecond = ContinuousClock.now
        let second = ContinuousInstant.now
        let after = ContinuousClock.now
        let measured = first.duration(to: second)
        let slack = Duration.microseconds(1)
        #expect(measured >= afterFirst.duration(to: beforeSecond) - slack)
        #expect(measured <= before.duration(to: after) + slack)
        #expect(measured >= .milliseconds(30))
    }
}
