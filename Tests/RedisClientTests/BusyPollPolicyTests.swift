import Glibc
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

/// Where ``BusyPollPolicy`` gets its processor count: online, affinity, cgroup quota.
@Suite("ProcessorBudget")
struct ProcessorBudgetTests {
    @Test("cgroup v2 cpu.max and v1 quota/period become processors, rounded up; no limit is nil")
    func quotas() {
        #expect(ProcessorBudget.processors(cpuMax: "max 100000\n") == nil)
        #expect(ProcessorBudget.processors(cpuMax: "100000 100000\n") == 1)
        #expect(ProcessorBudget.processors(cpuMax: "50000 100000") == 1)
        #expect(ProcessorBudget.processors(cpuMax: "150000 100000") == 2)
        #expect(ProcessorBudget.processors(cpuMax: "400000 100000") == 4)
        #expect(ProcessorBudget.processors(cpuMax: "garbage") == nil)
        #expect(ProcessorBudget.processors(quota: "-1\n", period: "100000\n") == nil)
        #expect(ProcessorBudget.processors(quota: "250000\n", period: "100000\n") == 3)
        #expect(ProcessorBudget.processors(quota: "x", period: "100000") == nil)
        #expect(ProcessorBudget.processors(quota: "100000", period: "0") == nil)
    }

    @Test("the affinity mask of /proc/self/status counts its bits")
    func affinity() {
        #expect(ProcessorBudget.allowedProcessors(status: "Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n") == 2)
        #expect(ProcessorBudget.allowedProcessors(status: "Cpus_allowed:\t1\n") == 1)
        #expect(ProcessorBudget.allowedProcessors(status: "Cpus_allowed:\tffffffff,ffffffff\n") == 64)
        #expect(ProcessorBudget.allowedProcessors(status: "Cpus_allowed:\t0\n") == nil)
        #expect(ProcessorBudget.allowedProcessors(status: "Cpus_allowed:\tzz\n") == nil)
        #expect(ProcessorBudget.allowedProcessors(status: "Name:\tx\n") == nil)
    }

    @Test("/proc/self/cgroup gives the v2 path and the v1 cpu controller's path")
    func cgroupPaths() {
        let hybrid = "9:name=systemd:/\n4:memory:/api/1\n2:cpu,cpuacct:/kube/pod7\n0::/kube/pod7\n"
        let paths = ProcessorBudget.cgroupPaths(hybrid)
        #expect(paths.unified == "/kube/pod7")
        #expect(paths.cpu == "/kube/pod7")
        let v2 = ProcessorBudget.cgroupPaths("0::/system.slice/app.service\n")
        #expect(v2.unified == "/system.slice/app.service" && v2.cpu == nil)
        #expect(ProcessorBudget.cgroupPaths("garbage").unified == nil)
    }

    @Test("this process's budget is between one and the processors online")
    func current() {
        let budget = ProcessorBudget.current()
        #expect(budget >= 1)
        #expect(budget <= Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
