import Synchronization

/// A ``PermissionInvalidationChannel`` that connects every cache in one process, for tests and for several
/// caches sharing one in-memory store.
public final class InMemoryPermissionInvalidationBus: PermissionInvalidationChannel {
    private struct State {
        var subscribers: [UInt64: AsyncStream<PermissionInvalidation>.Continuation] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a bus with no subscribers.
    public init() {}

    /// The number of live subscriptions.
    public var subscriberCount: Int {
        state.withLock { $0.subscribers.count }
    }

    /// Implements ``PermissionInvalidationChannel/publish(_:)``.
    public func publish(_ invalidation: PermissionInvalidation) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield(invalidation)
        }
    }

    /// Implements ``PermissionInvalidationChannel/subscribe()``.
    public func subscribe() -> AsyncStream<PermissionInvalidation> {
        let (stream, continuation) = AsyncStream.makeStream(of: PermissionInvalidation.self)
        let id = state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every subscription, as a lost connection would, so tests can watch caches stop trusting local copies.
    public func disconnectAll() {
        let subscribers = state.withLock { state in
            let all = Array(state.subscribers.values)
            state.subscribers.removeAll()
            return all
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
