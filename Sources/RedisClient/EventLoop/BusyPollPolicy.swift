/// When the I/O thread polls for a reply instead of sleeping (``RedisConfiguration/busyPoll``).
///
/// Sleeping costs a wake-up when the reply lands, tens of microseconds on virtual machines, which a caller waiting
/// on one reply at a time pays on every command. Polling costs a busy core for as long as it lasts. The loop spins
/// only where that trade pays off:
/// - few commands await replies, now (at most ``maximumCommandsInFlight``: one caller's command, or a short
///   pipeline such as `authenticate`'s three reads) and on average over the loop's recent waits. Under load the
///   callers need the processors, and replies keep arriving anyway: spinning whenever some reply was due cost
///   20–30 % of `authenticate` throughput at 64 callers in `authkit-bench`, and the short lulls between bursts are
///   what the average screens out;
/// - replies have been arriving within the limit: ``typicalWait``, a moving average of how long the loop waited
///   for a reply, is at most the limit. Across a network, where a round trip takes longer, it stops spinning after
///   a few commands, and it starts again once waits are short;
/// - the process can run on at least two processors (``ProcessorBudget``: online, allowed by its affinity, and
///   within its cgroup CPU quota): on one, the spin would hold off the very work it waits for.
///
/// While spinning the loop yields the processor between polls, so that runnable threads of the process go first.
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
