public import AuthKitClock
import Synchronization

/// A wall clock that only moves when a test moves it, for deterministic expiry, TTL and window tests.
///
/// Hand ``timeSource`` to the component under test, then call ``advance(by:)`` or ``set(to:)``.
public final class ManualClock: Sendable {
    private let current: Mutex<UnixTime>

    /// Creates a clock that starts at `start` (by default 2026-01-01T00:00:00Z).
    public init(start: UnixTime = UnixTime(seconds: 1_767_225_600)) {
        self.current = Mutex(start)
    }

    /// The instant the clock shows now.
    public var now: UnixTime {
        current.withLock { $0 }
    }

    /// A `TimeSource` that reads this manual clock.
    public var timeSource: TimeSource {
        TimeSource { [self] in self.now }
    }

    /// Moves the clock forward (or backward, for a negative duration).
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0 + duration }
    }

    /// Sets the clock to `instant`.
    public func set(to instant: UnixTime) {
        current.withLock { $0 = instant }
    }
}
