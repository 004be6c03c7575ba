/// When the I/O thread polls for a reply instead of sleeping (``RedisConfiguration/busyPoll``).
///
/// A sleeping thread's wake-up costs tens of microseconds on virtual machines; polling costs a busy core. The loop
/// spins only when at most ``maximumCommandsInFlight`` commands await replies (now and on average), ``typicalWait``
/// is within the limit, and the process has at least two processors (``ProcessorBudget``); it yields between polls.
/// Why each condition, and the measurements: Documentation/RedisClient.md#busy-polling and
/// Documentation/Performance.md#what-was-optimised-and-what-is-left.
struct BusyPollPolicy {
    /// The most commands awaiting replies, now and on average, for which the loop spins.
    static let maximumCommandsInFlight = 4
    /// The largest count ``record(commandsInFlight:)`` takes into the average.
    static let countedCommandsInFlight = 64

    /// The longest spin, in nanoseconds; zero turns polling off.
    let limit: UInt64
    /// A moving average (weight 1/8) of the waits for a reply, each counted up to 8 × ``limit``.
    private(set) var typicalWait: UInt64 = 0
    /// A moving average (weight 1/8) of the commands awaiting replies whenever the loop was about to wait, times 8.
    private var inFlightTimesEight = 0

    init(limit: UInt64, processors: Int) {
        self.limit = processors >= 2 ? limit : 0
    }

    /// The average number of commands awaiting replies when the loop was about to wait.
    var typicalCommandsInFlight: Double { Double(inFlightTimesEight) / 8 }

    /// Whether a wait with `commandsInFlight` commands awaiting replies is one the policy spins for, were the
    /// waits short: these are the waits it measures.
    func governs(commandsInFlight: Int) -> Bool {
        limit > 0 && (1...Self.maximumCommandsInFlight).contains(commandsInFlight)
            && inFlightTimesEight <= Self.maximumCommandsInFlight * 8
    }

    /// How long to spin before sleeping when `commandsInFlight` commands await replies.
    func spin(commandsInFlight: Int) -> UInt64 {
        guard governs(commandsInFlight: commandsInFlight), typicalWait <= limit else { return 0 }
        return limit
    }

    /// Records how many commands awaited replies when the loop was about to wait (counted up to
    /// ``countedCommandsInFlight``).
    mutating func record(commandsInFlight: Int) {
        let counted = min(max(commandsInFlight, 0), Self.countedCommandsInFlight)
        inFlightTimesEight += counted - inFlightTimesEight / 8
    }

    /// Records how long the loop waited (spinning or asleep) before a reply arrived.
    mutating func record(wait: UInt64) {
        let counted = min(wait, limit &* 8)
        typicalWait = typicalWait - typicalWait / 8 + counted / 8
    }
}
