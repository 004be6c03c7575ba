import AuthKitClock

/// The arithmetic of every algorithm, as pure functions of a state and an instant.
///
/// The in-memory store and the Redis Lua script implement the same rules; keep them in step.
enum RateLimitCalculator {
    struct Outcome {
        var result: RateLimitPolicyResult
        /// The state to write when every policy of the request allows it.
        var stateIfCharged: RateLimitPolicyState
        /// The state to write when the request is refused: a new block, or nothing.
        var stateIfRefused: RateLimitPolicyState?
    }

    static func evaluate(
        _ policy: RateLimitPolicy,
        state stored: RateLimitPolicyState?,
        now: Int64,
        cost: Int
    ) -> Outcome {
        let state = stored.flatMap { $0.expiresAt > now ? $0 : nil } ?? RateLimitPolicyState()
        if state.blockedUntil > now {
            let wait = Duration.microseconds(state.blockedUntil - now)
            let result = RateLimitPolicyResult(
                policy: policy,
                isAllowed: false,
                limit: policy.capacity,
                remaining: 0,
                resetAfter: wait,
                retryAfter: wait
            )
            return Outcome(result: result, stateIfCharged: state, stateIfRefused: nil)
        }
        var outcome: Outcome
        switch policy.algorithm {
        case .slidingWindow:
            outcome = slidingWindow(policy, state: state, now: now, cost: Int64(cost))
        case .gcra:
            outcome = gcra(policy, state: state, now: now, cost: Int64(cost))
        default:
            outcome = fixedWindow(policy, state: state, now: now, cost: Int64(cost))
        }
        if !outcome.result.isAllowed, let block = policy.blockDuration {
            let until = now + block.ttl(in: .microseconds)
            var blocked = state
            blocked.blockedUntil = until
            blocked.expiresAt = max(state.expiresAt, until)
            outcome.stateIfRefused = blocked
            let wait = Duration.microseconds(until - now)
            outcome.result.retryAfter = max(outcome.result.retryAfter ?? .zero, wait)
            outcome.result.resetAfter = max(outcome.result.resetAfter, wait)
            outcome.result.remaining = 0
        }
        return outcome
    }

    /// `instant` in microseconds since the epoch, the clock every store decides by (the Redis script's `TIME`).
    static func microseconds(_ instant: UnixTime) -> Int64 {
        instant.sinceEpoch.wholeUnits(in: .microseconds)
    }

    private static func fixedWindow(
        _ policy: RateLimitPolicy,
        state: RateLimitPolicyState,
        now: Int64,
        cost: Int64
    ) -> Outcome {
        let window = policy.windowMicroseconds
        let start = now - floorMod(now, window)
        let count = state.start == start ? state.count : 0
        let limit = Int64(policy.limit)
        let resetAfter = Duration.microseconds(start + window - now)
        let allowed = count + cost <= limit
        var charged = state
        charged.start = start
        charged.count = count + cost
        charged.expiresAt = max(start + window, state.blockedUntil)
        let result = RateLimitPolicyResult(
            policy: policy,
            isAllowed: allowed,
            limit: policy.limit,
            remaining: Int(max(0, limit - count - (allowed ? cost : 0))),
            resetAfter: resetAfter,
            retryAfter: allowed ? nil : resetAfter
        )
        return Outcome(result: result, stateIfCharged: charged, stateIfRefused: nil)
    }

    private static func slidingWindow(
        _ policy: RateLimitPolicy,
        state: RateLimitPolicyState,
        now: Int64,
        cost: Int64
    ) -> Outcome {
        let window = policy.windowMicroseconds
        let start = now - floorMod(now, window)
        var current: Int64 = 0
        var previous: Int64 = 0
        if state.start == start {
            current = state.count
            previous = state.previous
        } else if state.start == start - window {
            previous = state.count
        }
        let elapsed = now - start
        let limit = Int64(policy.limit)
        let estimate = Double(previous) * Double(window - elapsed) / Double(window) + Double(current)
        let allowed = estimate + Double(cost) <= Double(limit)
        let used = estimate + (allowed ? Double(cost) : 0)
        let remaining = max(0, Int64((Double(limit) - used).rounded(.down)))
        let currentAfter = current + (allowed ? cost : 0)
        let resetAt = currentAfter > 0 ? start + 2 * window : (previous > 0 ? start + window : now)
        var retryAfter: Duration?
        if !allowed {
            let room = limit - cost
            var wait: Int64
            if current <= room {
                // Only the previous window's weight is in the way: wait until enough of it has slid out.
                let fraction = 1 - Double(room - current) / Double(previous)
                wait = Int64((fraction * Double(window)).rounded(.up)) - elapsed
            } else {
                // This window alone is over; in the next one, this window's count becomes the weighted part.
                let fraction = 1 - Double(room) / Double(current)
                wait = window - elapsed + Int64((fraction * Double(window)).rounded(.up))
            }
            retryAfter = .microseconds(max(1, wait))
        }
        var charged = state
        charged.start = start
        charged.count = currentAfter
        charged.previous = previous
        charged.expiresAt = max(start + 2 * window, state.blockedUntil)
        let result = RateLimitPolicyResult(
            policy: policy,
            isAllowed: allowed,
            limit: policy.limit,
            remaining: Int(remaining),
            resetAfter: .microseconds(resetAt - now),
            retryAfter: retryAfter
        )
        return Outcome(result: result, stateIfCharged: charged, stateIfRefused: nil)
    }

    private static func gcra(
        _ policy: RateLimitPolicy,
        state: RateLimitPolicyState,
        now: Int64,
        cost: Int64
    ) -> Outcome {
        let interval = Double(policy.windowMicroseconds) / Double(policy.limit)
        let tolerance = interval * Double(policy.burst)
        let arrival = max(state.start, now)
        let newArrival = Double(arrival) + interval * Double(cost)
        let allowAt = newArrival - tolerance
        let allowed = allowAt <= Double(now)
        let backlog = allowed ? newArrival - Double(now) : Double(arrival - now)
        let remaining = max(0, Int64(((tolerance - backlog) / interval).rounded(.down)))
        var charged = state
        charged.start = Int64(newArrival.rounded(.up))
        charged.expiresAt = max(charged.start, state.blockedUntil)
        let result = RateLimitPolicyResult(
            policy: policy,
            isAllowed: allowed,
            limit: policy.burst,
            remaining: Int(remaining),
            resetAfter: .microseconds(Int64(backlog.rounded(.up))),
            retryAfter: allowed ? nil : .microseconds(max(1, Int64((allowAt - Double(now)).rounded(.up))))
        )
        return Outcome(result: result, stateIfCharged: charged, stateIfRefused: nil)
    }

    private static func floorMod(_ value: Int64, _ modulus: Int64) -> Int64 {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }
}
