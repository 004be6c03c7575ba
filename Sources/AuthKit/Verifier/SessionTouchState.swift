import AuthKitClock

/// The bookkeeping of coalesced session touches, with no I/O: which sessions were touched (or are waiting for their
/// touch) in their current interval, which touches are pending, how many are being written, and who waits for what.
/// ``SessionTouchCoalescer`` holds it in a mutex and carries out the actions its methods return.
struct SessionTouchState {
    /// One session of one user.
    struct Key: Hashable, Sendable {
        var userID: String
        var sessionID: String
    }

    /// What the request path does after recording a use.
    enum RecordAction {
        /// The session was touched, or is waiting for its touch, in this interval: nothing to write.
        case coalesced
        /// The writer tracks as many sessions as it may: this use schedules no touch.
        case dropped
        /// The touch is pending; the background writer is woken when it was waiting.
        case scheduled(wake: CheckedContinuation<Void, Never>?)
        /// No background writer takes touches (none runs, or a flush began): the caller writes the touch itself,
        /// then calls ``finished(_:touches:inline:)``.
        case touchInline(Key)
    }

    /// How many touches each outcome had, for tests and diagnostics (the metrics count the same).
    struct Counts: Equatable, Sendable {
        /// Touches written to a live session.
        var written = 0
        /// Touches the store answered for a session that had ended (nothing written, nothing brought back).
        var ended = 0
        /// Uses that needed no touch: their session's was written, or pending, in its interval.
        var coalesced = 0
        /// Touches the store could not make.
        var failed = 0
        /// Uses whose touch was not written: the writer was full, or a shutdown's flush ran out of time.
        var dropped = 0
    }

    private struct Window {
        var key: Key
        var start: UnixTime
    }

    let interval: Duration
    let capacity: Int
    private(set) var counts = Counts()
    /// The start of each tracked session's current interval.
    private var windows: [Key: UnixTime] = [:]
    /// The same windows, oldest first, for pruning; an entry whose start no longer matches `windows` is stale.
    private var order = FIFO<Window>()
    private var pending = FIFO<Key>()
    private var pendingKeys: Set<Key> = []
    /// Touches taken from `pending` and not yet answered.
    private var queuedInFlight = 0
    /// Touches written on the request path and not yet answered.
    private var inlineInFlight = 0
    private var running = false
    /// Set by the first flush: from then on every touch is written inline, so the flush's wait has an end.
    private var flushing = false
    private var cancelled = false
    private var writer: CheckedContinuation<Void, Never>?
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []

    init(interval: Duration, capacity: Int) {
        self.interval = interval
        self.capacity = capacity
    }

    /// A use of `key`'s session at `now`: the first of an interval schedules a touch.
    mutating func record(_ key: Key, at now: UnixTime) -> RecordAction {
        prune(at: now)
        if pendingKeys.contains(key) {
            counts.coalesced += 1
            return .coalesced
        }
        // A window that starts after `now` is one the clock went back past: it is over, not longer.
        if let start = windows[key], start <= now, now < start + interval {
            counts.coalesced += 1
            return .coalesced
        }
        guard order.count < capacity else {
            counts.dropped += 1
            return .dropped
        }
        windows[key] = now
        order.append(Window(key: key, start: now))
        guard running, !flushing else {
            inlineInFlight += 1
            return .touchInline(key)
        }
        pending.append(key)
        pendingKeys.insert(key)
        defer { writer = nil }
        return .scheduled(wake: writer)
    }

    /// Forgets the windows that ended by `now`.
    private mutating func prune(at now: UnixTime) {
        while let oldest = order.first, oldest.start + interval <= now {
            order.removeFirst()
            if windows[oldest.key] == oldest.start {
                windows[oldest.key] = nil
            }
        }
    }

    /// Up to `limit` pending touches, now in flight; empty when none is pending.
    mutating func takeBatch(limit: Int) -> [Key] {
        var batch: [Key] = []
        while batch.count < limit, let key = pending.removeFirst() {
            pendingKeys.remove(key)
            batch.append(key)
        }
        queuedInFlight += batch.count
        return batch
    }

    /// Counts the outcomes of `touches` touches that were in flight, taken from the queue or written `inline`.
    /// - Returns: The flushes to resume now that no queued touch is left.
    mutating func finished(_ outcome: Counts, touches: Int, inline: Bool) -> [CheckedContinuation<Void, Never>] {
        counts.written += outcome.written
        counts.ended += outcome.ended
        counts.failed += outcome.failed
        if inline {
            inlineInFlight -= touches
        } else {
            queuedInFlight -= touches
        }
        return takeFlushWaiters()
    }

    /// The background writer starts; false when one already runs.
    mutating func startRunning() -> Bool {
        guard !running else { return false }
        running = true
        cancelled = false
        return true
    }

    /// The background writer ended; touches still pending wait for a flush (or the next writer).
    mutating func stopRunning() {
        running = false
    }

    /// The writer waits for work: true when it must not wait (work is pending, or it was cancelled).
    mutating func park(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard pending.isEmpty, !cancelled else { return true }
        writer = continuation
        return false
    }

    /// The writer was cancelled: the continuation it waits on, if any, to resume.
    mutating func cancelWriter() -> CheckedContinuation<Void, Never>? {
        cancelled = true
        defer { writer = nil }
        return writer
    }

    /// A flush begins: from now on every touch is written inline, none is queued.
    mutating func startFlushing() {
        flushing = true
    }

    /// Gives up every pending touch (a flush out of time), counted as dropped; their sessions are scheduled again by
    /// their next use.
    /// - Returns: How many were dropped.
    mutating func dropPending() -> Int {
        var dropped = 0
        while let key = pending.removeFirst() {
            pendingKeys.remove(key)
            windows[key] = nil
            dropped += 1
        }
        counts.dropped += dropped
        return dropped
    }

    /// Whether the background writer runs.
    var isRunning: Bool { running }

    /// Whether nothing is being written and nothing waits for a writer that runs.
    var isIdle: Bool {
        queuedInFlight == 0 && inlineInFlight == 0 && (pending.isEmpty || !running)
    }

    /// Waits, in a flush, for the queue to be empty and its touches answered: true when the caller must not wait.
    /// Once flushing, nothing is queued any more, so this wait ends with the store calls in flight.
    mutating func waitUntilQueueWritten(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard queuedInFlight > 0 || !pending.isEmpty else { return true }
        flushWaiters.append(continuation)
        return false
    }

    private mutating func takeFlushWaiters() -> [CheckedContinuation<Void, Never>] {
        guard queuedInFlight == 0, pending.isEmpty, !flushWaiters.isEmpty else { return [] }
        defer { flushWaiters = [] }
        return flushWaiters
    }
}

/// A first-in first-out queue with amortised O(1) removal at the front.
struct FIFO<Element> {
    private var storage: [Element] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }
    var first: Element? { head < storage.count ? storage[head] : nil }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
