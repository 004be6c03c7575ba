import AuthKitClock
import Foundation
public import RateLimiter

/// The behaviour every `RateLimitStore` must show, as checks a test runs against any implementation:
/// the in-memory store under a `ManualClock`, or a Redis store against a real server with real sleeps.
///
/// ```swift
/// @Test(arguments: RateLimitStoreConformance.RateLimitStoreCheck.allCases)
/// func conforms(_ check: RateLimitStoreConformance.RateLimitStoreCheck) async throws {
///     let clock = ManualClock()
///     let conformance = RateLimitStoreConformance(
///         makeStore: { InMemoryRateLimitStore(clock: clock.timeSource) },
///         advance: { clock.advance(by: $0) })
///     try await conformance.run(check)
/// }
/// ```
public struct RateLimitStoreConformance: Sendable {
    /// One behaviour of the store to check: `conformance.run(check)`, one parameterised test per case.
    public enum RateLimitStoreCheck: String, CaseIterable, Sendable, CustomStringConvertible {
        /// A fixed window allows exactly its limit, counts `remaining` down, then refuses with a retry-after.
        case fixedWindowLimit
        /// A fixed window allows requests again once a full window has passed.
        case fixedWindowResets
        /// A sliding window refuses past its limit and frees its quota within two windows.
        case slidingWindow
        /// GCRA allows the burst at once, then one request per emission interval.
        case gcraBurstAndRate
        /// Waiting out a refusal's retry-after makes the same request allowed, for every algorithm.
        case retryAfterIsHonest
        /// Requests cost their `cost`, and a cost larger than any policy allows is rejected as invalid.
        case costPerRequest
        /// With several policies, a request refused by one is charged to none.
        case multiPolicyAtomicity
        /// 100 concurrent requests at a limit of 10 allow exactly 10, for every algorithm.
        case concurrentRequestsAtLimit
        /// Reading a key's state charges nothing.
        case statusDoesNotCharge
        /// Resetting a key restores its full quota.
        case resetRestoresQuota
        /// A policy with a block duration refuses everything until the block ends, even past its window.
        case blockAfterExceeding
        /// Keys do not share state.
        case keysAreIndependent

        /// The text shown when the value is printed or logged.
        public var description: String { rawValue }
    }

    private let makeStore: @Sendable () async throws -> any RateLimitStore
    private let advance: @Sendable (Duration) async throws -> Void
    private let alignToWindow: @Sendable (Duration) async throws -> Void
    private let window: Duration
    /// Checks in which no time passes use an hour-long window, so that a real clock never crosses a boundary.
    private let longWindow = Duration.seconds(3600)

    /// Creates the checks.
    ///
    /// - Parameters:
    ///   - window: the window of the checks that let time pass; short (a few hundred milliseconds) when
    ///     `advance` really sleeps.
    ///   - makeStore: a fresh, empty store for each check (keys are also unique per check).
    ///   - advance: moves the store's time forward: `ManualClock.advance` in memory, `Task.sleep` for a server.
    ///   - alignToWindow: waits until just after the start of a fixed window of the given length, so that a
    ///     real clock does not cross a boundary while a check fills a window; nothing to do under a manual clock.
    public init(
        window: Duration = .seconds(60),
        makeStore: @escaping @Sendable () async throws -> any RateLimitStore,
        advance: @escaping @Sendable (Duration) async throws -> Void,
        alignToWindow: @escaping @Sendable (Duration) async throws -> Void = { _ in }
    ) {
        self.window = window
        self.makeStore = makeStore
        self.advance = advance
        self.alignToWindow = alignToWindow
    }

