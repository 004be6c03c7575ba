import Synchronization

/// How many clusters and Sentinel deployments of a test process may run at once (each is five or six
/// `redis-server`s): a test that starts one while two others run waits for a slot before it starts, so a suite
/// run in parallel never has dozens of servers starting at the same moment on a small machine. The slot is given
/// back when the fixture is terminated. ``RedisTestCluster/shared()`` does not take one.
final class FixtureGate: Sendable {
    static let topologies = FixtureGate(slots: 2)

    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(slots: Int) {
        state = Mutex(State(free: slots))
    }

    /// Waits for a free slot and takes it.
    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let entered = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if entered {
                continuation.resume()
            }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
