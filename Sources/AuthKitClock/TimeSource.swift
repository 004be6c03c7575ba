import AuthKitPlatform

/// Where every AuthKit component reads the current wall-clock time (`exp`, `iat`, TTLs), injected so tests can
/// control it.
///
/// It is not a Swift `Clock`: it only answers "what time is it" as a ``UnixTime`` (time since the Unix epoch, what
/// tokens and stores record) and never sleeps.
/// A `TimeSource` is a value wrapping a function, so reading it costs one indirect call and no actor hop.
/// Use ``system`` in production and `ManualClock.timeSource` from `AuthKitTesting` in tests.
public struct TimeSource: Sendable {
    private let read: @Sendable () -> UnixTime

    /// Creates a time source that answers `now` by calling `read`.
    public init(_ read: @escaping @Sendable () -> UnixTime) {
        self.read = read
    }

    /// The current wall-clock time.
    @inlinable
    public func now() -> UnixTime {
        _now()
    }

    @usableFromInline
    func _now() -> UnixTime {
        read()
    }

    /// The operating system's real-time clock (`clock_gettime(CLOCK_REALTIME)`).
    public static let system = TimeSource {
        let (seconds, nanoseconds) = Platform.realtime()
        return UnixTime(sinceEpoch: .seconds(seconds) + .nanoseconds(nanoseconds))
    }

    /// A time source that always answers the same instant.
    public static func fixed(_ instant: UnixTime) -> TimeSource {
        TimeSource { instant }
    }
}
