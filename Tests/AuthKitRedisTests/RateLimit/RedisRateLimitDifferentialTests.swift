import AuthKitClock
import AuthKitTesting
import RateLimiter
import RedisClient
import Testing

@testable import AuthKitRedis

/// The rate-limit arithmetic exists twice: `RateLimitCalculator` in Swift (behind `InMemoryRateLimitStore`) and the
/// Lua script of `RedisRateLimitStore`. This test drives both over seeded sequences of policies, costs and instants
/// and requires the same answer from each at every step: allowed or not, limit, remaining, reset-after and
/// retry-after, for every policy of the request.
///
/// Both decide at the same instants: the in-memory store reads a `ManualClock`, and the Redis store sends the same
/// clock's instant to the script (`RedisRateLimitStoreScripts.decideAt`, the production script's decision text behind
/// a given "now" instead of the server's `TIME`).
@Suite("RedisRateLimitStore against RateLimitCalculator")
struct RedisRateLimitDifferentialTests {
    /// Sequence `i` is drawn from a generator seeded with `seed + i` alone (its policies, costs and instants, from
    /// the start), so the seed a failure names reproduces it.
    static let seed: UInt64 = 0x7A7E_11A1_0000
    static let sequences = 1500
    static let steps = 8

    /// The start of a 366-day window, plus an hour: every sequence starts within a day after it and so runs inside
    /// the anchor policy's window.
    static let start = UnixTime(seconds: 55 * 366 * 86_400 + 3600)

    /// Every request also carries this policy, which always allows. Redis expires keys on its own (real) clock, by
    /// TTLs the script derives from the test's instants; without a long-lived policy in the hash a TTL of a
    /// millisecond could lapse in real time between two steps a microsecond apart in test time. The key's TTL rule
    /// has its own test (`RedisRateLimitStoreTests`).
    static let anchor = RateLimitPolicy(limit: 1_000_000, window: .seconds(366 * 86_400), name: "anchor")

    static let windows: [Duration] = [
        .milliseconds(1), .microseconds(2500) + .nanoseconds(300), .milliseconds(7), .milliseconds(100),
        .seconds(1), .milliseconds(1500), .seconds(60), .seconds(3600),
    ]

    /// Blocks from under a microsecond (which once reached the script as 0, no block, while the calculator blocked
    /// until now) to longer than most windows.
    static let blocks: [Duration?] = [
        nil, nil, nil, .nanoseconds(500), .microseconds(1500) + .nanoseconds(1), .milliseconds(3), .seconds(2),
    ]

    @Test("the Lua script and RateLimitCalculator agree over seeded sequences of costs and instants")
    func scriptAgreesWithCalculator() async throws {
        try await withRedis { client in
            let clock = ManualClock(start: Self.start)
            let redis = RedisRateLimitStore(client: client, keyPrefix: uniquePrefix(), testClock: { clock.now })
            let memory = InMemoryRateLimitStore(clock: clock.timeSource)
            var disagreements: [String] = []
            var tally: [String: Int] = [:]
            for sequence in 0..<Self.sequences {
                let seed = Self.seed &+ UInt64(sequence)
                var generator = SeededGenerator(seed: seed)
                let policies = Self.policies(&generator)
                clock.set(to: Self.start + .nanoseconds(Int64.random(in: 0..<86_400_000_000_000, using: &generator)))
                let key = "sequence-\(sequence)"
                var history: [String] = []
                for _ in 0..<Self.steps {
                    clock.advance(by: Self.step(policies, clock.now, &generator))
                    let capacity = policies.map(\.capacity).min() ?? 1
                    let cost = Bool.random(using: &generator) ? 1 : Int.random(in: 1...capacity, using: &generator)
                    let charging = Int.random(in: 0..<4, using: &generator) > 0
                    let byMemory =
                        charging
                        ? try memory.charge(key: key, policies: policies, cost: cost)
                        : try memory.status(key: key, policies: policies, cost: cost)
                    let byRedis =
                        charging
                        ? try await redis.charge(key: key, policies: policies, cost: cost)
                        : try await redis.status(key: key, policies: policies, cost: cost)
                    history.append(
                        "\(charging ? "charge" : "status") \(cost) at \(clock.now.sinceEpoch - Self.start.sinceEpoch)"
                    )
                    if byRedis != byMemory, disagreements.count < 5 {
                        disagreements.append(
                            "seed \(seed) (sequence \(sequence)), policies \(Self.describe(policies)), steps \(history):\n"
                                + "  calculator: \(Self.summary(byMemory))\n  script:     \(Self.summary(byRedis))"
                        )
                    }
                    for result in byMemory.dropLast() {
                        tally["\(result.policy.algorithm) \(result.isAllowed ? "allowed" : "refused")", default: 0] += 1
                    }
                }
                // The anchor keeps keys for a year: leave nothing behind on a shared (AUTHKIT_REDIS_URL) server.
                try await redis.reset(key: key)
            }
            #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
            // Every algorithm both allowed and refused, often: the sequences reach the interesting cases.
            #expect(tally.count == 6 && tally.values.allSatisfy { $0 > 500 }, "\(tally)")
            print(
                "figure: rate-limit differential, \(Self.sequences) sequences × \(Self.steps) steps from seed "
                    + "\(Self.seed): \(tally)"
            )
        }
    }

