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
}
