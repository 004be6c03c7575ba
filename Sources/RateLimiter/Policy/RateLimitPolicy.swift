import AuthKitClock

/// One limit to enforce on a key: an algorithm, a number of requests per window, and an optional block.
///
/// Several policies can be checked together (for example 10 per second and 1000 per hour); each keeps its
/// own state under the same key, told apart by ``name``.
public struct RateLimitPolicy: Hashable, Sendable, CustomStringConvertible {
    /// The longest limiter key accepted, in UTF-8 bytes.
    public static let maximumKeyLength = 512

    /// The longest window accepted: a year.
    public static let maximumWindow = Duration.seconds(366 * 86_400)

    /// The policy's name: its state's identity under a key, and the name reported in `RateLimit-Policy`.
    ///
    /// Defaults to a name derived from the algorithm and numbers (`fixed-window-100-60s`), so that changing
    /// a policy's numbers starts it with fresh state instead of misreading old state.
    public var name: String
    /// The counting rule.
    public var algorithm: RateLimitAlgorithm
    /// Requests allowed per ``window`` (for GCRA, the sustained rate is `limit` per `window`).
    public var limit: Int
    /// The window the limit applies to.
    public var window: Duration
    /// For GCRA, how many requests may arrive at once after a quiet period; ignored by the window algorithms.
    public var burst: Int
    /// When set, a refused request blocks the key under this policy for this long, whatever the counters say.
    public var blockDuration: Duration?

    /// Creates a policy; see ``validate()`` for the ranges accepted.
    ///
    /// - Parameters:
    ///   - limit: requests allowed per `window`.
    ///   - window: the window length; GCRA refills `limit` tokens per window.
    ///   - algorithm: the counting rule, by default ``RateLimitAlgorithm/fixedWindow``.
    ///   - burst: GCRA bucket size; defaults to `limit`.
    ///   - blockDuration: how long to refuse everything after a refusal; `nil` for no block.
    ///   - name: a stable name; defaults to one derived from the other values.
    public init(
        limit: Int,
        window: Duration,
        algorithm: RateLimitAlgorithm = .fixedWindow,
        burst: Int? = nil,
        blockDuration: Duration? = nil,
        name: String? = nil
    ) {
        self.limit = limit
        self.window = window
        self.algorithm = algorithm
        self.burst = burst ?? limit
        self.blockDuration = blockDuration
        self.name =
            name
            ?? Self.derivedName(
                algorithm: algorithm,
                limit: limit,
                window: window,
                burst: burst ?? limit,
                blockDuration: blockDuration
            )
    }

    /// A fixed-window policy of `limit` requests per second.
    public static func perSecond(_ limit: Int, algorithm: RateLimitAlgorithm = .fixedWindow) -> RateLimitPolicy {
        RateLimitPolicy(limit: limit, window: .seconds(1), algorithm: algorithm)
    }

    /// A fixed-window policy of `limit` requests per minute.
    public static func perMinute(_ limit: Int, algorithm: RateLimitAlgorithm = .fixedWindow) -> RateLimitPolicy {
        RateLimitPolicy(limit: limit, window: .seconds(60), algorithm: algorithm)
    }

    /// A fixed-window policy of `limit` requests per hour.
    public static func perHour(_ limit: Int, algorithm: RateLimitAlgorithm = .fixedWindow) -> RateLimitPolicy {
        RateLimitPolicy(limit: limit, window: .seconds(3600), algorithm: algorithm)
    }

    /// A GCRA (token bucket) policy: `rate` requests per `period` sustained, `burst` at once.
    public static func gcra(rate: Int, per period: Duration, burst: Int) -> RateLimitPolicy {
        RateLimitPolicy(limit: rate, window: period, algorithm: .gcra, burst: burst)
    }

    /// The most a single request could ever be allowed to cost under this policy.
    public var capacity: Int {
        algorithm == .gcra ? burst : limit
    }

    /// The window in whole microseconds, the unit every store computes in (rounded up, as every span is).
    public var windowMicroseconds: Int64 {
        window.ttl(in: .microseconds)
    }

    /// Throws ``RateLimitError/Code/invalidPolicy`` unless the numbers and name are usable.
    ///
    /// Limits and bursts must be at least one, the window between one millisecond and a year, and the name
    /// 1–64 characters of letters, digits, `-`, `_` and `.` (it becomes part of storage field names).
    public func validate() throws(RateLimitError) {
        guard limit >= 1, burst >= 1 else {
            throw RateLimitError(.invalidPolicy, "policy \(name): limit and burst must be at least 1")
        }
        guard window >= .milliseconds(1), window <= Self.maximumWindow else {
            throw RateLimitError(.invalidPolicy, "policy \(name): window must be between 1 ms and 366 days")
        }
        if let blockDuration, blockDuration <= .zero || blockDuration > Self.maximumWindow {
            throw RateLimitError(.invalidPolicy, "policy \(name): block duration must be between 0 and 366 days")
        }
        guard RateLimitAlgorithm.all.contains(algorithm) else {
            throw RateLimitError(.invalidPolicy, "policy \(name): unknown algorithm \(algorithm.name)")
        }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        guard allowed, !name.isEmpty, name.utf8.count <= 64 else {
            throw RateLimitError(.invalidPolicy, "policy name must be 1-64 characters of [A-Za-z0-9._-]")
        }
    }

    /// Validates a whole request: a usable key, at least one policy, unique names, and a cost every policy
    /// could allow at some point.
    public static func validate(key: String, policies: [RateLimitPolicy], cost: Int) throws(RateLimitError) {
        guard !key.isEmpty, key.utf8.count <= maximumKeyLength else {
            throw RateLimitError(.invalidKey, "limiter key must be 1-\(maximumKeyLength) bytes")
        }
        guard !policies.isEmpty else {
            throw RateLimitError(.invalidPolicies, "at least one policy is required")
        }
        var names = Set<String>()
        for policy in policies {
            try policy.validate()
            guard names.insert(policy.name).inserted else {
                throw RateLimitError(.invalidPolicies, "two policies are named \(policy.name)")
            }
            guard cost >= 1, cost <= policy.capacity else {
                throw RateLimitError(
                    .invalidCost,
                    "cost \(cost) is outside 1...\(policy.capacity) for policy \(policy.name)"
                )
            }
        }
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        "\(name) (\(algorithm.name), \(limit) per \(window)\(algorithm == .gcra ? ", burst \(burst)" : ""))"
    }

    private static func derivedName(
        algorithm: RateLimitAlgorithm,
        limit: Int,
        window: Duration,
        burst: Int,
        blockDuration: Duration?
    ) -> String {
        var name = "\(algorithm.name)-\(limit)-\(compact(window))"
        if algorithm == .gcra && burst != limit {
            name += "-b\(burst)"
        }
        if let blockDuration {
            name += "-block\(compact(blockDuration))"
        }
        return name
    }

    private static func compact(_ duration: Duration) -> String {
        if duration.components.attoseconds == 0 {
            return "\(duration.wholeUnits(in: .seconds))s"
        }
        return "\(duration.wholeUnits(in: .milliseconds))ms"
    }
}