    /// One to three random policies (every algorithm, with and without blocks) and the anchor, last.
    static func policies(_ generator: inout SeededGenerator) -> [RateLimitPolicy] {
        let count = Int.random(in: 1...3, using: &generator)
        let drawn = (0..<count).map { index in
            let algorithm = RateLimitAlgorithm.all[Int.random(in: 0..<RateLimitAlgorithm.all.count, using: &generator)]
            let limit = Int.random(in: 1...8, using: &generator)
            return RateLimitPolicy(
                limit: limit,
                window: windows[Int.random(in: 0..<windows.count, using: &generator)],
                algorithm: algorithm,
                burst: algorithm == .gcra ? Int.random(in: 1...10, using: &generator) : limit,
                blockDuration: blocks[Int.random(in: 0..<blocks.count, using: &generator)],
                name: "p\(index)"
            )
        }
        return drawn + [anchor]
    }

    /// How far to move the clock before the next request: not at all, by less than a microsecond (both stores
    /// count whole microseconds), by a little, to just before, at or after a window boundary, or by whole windows.
    static func step(_ policies: [RateLimitPolicy], _ now: UnixTime, _ generator: inout SeededGenerator) -> Duration {
        let policy = policies[Int.random(in: 0..<(policies.count - 1), using: &generator)]
        let window = policy.windowMicroseconds
        switch Int.random(in: 0..<8, using: &generator) {
        case 0:
            return .zero
        case 1:
            return .nanoseconds(Int64.random(in: 1..<1000, using: &generator))
        case 2:
            return .microseconds(Int64.random(in: 1...1000, using: &generator))
        case 3, 4:
            return .microseconds(Int64.random(in: 0..<window, using: &generator))
        case 5:
            let microseconds = now.sinceEpoch.wholeUnits(in: .microseconds)
            let toBoundary = window - microseconds % window + Int64.random(in: -1...1, using: &generator)
            return .microseconds(max(0, toBoundary))
        case 6:
            return .microseconds(window * Int64.random(in: 1...3, using: &generator))
        default:
            return .milliseconds(Int64.random(in: 0..<5, using: &generator))
        }
    }

    static func describe(_ policies: [RateLimitPolicy]) -> String {
        policies.dropLast().map { "\($0), block \($0.blockDuration.map { "\($0)" } ?? "none")" }
            .joined(separator: "; ")
    }

    static func summary(_ results: [RateLimitPolicyResult]) -> String {
        results.map { result in
            "\(result.policy.name): \(result.isAllowed ? "allowed" : "refused") limit \(result.limit) remaining "
                + "\(result.remaining) reset \(result.resetAfter) retry \(result.retryAfter.map { "\($0)" } ?? "-")"
        }.joined(separator: "; ")
    }
}
