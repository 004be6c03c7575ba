import Synchronization

/// Gathers the replies of one ``RedisClient/pipeline(_:)`` batch and resumes its caller exactly once: with every
/// reply in command order when the last one is in, or with the first failure, whichever comes first.
///
/// Completions arrive on the loop thread, but a failed enqueue may complete on the caller's thread, so the state
/// is behind a lock rather than trusted to one thread.
final class PipelineCollector: Sendable {
    private struct State {
        var replies: [RedisReply]
        var remaining: Int
        var finished = false
    }

    private let state: Mutex<State>
    private let finish: @Sendable (Result<[RedisReply], any Error>) -> Void

    init(count: Int, finish: @escaping @Sendable (Result<[RedisReply], any Error>) -> Void) {
        self.state = Mutex(State(replies: Array(repeating: .null, count: count), remaining: count))
        self.finish = finish
    }

    /// Records the outcome of command `index`; the batch ends at the first failure or the last reply.
    func receive(_ result: Result<RedisReply, RedisError>, at index: Int) {
        let outcome = state.withLock { state -> Result<[RedisReply], any Error>? in
            guard !state.finished else { return nil }
            switch result {
            case .success(let reply):
                state.replies[index] = reply
                state.remaining -= 1
                guard state.remaining == 0 else { return nil }
                state.finished = true
                let replies = state.replies
                state.replies = []
                return .success(replies)
            case .failure(let error):
                state.finished = true
                state.replies = []
                return .failure(error)
            }
        }
        if let outcome {
            finish(outcome)
        }
    }
}
