import Testing

@testable import RedisClient

/// The decisions behind ``RedisConfiguration/busyPoll``: spin for one caller's replies on a fast link, never under
/// load, across a slow link, on one processor or when turned off.
@Suite("BusyPollPolicy")
struct BusyPollPolicyTests {
    static let limit: UInt64 = 100_000

    @Test("one caller's command or short pipeline is polled for; nothing in flight, or more, is not")
    func spinsForFewCommandsInFlight() {
        let policy = BusyPollPolicy(limit: Self.limit, processors: 2)
        #expect(policy.spin(commandsInFlight: 0) == 0)
        for inFlight in 1...BusyPollPolicy.maximumCommandsInFlight {
            #expect(policy.spin(commandsInFlight: inFlight) == Self.limit)
        }
        #expect(policy.spin(commandsInFlight: BusyPollPolicy.maximumCommandsInFlight + 1) == 0)
    }

    @Test("turned off, or on a single processor, it never spins")
    func offOrSingleProcessor() {
        for policy in [BusyPollPolicy(limit: 0, processors: 8), BusyPollPolicy(limit: Self.limit, processors: 1)] {
            #expect(policy.limit == 0)
            #expect(policy.spin(commandsInFlight: 1) == 0)
            #expect(!policy.governs(commandsInFlight: 1))
        }
    }

    @Test("under load a lull with few commands in flight is not polled for; once the load ends it is again")
    func loadScreensOutLulls() {
        var policy = BusyPollPolicy(limit: Self.limit, processors: 2)
        for _ in 0..<64 {
            policy.record(commandsInFlight: 150)
        }
        #expect(policy.typicalCommandsInFlight > Double(BusyPollPolicy.maximumCommandsInFlight))
        #expect(policy.spin(commandsInFlight: 2) == 0)
        let waits = Self.recordsUntilPolling(&policy) { $0.record(commandsInFlight: 1) }
        // The count is capped at 64, so a burst leaves the average within about 24 waits of one caller.
        #expect(waits <= 25, "took \(waits) single-caller waits to poll again")
    }

    @Test("replies slower than the limit stop the polling; fast replies bring it back")
    func slowRoundTripsStopPolling() {
        var policy = BusyPollPolicy(limit: Self.limit, processors: 2)
        policy.record(commandsInFlight: 1)
        var slowWaits = 0
        while policy.spin(commandsInFlight: 1) > 0 && slowWaits < 100 {
            policy.record(wait: 300_000)
            slowWaits += 1
        }
        #expect(policy.spin(commandsInFlight: 1) == 0)
        #expect(policy.typicalWait > Self.limit)
        #expect(slowWaits <= 4, "polled across \(slowWaits) slow round trips")
        // One very long wait counts as 8 x the limit, no more: recovery stays quick.
        policy.record(wait: 10_000_000_000)
        #expect(policy.typicalWait <= Self.limit * 8)
        let fastWaits = Self.recordsUntilPolling(&policy) { $0.record(wait: 20_000) }
        #expect(fastWaits <= 20, "took \(fastWaits) fast replies to poll again")
    }

    /// How many times `record` had to run before a single caller's command is polled for again (at most 100).
    private static func recordsUntilPolling(
        _ policy: inout BusyPollPolicy,
        _ record: (inout BusyPollPolicy) -> Void
    ) -> Int {
        var count = 0
        while policy.spin(commandsInFlight: 1) == 0 && count < 100 {
            record(&policy)
            count += 1
        }
        #expect(policy.spin(commandsInFlight: 1) == limit)
        return count
    }
}
