/// The stored state of one policy under one key, in microseconds since the epoch.
///
/// The fields mean different things per algorithm, mirroring the Redis hash fields the Lua script keeps:
/// fixed window uses `start` and `count`; sliding window adds `previous`; GCRA keeps its theoretical arrival
/// time in `start`.
struct RateLimitPolicyState: Hashable, Sendable {
    var start: Int64 = 0
    var count: Int64 = 0
    var previous: Int64 = 0
    var blockedUntil: Int64 = 0
    /// After this instant the state says nothing a fresh state would not, so it may be dropped.
    var expiresAt: Int64 = 0
}
