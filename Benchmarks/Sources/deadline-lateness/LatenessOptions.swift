/// Command-line options of `deadline-lateness`.
struct LatenessOptions {
    /// The servers a run can be measured against, in the order `all` runs them.
    static let servers = ["blackhole", "sigstop", "debug-sleep"]

    /// Which servers to run against, in order.
    var servers = LatenessOptions.servers
    /// Measured clients, each a `RedisClient` of its own with one worker: many clients in one process, as a test
    /// run has.
    var clients = 32
    /// Clients that run back-to-back PINGs against a live server beside the measured ones: their I/O threads
    /// busy-poll (one command in flight) and compete for the processors as other tests' clients do.
    var busyClients = 8
    /// CPU-bound threads (plain threads, not Swift tasks) that spin for the whole run: a saturated machine.
    var hogs = 8
    /// Tasks on Swift's cooperative pool that burn CPU in slices of ``poolHogSliceMilliseconds`` and yield
    /// between slices, as CPU-heavy tests do: they delay every continuation resumed on the global executor.
    var poolHogs = 0
    var poolHogSliceMilliseconds = 20
    /// The command timeout under test.
    var timeoutMilliseconds = 300
    /// How long each server is measured.
    var seconds = 10.0
    /// `RedisConfiguration.busyPoll` in microseconds; nil keeps the default.
    var busyPollMicroseconds: Int?

    static let usage = """
        usage: deadline-lateness [options]
          Measures how late RedisClient deadlines fire on a saturated machine: the time from each command's
          deadline (call + timeout) to the completion on the client's I/O thread and to the caller's resumption.
          --server blackhole|sigstop|debug-sleep|all   (all)
          --clients N             measured clients, one worker each (32)
          --busy-clients N        clients doing back-to-back PINGs on a live server beside them (8)
          --hogs N                CPU-bound threads spinning for the whole run (8)
          --pool-hogs N           CPU-bound tasks on the cooperative pool, yielding every slice (0)
          --pool-hog-slice-ms N   (20)
          --timeout-ms N          the command timeout (300)
          --seconds S             measured time per server (10)
          --busy-poll-us N        RedisConfiguration.busyPoll (client default)
        """

    init(arguments: [String]) throws(LatenessError) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard index + 1 < arguments.count else { throw LatenessError("\(name) needs a value\n\(Self.usage)") }
            let value = arguments[index + 1]
            func number(_ range: ClosedRange<Int>) throws(LatenessError) -> Int {
                guard let number = Int(value), range.contains(number) else {
                    throw LatenessError("bad \(name) \(value)\n\(Self.usage)")
                }
                return number
            }
            switch name {
            case "--server":
                guard value == "all" || Self.servers.contains(value) else {
                    throw LatenessError("bad --server \(value)\n\(Self.usage)")
                }
                servers = value == "all" ? Self.servers : [value]
            case "--clients": clients = try number(1...1000)
            case "--busy-clients": busyClients = try number(0...1000)
            case "--hogs": hogs = try number(0...256)
            case "--pool-hogs": poolHogs = try number(0...256)
            case "--pool-hog-slice-ms": poolHogSliceMilliseconds = try number(1...10_000)
            case "--timeout-ms": timeoutMilliseconds = try number(1...60_000)
            case "--busy-poll-us": busyPollMicroseconds = try number(0...1000)
            case "--seconds":
                guard let number = Double(value), number > 0 else { throw LatenessError("bad --seconds \(value)") }
                seconds = number
            default:
                throw LatenessError("unknown option \(name)\n\(Self.usage)")
            }
            index += 2
        }
    }
}

/// A usage or setup error, printed to standard error.
struct LatenessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
