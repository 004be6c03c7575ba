#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// Nanoseconds of `CLOCK_MONOTONIC`, which never goes back. (On Darwin `CLOCK_MONOTONIC` is a `clockid_t` enum
    /// case rather than an `Int32` macro; the call reads the same.)
    package static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Nanoseconds on a clock that never goes back and keeps counting while the machine sleeps or is suspended, from
    /// an arbitrary origin: `CLOCK_BOOTTIME` on Linux, `CLOCK_MONOTONIC` on Darwin (which counts sleep there).
    package static func continuousNanoseconds() -> UInt64 {
        var spec = timespec()
        #if canImport(Darwin)
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #else
        clock_gettime(CLOCK_BOOTTIME, &spec)
        #endif
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// `CLOCK_REALTIME` as whole seconds and nanoseconds since 1970.
    package static func realtime() -> (seconds: Int64, nanoseconds: Int64) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int64(spec.tv_sec), Int64(spec.tv_nsec))
    }
}
