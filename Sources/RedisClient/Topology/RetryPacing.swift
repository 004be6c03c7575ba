/// The pauses between retries of one command that met a passing condition (a slot migrating, a failover, a node
/// that cannot be reached yet): `initial`, doubled each time up to `maximum`, and only while the pause ends
/// before the command's deadline.
struct RetryPacing: Sendable, Equatable {
    /// Monotonic nanoseconds after which no retry starts.
    let deadline: UInt64
    /// The first pause, in nanoseconds.
    let initial: UInt64
    /// The longest pause, in nanoseconds.
    let maximum: UInt64
    /// Retries granted so far.
    private(set) var retries = 0

    init(deadline: UInt64, initial: UInt64, maximum: UInt64) {
        self.deadline = deadline
        self.initial = initial
        self.maximum = maximum
    }

    /// The pause before retry number `retry` (counting from 1).
    func pause(forRetry retry: Int) -> UInt64 {
        let shift = min(max(retry - 1, 0), 30)
        let (grown, overflow) = initial.multipliedReportingOverflow(by: 1 << UInt64(shift))
        return overflow ? maximum : min(grown, maximum)
    }

    /// The pause before the next retry at monotonic time `now`, or `nil` when it would end past the deadline.
    mutating func nextPause(now: UInt64) -> UInt64? {
        let pause = pause(forRetry: retries + 1)
        guard now < deadline, pause < deadline - now else { return nil }
        retries += 1
        return pause
    }
}
