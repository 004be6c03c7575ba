/// Command-line options of `authkit-bench`.
struct BenchmarkOptions {
    /// Every scenario, in the order `usage` lists them.
    static let scenarios = [
        "redis-exists", "redis-get", "ratelimit", "jwt-sign", "jwt-verify", "jwt-garbage", "authenticate", "refresh",
        "denylist-memory", "ratelimit-flood", "mirror-rebuild", "mirror-propagation", "mirror-interleaved",
    ]

    var scenario: String
    /// The Redis server; nil runs `authenticate` and `refresh` on the in-memory store.
    var url: String?
    var concurrency = 16
    var duration = 10.0
    var poolSize: Int?
    var algorithm = "fixed-window"
    /// `loop`: worker tasks prefer the client's I/O thread (``RedisClient/taskExecutor``); `global`: Swift's pool.
    /// Unset, it is `loop` for one worker and `global` for more: the I/O thread saves a thread switch per call,
    /// which is what a single caller waits on, but it is one thread, and many workers pinned to it leave the
    /// other cores idle (at 64 workers: `authenticate` 78k ops/s on `loop`, 107–115k on `global`, here).
    var executor: String?

    /// The executor in effect: `--executor`, or the default for the concurrency (`global` with `--mirror`, whose
    /// checks make no call to wait on).
    var effectiveExecutor: String { executor ?? (concurrency == 1 && !mirror ? "loop" : "global") }
    /// The JWT algorithm of `jwt-sign`, `jwt-verify`, `authenticate` and `refresh`.
    var jwtAlgorithm = "HS256"
    /// Whose JWT code `jwt-sign` and `jwt-verify` run: `authkit` or `jwt-kit`.
    var implementation = "authkit"
    /// The garbage shape of `jwt-garbage` (see `HostileTokens`), or `all`.
    var shape = "no-dots"
    /// How many tokens `denylist-memory` denylists, and how many revocations `mirror-rebuild` writes to the feed.
    var tokens = 1_000_000
    /// `authenticate --mirror`: the facade runs with the local revocation mirror (`RevocationMirrorPolicy()`), and
    /// measures once the mirror serves the checks.
    var mirror = false
    /// How many revocations `mirror-propagation` times.
    var samples = 1000
    /// How many live keys `ratelimit-flood` fills the local limiter's table with (its `maximumLocalKeys`).
    var keys = 100_000
    /// `RedisConfiguration.busyPoll` in microseconds (0: off); nil keeps the client's default.
    var busyPollMicroseconds: Int?
    /// Per-command deadline of the Redis client, in milliseconds.
    var commandTimeoutMilliseconds = 1000
    /// `authenticate`/`refresh`: `none` (no tracer in force, the default) or `null` (a tracer whose spans do nothing,
    /// so the figure is the cost of AuthKit's own span handling).
    var tracer = "none"

    static let usage = """
        usage: authkit-bench SCENARIO [options]
          scenarios: redis-exists | redis-get | ratelimit        (--redis URL)
                     jwt-sign | jwt-verify                        [--alg HS256|RS256|ES256|EdDSA] [--impl authkit|jwt-kit]
                     jwt-garbage                                  [--shape no-dots|three-junk-segments|valid-header-junk|deep-json|huge-numbers]
                     authenticate | refresh                       [--redis URL] (in memory without it) [--alg A] [--tracer none|null]
                     authenticate --redis URL --mirror            (checks answered by the local revocation mirror)
                     mirror-rebuild --redis URL                   [--tokens N] (a scratch server: writes N revocations)
                     mirror-propagation --redis URL               [--samples N]
                     mirror-interleaved --redis URL               (authenticate --mirror and jwt-verify, alternating batches)
                     denylist-memory                              [--tokens N]
                     ratelimit-flood                              [--keys N] [--algorithm A] (in memory)
          options:   --concurrency N  --duration SECONDS  [--pool N]  [--executor loop|global]  [--busy-poll-us N]
                     [--algorithm fixed-window|sliding-window|gcra]  [--timeout-ms N]
        """

    init(arguments: [String]) throws(BenchmarkError) {
        guard let scenario = arguments.first, Self.scenarios.contains(scenario) else {
            throw BenchmarkError(Self.usage)
        }
        self.scenario = scenario
        if scenario.hasPrefix("jwt-") { concurrency = 1 }
        var index = 1
        while index < arguments.count {
            let name = arguments[index]
            if name == "--mirror" {
                mirror = true
                index += 1
                continue
            }
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
            case "--alg":
                jwtAlgorithm = value
            case "--impl":
                guard ["authkit", "jwt-kit"].contains(value) else { throw BenchmarkError("bad --impl \(value)") }
                implementation = value
            case "--shape":
                shape = value
            case "--keys":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --keys \(value)") }
                keys = number
            case "--tokens":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --tokens \(value)") }
                tokens = number
            case "--samples":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --samples \(value)") }
                samples = number
            case "--busy-poll-us":
                guard let number = Int(value), (0...1000).contains(number) else {
                    throw BenchmarkError("bad --busy-poll-us \(value)")
                }
                busyPollMicroseconds = number
            case "--tracer":
                guard ["none", "null"].contains(value) else { throw BenchmarkError("bad --tracer \(value)") }
                tracer = value
            case "--timeout-ms":
                guard let number = Int(value), number >= 1 else { throw BenchmarkError("bad --timeout-ms \(value)") }
                commandTimeoutMilliseconds = number
            default:
                throw BenchmarkError("unknown option \(name)\n\(Self.usage)")
            }
            index += 2
        }
        if mirror, scenario != "authenticate" || url == nil {
            throw BenchmarkError("--mirror is an option of authenticate --redis URL")
        }
        if scenario.hasPrefix("mirror-"), url == nil {
            throw BenchmarkError("\(scenario) needs --redis URL")
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
