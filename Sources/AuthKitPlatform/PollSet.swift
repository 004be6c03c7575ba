#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// The readiness `poll` reports for a descriptor (`POLLIN`, `POLLOUT`, `POLLERR`, `POLLHUP`, `POLLNVAL`).
    package struct PollEvents: OptionSet, Sendable {
        /// The `revents`/`events` bits.
        package let rawValue: Int16

        /// Wraps `revents` or `events` bits.
        package init(rawValue: Int16) {
            self.rawValue = rawValue
        }

        /// `POLLIN`.
        package static let readable = PollEvents(rawValue: Int16(POLLIN))
        /// `POLLOUT`.
        package static let writable = PollEvents(rawValue: Int16(POLLOUT))
        /// `POLLERR`.
        package static let error = PollEvents(rawValue: Int16(POLLERR))
        /// `POLLHUP`.
        package static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
        /// `POLLNVAL`: the descriptor is not open.
        package static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
    }

    /// The descriptors of one `poll` call and, after it, what each reported; reused from one wait to the next.
    package struct PollSet {
        private var entries: [pollfd] = []

        /// An empty set.
        package init() {}

        /// How many descriptors the set holds.
        package var count: Int { entries.count }

        /// Empties the set, keeping its storage.
        package mutating func removeAll() {
            entries.removeAll(keepingCapacity: true)
        }

        /// Adds `fd`, polled for `events`.
        package mutating func append(_ fd: Int32, for events: PollEvents) {
            entries.append(pollfd(fd: fd, events: events.rawValue, revents: 0))
        }

        /// What the last ``wait(milliseconds:)`` reported for the descriptor at `index`.
        package func returned(at index: Int) -> PollEvents {
            PollEvents(rawValue: entries[index].revents)
        }

        /// `poll` for up to `milliseconds` (0 returns at once, -1 waits without limit); the number of ready
        /// descriptors, or -1. (`nfds_t` is `UInt` on Glibc and Musl, `UInt32` on Darwin.)
        package mutating func wait(milliseconds: Int32) -> Int32 {
            entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), milliseconds) }
        }
    }

    /// Waits up to `milliseconds` for `events` on one descriptor; `true` when it is ready (or in error).
    package static func wait(_ fd: Int32, for events: PollEvents, milliseconds: Int32) -> Bool {
        var set = PollSet()
        set.append(fd, for: events)
        return set.wait(milliseconds: milliseconds) > 0
    }
}
