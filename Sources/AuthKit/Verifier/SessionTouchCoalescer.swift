import AuthKitClock
import Logging
import Metrics
import Synchronization

/// Touches the sessions authentication accepts at most once per interval each, off the request path
/// (``SessionTouch/coalesced(interval:maximumTrackedSessions:)``).
///
/// The request path calls ``record(userID:sessionID:)``: the first use of a session in an interval queues its
/// touch and wakes the writer; later uses in the interval only count. The writer, ``run()``, runs inside the
/// verifier's `run()` and writes the queued touches through `TokenStore.touchSession(userID:sessionID:)`, up to
/// ``batchSize`` at once. While no writer runs (an app that never runs the service, or after it ended), and once a
/// shutdown's ``flush(within:)`` began, the first use of an interval writes its touch itself before the request
/// returns: still at most one write per session per interval, on the request path. A touch's failure is counted and
/// logged, never thrown to the request.
final class SessionTouchCoalescer: Sendable {
    /// How many touches the writer has in flight at most.
    static let batchSize = 64

    private let store: any TokenStore
    private let clock: TimeSource
    private let logger: Logger
    private let metrics: AuthKitMetrics
    private let state: Mutex<SessionTouchState>

    init(
        interval: Duration,
        maximumTrackedSessions: Int,
        store: any TokenStore,
        clock: TimeSource,
        logger: Logger,
        metrics: AuthKitMetrics
    ) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.state = Mutex(SessionTouchState(interval: interval, capacity: maximumTrackedSessions))
    }

    /// The outcomes so far.
    var counts: SessionTouchState.Counts {
        state.withLock { $0.counts }
    }

    /// Whether nothing is being written and nothing waits for a running writer.
    var isIdle: Bool {
        state.withLock { $0.isIdle }
    }

    /// Whether the background writer runs.
    var isRunning: Bool {
        state.withLock { $0.isRunning }
    }

    /// Records a use of a session that authentication just accepted.
    func record(userID: String, sessionID: String) async {
        let key = SessionTouchState.Key(userID: userID, sessionID: sessionID)
        let now = clock.now()
        switch state.withLock({ $0.record(key, at: now) }) {
        case .coalesced:
            metrics.sessionTouchesCoalesced.increment()
        case .dropped:
            metrics.sessionTouchesDropped.increment()
        case .scheduled(let wake):
            wake?.resume()
        case .touchInline(let key):
            await write([key], inline: true)
        }
    }

    /// Writes the queued touches until the task is cancelled; returns at once when another writer runs.
    func run() async {
        guard state.withLock({ $0.startRunning() }) else { return }
        while let batch = await nextBatch() {
            await write(batch, inline: false)
        }
        state.withLock { $0.stopRunning() }
    }

    /// Writes what is pending, for at most `timeout` (and the store call deadline of the touches under way), then
    /// drops what is left, and waits for the queued touches in flight: what a shutdown does before the store closes.
    /// From its start on, every touch is written inline (requests still served during a graceful shutdown), so no
    /// new work can hold it up.
    func flush(within timeout: Duration) async {
        state.withLock { $0.startFlushing() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let batch = state.withLock { $0.takeBatch(limit: Self.batchSize) }
            guard !batch.isEmpty else { break }
            await write(batch, inline: false)
        }
        let dropped = state.withLock { $0.dropPending() }
        if dropped > 0 {
            metrics.sessionTouchesDropped.increment(by: Int64(dropped))
            logger.warning("session touches dropped at shutdown", metadata: ["count": "\(dropped)"])
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.waitUntilQueueWritten(continuation) }) { continuation.resume() }
        }
    }

    /// The next touches to write, waiting for some; nil once the task is cancelled.
    private func nextBatch() async -> [SessionTouchState.Key]? {
        while !Task.isCancelled {
            let batch = state.withLock { $0.takeBatch(limit: Self.batchSize) }
            if !batch.isEmpty { return batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    if state.withLock({ $0.park(continuation) }) { continuation.resume() }
                }
            } onCancel: {
                state.withLock { $0.cancelWriter() }?.resume()
            }
        }
        return nil
    }

    /// Touches `keys`' sessions at once, and counts the outcomes; `inline` says they were written on the request path.
    private func write(_ keys: [SessionTouchState.Key], inline: Bool) async {
        var outcome = SessionTouchState.Counts()
        var firstError: (any Error)?
        await withTaskGroup(of: Result<Bool, any Error>.self) { group in
            for key in keys {
                group.addTask { [store] in
                    do {
                        return .success(try await store.touchSession(userID: key.userID, sessionID: key.sessionID))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case .success(true): outcome.written += 1
                case .success(false): outcome.ended += 1
                case .failure(let error):
                    outcome.failed += 1
                    firstError = firstError ?? error
                }
            }
        }
        metrics.sessionTouchesWritten.increment(by: Int64(outcome.written))
        metrics.sessionTouchesEnded.increment(by: Int64(outcome.ended))
        metrics.sessionTouchesFailed.increment(by: Int64(outcome.failed))
        if let firstError {
            logger.warning(
                "session touches failed; their sessions slide at their next interval's first use",
                metadata: ["count": "\(outcome.failed)", "error": "\(firstError)"]
            )
        }
        for waiter in state.withLock({ $0.finished(outcome, touches: keys.count, inline: inline) }) { waiter.resume() }
    }
}