    /// Runs one check; throws ``ConformanceFailure`` when the store misbehaves.
    ///
    /// A server keeps real time, so a check whose attempt took longer than a quarter of its window may have
    /// failed because the machine was slow, not the store, and one during which a fixed window of the real clock
    /// turned (the hour-long window of `fixedWindowLimit` turns on the hour) legitimately saw its counts restart:
    /// such an attempt is repeated (at most three times) with a fresh store and key. Under a manual clock no real
    /// time passes and a failure is final at once, unless the real hour turned during it.
    public func run(_ check: RateLimitStoreCheck) async throws {
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            let windowsAtStart = Self.realWindowNumbers(window, longWindow)
            do {
                try await runOnce(check)
                return
            } catch let failure as ConformanceFailure {
                let slow = ContinuousClock.now - started > window / 4
                let boundaryPassed = Self.realWindowNumbers(window, longWindow) != windowsAtStart
                guard attempt < 3, slow || boundaryPassed else { throw failure }
                attempt += 1
            }
        }
    }

    /// Which fixed window of each length the real (wall) clock is in now.
    private static func realWindowNumbers(_ lengths: Duration...) -> [Int64] {
        let now = Date().timeIntervalSince1970
        return lengths.map { length in
            let seconds = max(length.ttl(in: .seconds), 1)
            return Int64(now) / seconds
        }
    }

    private func runOnce(_ check: RateLimitStoreCheck) async throws {
        let store = try await makeStore()
        let key = "conformance-\(check.rawValue)-\(UInt32.random(in: 0...UInt32.max))"
        let name = check.rawValue
        switch check {
        case .fixedWindowLimit:
            let policy = RateLimitPolicy(limit: 5, window: longWindow)
            for expected in stride(from: 4, through: 0, by: -1) {
                let result = try await single(store, key, policy)
                try ConformanceFailure.require(result.isAllowed, name, "request within the limit was refused")
                try ConformanceFailure.require(
                    result.remaining == expected,
                    name,
                    "remaining \(result.remaining), expected \(expected)"
                )
                try ConformanceFailure.require(result.limit == 5, name, "limit \(result.limit), expected 5")
            }
            let refused = try await single(store, key, policy)
            try ConformanceFailure.require(!refused.isAllowed, name, "6th request at limit 5 was allowed")
            try ConformanceFailure.require(
                refused.remaining == 0,
                name,
                "refusal reports remaining \(refused.remaining)"
            )
            let retry = refused.retryAfter ?? .zero
            try ConformanceFailure.require(
                retry > .zero && retry <= longWindow,
                name,
                "retry-after \(retry) is not within (0, one hour]"
            )
        case .fixedWindowResets:
            let policy = RateLimitPolicy(limit: 3, window: window)
            try await alignToWindow(window)
            try await exhaust(store, key, policy, count: 3, name: name)
            try await advance(window)
            let result = try await single(store, key, policy)
            try ConformanceFailure.require(result.isAllowed, name, "still refused a full window later")
            try ConformanceFailure.require(
                result.remaining == 2,
                name,
                "remaining \(result.remaining) after reset, expected 2"
            )
        case .slidingWindow:
            let policy = RateLimitPolicy(limit: 4, window: window, algorithm: .slidingWindow)
            try await exhaust(store, key, policy, count: 4, name: name)
            let refused = try await single(store, key, policy)
            let retry = refused.retryAfter ?? .zero
            try ConformanceFailure.require(
                retry > .zero && retry <= window * 2,
                name,
                "retry-after \(retry) is not within (0, 2 windows]"
            )
            try await advance(window * 2)
            try await exhaust(store, key, policy, count: 4, name: name)
        case .gcraBurstAndRate:
            // One request per window after the burst, so a real clock has a whole window of slack.
            let policy = RateLimitPolicy.gcra(rate: 5, per: window * 5, burst: 5)
            try await exhaust(store, key, policy, count: 5, name: name)
            let refused = try await single(store, key, policy)
            let retry = refused.retryAfter ?? .zero
            try ConformanceFailure.require(
                retry > .zero && retry <= window,
                name,
                "retry-after \(retry) is not within (0, one emission interval]"
            )
            try await advance(window)
            let again = try await single(store, key, policy)
            try ConformanceFailure.require(again.isAllowed, name, "refused one emission interval later")
            let tooSoon = try await single(store, key, policy)
            try ConformanceFailure.require(!tooSoon.isAllowed, name, "allowed two requests per emission interval")
        case .retryAfterIsHonest:
            for (index, algorithm) in RateLimitAlgorithm.all.enumerated() {
                let policy = RateLimitPolicy(limit: 3, window: window, algorithm: algorithm)
                let algorithmKey = "\(key)-\(index)"
                try await alignToWindow(window)
                try await exhaust(store, algorithmKey, policy, count: 3, name: name)
                let refused = try await single(store, algorithmKey, policy)
                try ConformanceFailure.require(!refused.isAllowed, name, "\(algorithm): 4th request allowed")
                let retry = refused.retryAfter ?? .zero
                try ConformanceFailure.require(retry > .zero, name, "\(algorithm): refusal without retry-after")
                try await advance(retry)
                let later = try await single(store, algorithmKey, policy)
                try ConformanceFailure.require(
                    later.isAllowed,
                    name,
                    "\(algorithm): still refused after waiting the retry-after \(retry)"
                )
            }
        case .costPerRequest:
            let policy = RateLimitPolicy(limit: 10, window: longWindow)
            for expected in [6, 2] {
                let result = try await single(store, key, policy, cost: 4)
                try ConformanceFailure.require(
                    result.isAllowed && result.remaining == expected,
                    name,
                    "cost 4: allowed \(result.isAllowed), remaining \(result.remaining), expected \(expected)"
                )
            }
            let refused = try await single(store, key, policy, cost: 4)
            try ConformanceFailure.require(!refused.isAllowed, name, "cost 4 with 2 remaining was allowed")
            let fits = try await single(store, key, policy, cost: 2)
            try ConformanceFailure.require(fits.isAllowed && fits.remaining == 0, name, "cost 2 with 2 remaining")
            do {
                _ = try await store.charge(key: key, policies: [policy], cost: 11)
                throw ConformanceFailure(check: name, message: "cost 11 at limit 10 was accepted")
            } catch let error as RateLimitError {
                try ConformanceFailure.require(error.code == .invalidCost, name, "cost 11 threw \(error)")
            }
        case .multiPolicyAtomicity:
            let small = RateLimitPolicy(limit: 3, window: longWindow, name: "small")
            let large = RateLimitPolicy(limit: 5, window: longWindow * 2, algorithm: .slidingWindow, name: "large")
            for _ in 0..<3 {
                let results = try await store.charge(key: key, policies: [small, large], cost: 1)
                try ConformanceFailure.require(
                    results.allSatisfy(\.isAllowed),
                    name,
                    "request within both limits refused"
                )
            }
            for _ in 0..<3 {
                let results = try await store.charge(key: key, policies: [small, large], cost: 1)
                try ConformanceFailure.require(
                    results.count == 2 && !results[0].isAllowed && results[1].isAllowed,
                    name,
                    "expected refusal by the small policy only, got \(results.map(\.isAllowed))"
                )
            }
            let large2 = try await store.status(key: key, policies: [large], cost: 1)
            try ConformanceFailure.require(
                large2.first?.remaining == 2,
                name,
                "large policy was charged for refused requests: remaining \(large2.first?.remaining ?? -1), expected 2"
            )
            let gcra = RateLimitPolicy.gcra(rate: 100, per: longWindow, burst: 100)
            let tight = RateLimitPolicy(limit: 1, window: longWindow, name: "tight")
            _ = try await store.charge(key: key + "-b", policies: [gcra, tight], cost: 1)
            _ = try await store.charge(key: key + "-b", policies: [gcra, tight], cost: 1)
            let gcraState = try await store.status(key: key + "-b", policies: [gcra], cost: 1)
            try ConformanceFailure.require(
                (gcraState.first?.remaining ?? 0) >= 98,
                name,
                "GCRA charged for a refused request: remaining \(gcraState.first?.remaining ?? -1)"
            )
        case .concurrentRequestsAtLimit:
            for (index, algorithm) in RateLimitAlgorithm.all.enumerated() {
                let policy = RateLimitPolicy(limit: 10, window: longWindow, algorithm: algorithm)
                let algorithmKey = "\(key)-\(index)"
                let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<100 {
                        group.addTask {
                            try await store.charge(key: algorithmKey, policies: [policy], cost: 1)[0].isAllowed
                        }
                    }
                    var count = 0
                    for try await isAllowed in group where isAllowed {
                        count += 1
                    }
                    return count
                }
                try ConformanceFailure.require(
                    allowed == 10,
                    name,
                    "\(algorithm): \(allowed) of 100 concurrent requests allowed at limit 10"
                )
            }
        case .statusDoesNotCharge:
            for (index, algorithm) in RateLimitAlgorithm.all.enumerated() {
                let policy = RateLimitPolicy(limit: 3, window: longWindow, algorithm: algorithm)
                for _ in 0..<10 {
                    let status = try await store.status(key: "\(key)-\(index)", policies: [policy], cost: 1)
                    try ConformanceFailure.require(
                        status.first?.isAllowed == true && status.first?.remaining == 3,
                        name,
                        "\(algorithm): status changed the state: \(String(describing: status.first))"
                    )
                }
                try await exhaust(store, "\(key)-\(index)", policy, count: 3, name: name)
            }
        case .resetRestoresQuota:
            let policies = [
                RateLimitPolicy(limit: 2, window: longWindow), .gcra(rate: 2, per: longWindow, burst: 2),
            ]
            for _ in 0..<2 {
                _ = try await store.charge(key: key, policies: policies, cost: 1)
            }
            let refused = try await store.charge(key: key, policies: policies, cost: 1)
            try ConformanceFailure.require(!refused.allSatisfy(\.isAllowed), name, "3rd request at limit 2 allowed")
            try await store.reset(key: key)
            let results = try await store.charge(key: key, policies: policies, cost: 1)
            try ConformanceFailure.require(
                results.allSatisfy { $0.isAllowed && $0.remaining == 1 },
                name,
                "after reset: \(results.map { ($0.isAllowed, $0.remaining) })"
            )
        case .blockAfterExceeding:
            let policy = RateLimitPolicy(limit: 2, window: window, blockDuration: window * 3)
            try await alignToWindow(window)
            try await exhaust(store, key, policy, count: 2, name: name)
            let refused = try await single(store, key, policy)
            let retry = refused.retryAfter ?? .zero
            try ConformanceFailure.require(
                !refused.isAllowed && retry > window * 2,
                name,
                "refusal should start a block of 3 windows, retry-after \(retry)"
            )
            try await advance(window + window / 2)
            let blocked = try await single(store, key, policy)
            try ConformanceFailure.require(!blocked.isAllowed, name, "allowed during the block")
            try await advance(window * 2)
            let free = try await single(store, key, policy)
            try ConformanceFailure.require(free.isAllowed, name, "still refused after the block ended")
        case .keysAreIndependent:
            let policy = RateLimitPolicy(limit: 1, window: longWindow)
            try await exhaust(store, key + "-a", policy, count: 1, name: name)
            let other = try await single(store, key + "-b", policy)
            try ConformanceFailure.require(other.isAllowed, name, "exhausting one key refused another")
        }
    }

    private func single(
        _ store: any RateLimitStore,
        _ key: String,
        _ policy: RateLimitPolicy,
        cost: Int = 1
    ) async throws -> RateLimitPolicyResult {
        let results = try await store.charge(key: key, policies: [policy], cost: cost)
        guard results.count == 1, let result = results.first else {
            throw ConformanceFailure(check: "results", message: "\(results.count) results for one policy")
        }
        return result
    }

    private func exhaust(
        _ store: any RateLimitStore,
        _ key: String,
        _ policy: RateLimitPolicy,
        count: Int,
        name: String
    ) async throws {
        for index in 0..<count {
            let result = try await single(store, key, policy)
            try ConformanceFailure.require(
                result.isAllowed,
                name,
                "\(policy.algorithm): request \(index + 1) of \(count) refused (remaining \(result.remaining))"
            )
        }
        let refused = try await single(store, key, policy)
        try ConformanceFailure.require(!refused.isAllowed, name, "\(policy.algorithm): request \(count + 1) allowed")
    }
}
