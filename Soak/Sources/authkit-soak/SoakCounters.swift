import Synchronization

/// Calls made and failed since the last report, and in total.
final class SoakCounters: Sendable {
    private struct State {
        var calls = 0
        var errors = 0
        var totalCalls = 0
        var totalErrors = 0
        var errorKinds: [String: Int] = [:]
    }

    private let state = Mutex(State())

    func record(error: (any Error)?) {
        state.withLock { state in
            state.calls += 1
            state.totalCalls += 1
            if let error {
                state.errors += 1
                state.totalErrors += 1
                state.errorKinds["\(type(of: error)): \(error)".prefix(80).description, default: 0] += 1
            }
        }
    }

    /// The counts since the last call, which starts a new interval.
    func takeInterval() -> (calls: Int, errors: Int) {
        state.withLock { state in
            defer {
                state.calls = 0
                state.errors = 0
            }
            return (state.calls, state.errors)
        }
    }

    var totals: (calls: Int, errors: Int, kinds: [String: Int]) {
        state.withLock { ($0.totalCalls, $0.totalErrors, $0.errorKinds) }
    }
}
