import AuthKitClock
import Testing

@Suite("Duration to integer units")
struct DurationUnitsTests {
    @Test("a TTL rounds up, so a positive duration is never 0")
    func ttlRoundsUp() {
        #expect(Duration.nanoseconds(1).ttl(in: .seconds) == 1)
        #expect(Duration.nanoseconds(1).ttl(in: .milliseconds) == 1)
        #expect(Duration.nanoseconds(1).ttl(in: .microseconds) == 1)
        #expect(Duration.nanoseconds(1).ttl(in: .nanoseconds) == 1)
        #expect(Duration(secondsComponent: 0, attosecondsComponent: 1).ttl(in: .nanoseconds) == 1)
        #expect(Duration.milliseconds(999).ttl(in: .seconds) == 1)
        #expect(Duration.milliseconds(999).ttl(in: .milliseconds) == 999)
        #expect(Duration.seconds(1).ttl(in: .seconds) == 1)
        #expect(Duration.seconds(1).ttl(in: .milliseconds) == 1000)
        #expect(Duration.seconds(1).ttl(in: .microseconds) == 1_000_000)
        #expect(Duration.seconds(1).ttl(in: .nanoseconds) == 1_000_000_000)
        let justOver = Duration.seconds(1) + .nanoseconds(1)
        #expect(justOver.ttl(in: .seconds) == 2)
        #expect(justOver.ttl(in: .milliseconds) == 1001)
        #expect(justOver.ttl(in: .microseconds) == 1_000_001)
        #expect(justOver.ttl(in: .nanoseconds) == 1_000_000_001)
        #expect(Duration.microseconds(1500).ttl(in: .milliseconds) == 2)
    }

    @Test("a zero or negative TTL is 0: nothing to keep")
    func ttlOfNothing() {
        #expect(Duration.zero.ttl(in: .milliseconds) == 0)
        #expect(Duration.nanoseconds(-1).ttl(in: .milliseconds) == 0)
        #expect(Duration.seconds(-1).ttl(in: .seconds) == 0)
        #expect(Duration.milliseconds(-1500).ttl(in: .milliseconds) == 0)
        #expect(Duration.seconds(Int64.min).ttl(in: .nanoseconds) == 0)
        #expect((Duration.seconds(Int64.min) - .seconds(Int64.max)).ttl(in: .seconds) == 0)
    }

    @Test("a TTL too long for Int64 saturates instead of trapping or wrapping")
    func ttlSaturates() {
        #expect(Duration.seconds(Int64.max).ttl(in: .seconds) == Int64.max)
        #expect(Duration.seconds(Int64.max).ttl(in: .milliseconds) == Int64.max)
        #expect(Duration.seconds(Int64.max / 1000).ttl(in: .milliseconds) == Int64.max / 1000 * 1000)
        #expect(Duration.seconds(Int64.max / 1000 + 1).ttl(in: .milliseconds) == Int64.max)
        // Just below the limit, the rounded-up fraction is what overflows.
        let edge = Duration.seconds(Int64.max / 1000) + .milliseconds(807) + .nanoseconds(1)
        #expect(edge.ttl(in: .milliseconds) == Int64.max)
        // Beyond Int64.max seconds, where `components` itself would trap.
        #expect((Duration.seconds(Int64.max) + .seconds(Int64.max)).ttl(in: .seconds) == Int64.max)
        #expect(Duration.nanoseconds(Int64.max).ttl(in: .nanoseconds) == Int64.max)
    }

    @Test("whole units round down, towards negative infinity")
    func wholeUnitsRoundDown() {
        #expect(Duration.nanoseconds(1).wholeUnits(in: .milliseconds) == 0)
        #expect(Duration.milliseconds(999).wholeUnits(in: .seconds) == 0)
        #expect(Duration.seconds(1).wholeUnits(in: .seconds) == 1)
        #expect((Duration.seconds(1) + .nanoseconds(1)).wholeUnits(in: .seconds) == 1)
        #expect((Duration.seconds(1) + .nanoseconds(1)).wholeUnits(in: .nanoseconds) == 1_000_000_001)
        #expect(Duration.zero.wholeUnits(in: .microseconds) == 0)
        #expect(Duration.nanoseconds(-1).wholeUnits(in: .milliseconds) == -1)
        #expect(Duration.milliseconds(-1500).wholeUnits(in: .seconds) == -2)
        #expect(Duration.seconds(-1).wholeUnits(in: .seconds) == -1)
        #expect(Duration.seconds(-1).wholeUnits(in: .milliseconds) == -1000)
    }

    @Test("whole units saturate at both ends of Int64")
    func wholeUnitsSaturate() {
        #expect(Duration.seconds(Int64.max).wholeUnits(in: .seconds) == Int64.max)
        #expect(Duration.seconds(Int64.max).wholeUnits(in: .milliseconds) == Int64.max)
        #expect(Duration.seconds(Int64.min).wholeUnits(in: .milliseconds) == Int64.min)
        #expect((Duration.seconds(Int64.min) + .nanoseconds(1)).wholeUnits(in: .seconds) == Int64.min)
        #expect((Duration.seconds(Int64.min) - .seconds(1)).wholeUnits(in: .seconds) == Int64.min)
        #expect((Duration.seconds(Int64.max) + .seconds(1)).wholeUnits(in: .nanoseconds) == Int64.max)
    }

    @Test("an instant's seconds and milliseconds are its whole units since the epoch")
    func unixTimeUsesWholeUnits() {
        let before = UnixTime(sinceEpoch: .milliseconds(-1) + .nanoseconds(1))
        #expect(before.milliseconds == -1)
        #expect(before.seconds == -1)
        let after = UnixTime(sinceEpoch: .seconds(1_700_000_000) + .microseconds(999_999))
        #expect(after.milliseconds == 1_700_000_000_999)
        #expect(after.seconds == 1_700_000_000)
    }
}
