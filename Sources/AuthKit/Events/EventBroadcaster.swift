import Synchronization

/// Fans security events out to every current subscriber; a subscriber that falls behind loses the oldest
/// events first (bounded buffer) rather than growing memory or slowing requests down.
final class EventBroadcaster: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<SecurityEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let bufferSize: Int

    init(bufferSize: Int = 1024) {
        self.bufferSize = bufferSize
    }

    func subscribe() -> AsyncStream<SecurityEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SecurityEvent.self,
            bufferingPolicy: .bufferingNewest(bufferSize)
        )
        let id = state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: SecurityEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield(event)
        }
    }

    func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
