/// How long the pool waits before reopening a failed connection: exponential growth from ``initial`` up to
/// ``maximum``, each wait shortened by a random fraction up to ``jitter`` so that many clients do not reconnect
/// in lockstep after a server restart.
public struct RedisBackoff: Sendable, Hashable {
    /// The wait after the first failure.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    /// The largest fraction (0...1) randomly taken off each wait.
    public var jitter: Double

    /// Creates a backoff policy.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(5), jitter: Double = 0.5) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait before attempt number `attempt` (0 for the first retry), jitter applied.
    func delay<G: RandomNumberGenerator>(attempt: Int, using generator: inout G) -> Duration {
        let exponent = min(attempt, 30)
        var base = initial * (1 << exponent)
        if base > maximum || base < .zero {
            base = maximum
        }
        let fraction = jitter > 0 ? Double.random(in: 0...jitter, using: &generator) : 0
        return base * (1 - fraction)
    }
}
