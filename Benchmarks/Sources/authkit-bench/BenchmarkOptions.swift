/// Command-line options of `authkit-bench`.
struct BenchmarkOptions {
    var scenario: String
    var url = "redis://127.0.0.1:6379"
    var concurrency = 16
    var duration = 10.0
    var poolSize: Int?
    var algorithm = "fixed-window"
    /// `loop`: worker tasks prefer the client's I/O thread (``RedisClient/taskExecutor``); `global`: Swift's pool.
    var executor = "loop"

    static let usage = """
        usage: authkit-bench redis-exists|redis-get|ratelimit --redis URL --concurrency N --duration SECONDS [--pool N]
                             [--algorithm fixed-window|sliding-window|gcra] [--executor loop|global]
        """

    init(arguments: [String]) throws(BenchmarkError) {
        guard let scenario = arguments.first, ["redis-exists", "redis-get", "ratelimit"].contains(scenario) else {
            throw BenchmarkError(Self.usage)
        }
        self.scenario = scenario
        var index = 1
        while index < arguments.count {
            let name = arguments[index]
            guard index + 1 < arguments.count else { throw BenchmarkError("\(name) needs a value\n\(Self.usage)") }
            let value = arguments[index + 1]
            switch name {
            case "--redis":
                url = value
            case "--concurrency":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --concurrency \(value)") }
                concurrency = number
            case "--duration":
                guard let number = Double(value), number > 0 else { throw BenchmarkError("bad --duration \(value)") }
                duration = number
            case "--algorithm":
                algorithm = value
            case "--pool":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --pool \(value)") }
                poolSize = number
            case "--executor":
                guard ["loop", "global"].contains(value) else { throw BenchmarkError("bad --executor \(value)") }
                executor = value
            default:
                throw BenchmarkError("unknown option \(name)\n\(Self.usage)")
            }
            index += 2
        }
    }
}

/// A usage or setup error, printed to standard error.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
