import AuthKitPlatform

/// The source of wall-clock time that every AuthKit component reads, injected so tests can control it.
///
/// A `WallClock` is a value wrapping a function, so reading it costs one indirect call and no actor hop.
/// Use ``system`` in production and `ManualClock` from `AuthKitTesting` in tests.
public struct WallClock: Sendable {
    private let read: @Sendable () -> UnixTime

    /// Creates a clock that answers `now` by calling `read`.
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
    public static let system = WallClock {
        let (seconds, nanoseconds) = Platform.realtime()
        return UnixTime(sinceEpoch: .seconds(seconds) + .nanoseconds(nanoseconds))
    }

    /// A clock that always answers the same instant.
    public static func fixed(_ instant: UnixTime) -> WallClock {
        WallClock { instant }
    }
}
