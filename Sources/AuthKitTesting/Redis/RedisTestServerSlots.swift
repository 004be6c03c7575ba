import Foundation
import Synchronization

/// How many ``RedisTestServer``s of this process may run at once, so that a test run does not start dozens of
/// servers together and load the machine it measures: the rest wait (without holding a thread) for a slot.
///
/// The limit is `AUTHKIT_TEST_MAX_REDIS_SERVERS` when set to a positive number, else 8 — comfortably more than a
/// test holds at once (one, or two beside each other), so a test waiting for a slot always has one coming.
final class RedisTestServerSlots: Sendable {
    /// The slots of this process.
    static let shared = RedisTestServerSlots(
        limit: ProcessInfo.processInfo.environment["AUTHKIT_TEST_MAX_REDIS_SERVERS"].flatMap { Int($0) }
            .flatMap { $0 > 0 ? $0 : nil } ?? 8
    )

    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: limit))
    }

    /// Returns once a slot is free, and takes it.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    state.waiters.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted {
                continuation.resume()
            }
        }
    }

    /// Gives a slot back: to the longest waiter, if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
