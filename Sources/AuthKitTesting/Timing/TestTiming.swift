import Foundation

/// How much slower than usual this test process runs, for the few bounds that tests must state in real time.
///
/// Such bounds prove liveness ("failed by its deadline instead of waiting for the reply", "back within two
/// seconds"), never speed. ThreadSanitizer and AddressSanitizer builds run many times slower, so `make tsan` and
/// `make asan` set `AUTHKIT_TEST_TIME_SCALE`, and a test multiplies its bound (and any server-side delay it must
/// stay below) by ``scale``. Unset, the scale is 1.
public enum TestTiming {
    /// The factor from `AUTHKIT_TEST_TIME_SCALE` (a positive integer), or 1.
    public static let scale: Int = {
        guard let text = ProcessInfo.processInfo.environment["AUTHKIT_TEST_TIME_SCALE"], let value = Int(text),
            value > 0
        else { return 1 }
        return value
    }()

    /// `duration` stretched by ``scale``.
    public static func scaled(_ duration: Duration) -> Duration {
        duration * scale
    }

    /// Checks `condition` every `interval` until it holds, and returns whether it did within a liveness bound:
    /// `checks` checks and `limit` (stretched by ``scale``), both must have passed before it gives up.
    ///
    /// For tests that wait for an event instead of sleeping. Counting checks as well as time keeps a starved
    /// cooperative pool, which delays the waiting task's turns rather than the event, from counting against the
    /// bound; the time keeps a fast machine from giving up after 400 quick checks.
    public static func eventually(
        checks: Int = 400,
        limit: Duration = .seconds(20),
        every interval: Duration = .milliseconds(5),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + scaled(limit)
        var done = 0
        while try await !condition() {
            guard done < checks || ContinuousClock.now < deadline else { return false }
            done += 1
            try await Task.sleep(for: interval)
        }
        return true
    }
}
