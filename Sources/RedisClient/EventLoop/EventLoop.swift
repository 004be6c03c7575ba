import AuthKitPlatform
import Synchronization

/// One thread the library owns that does all socket I/O with `poll` over non-blocking sockets.
///
/// Callers hand it jobs with ``execute(_:)``; it runs them, writes every queued command in one batch per socket,
/// reads replies and resumes the callers' continuations. Nothing here runs on Swift's cooperative pool.
///
/// `@unchecked Sendable`: `inbox` is behind a `Mutex`; every other stored property is touched only by the loop
/// thread (jobs are the only way in).
final class EventLoop: @unchecked Sendable {
    private enum State {
        case idle
        case running
        case stopping
        case stopped
    }

    private struct Inbox {
        var jobs: [@Sendable () -> Void] = []
        var sleeping = false
        var wakeSent = false
        /// A deadline was added behind the loop's back (a direct write) while it was awake: check before sleeping.
        var recheckDeadlines = false
        /// When a sleeping loop will wake up by itself.
        var plannedWake: UInt64 = 0
        var state = State.idle
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var stopHandler: (@Sendable () -> Void)?
    }

    private struct Timer {
        var deadline: UInt64
        var job: () -> Void
    }

    /// The longest the loop sleeps without a deadline. Deadlines added behind the loop's back (direct writes) are
    /// announced by ``noteDeadline(_:)``, so this is only a safety net: it bounds what a missed announcement costs.
    private static let maximumSleepNanoseconds: UInt64 = 250_000_000
    private let inbox = Mutex(Inbox())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let pipeOK: Bool

    private var handlers: [Int: any LoopHandler] = [:]
    private var nextHandlerID = 0
    private var dirty: [any LoopHandler] = []
    private var timers: [Timer] = []
    /// When the next timer or command deadline is due, as far as the loop thread knows (loop thread only).
    private var nextDue = UInt64.max
    /// The earliest deadline callers added behind the loop's back (``noteDeadline(_:)``) since the loop last
    /// looked at every deadline: read between jobs, so that a long run of jobs does not hold it back either.
    /// Signed: `Atomic<UInt64>.min` compares as signed in Swift 6.3, so `UInt64.max` would never be lowered.
    private let announcedDeadline = Atomic<Int64>(.max)
    /// Scratch space for `recv`, shared by every connection of this loop.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Scratch space for decrypted TLS bytes.
    let plaintextBuffer: UnsafeMutableRawBufferPointer

    /// When to poll for a reply instead of sleeping (``RedisConfiguration/busyPoll``); loop thread only.
    private var busyPoll: BusyPollPolicy

    init(busyPollNanoseconds: UInt64 = 0) {
        self.busyPoll = BusyPollPolicy(limit: busyPollNanoseconds, processors: ProcessorBudget.current())
        let pipe = Platform.makeWakePipe()
        pipeOK = pipe != nil
        wakeRead = pipe?.read ?? -1
        wakeWrite = pipe?.write ?? -1
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        plaintextBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        if pipeOK {
            Platform.close(wakeRead)
            Platform.close(wakeWrite)
        }
        readBuffer.deallocate()
        plaintextBuffer.deallocate()
    }

    /// Runs `job` on the loop thread, starting the thread on first use. Returns `false` once the loop is stopping.
    @discardableResult
    func execute(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, start, wake) = inbox.withLock { inbox -> (Bool, Bool, Bool) in
            switch inbox.state {
            case .stopping, .stopped:
                return (false, false, false)
            case .idle:
                inbox.state = .running
                inbox.jobs.append(job)
                return (true, true, false)
            case .running:
                inbox.jobs.append(job)
                if inbox.sleeping && !inbox.wakeSent {
                    inbox.wakeSent = true
                    return (true, false, true)
                }
                return (true, false, false)
            }
        }
        if start {
            startThread()
        } else if wake {
            wakeUp()
        }
        return accepted
    }

    /// Sets what the loop runs on its own thread when it stops, before the last queued jobs (so that they meet a
    /// shut-down pool and fail instead of starting new work).
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        inbox.withLock { $0.stopHandler = handler }
    }

    /// Tells the loop that a command with `deadline` was queued without a job (a caller's direct write), so that
    /// a sleeping loop wakes up in time to enforce it.
    func noteDeadline(_ deadline: UInt64) {
        announcedDeadline.min(Int64(clamping: deadline), ordering: .sequentiallyConsistent)
        let wake = inbox.withLock { inbox -> Bool in
            guard inbox.state == .running else { return false }
            if inbox.sleeping {
                if deadline < inbox.plannedWake && !inbox.wakeSent {
                    inbox.wakeSent = true
                    return true
                }
                return false
            }
            inbox.recheckDeadlines = true
            return false
        }
        if wake {
            wakeUp()
        }
    }

    /// Asks the loop to exit after running the jobs already queued; later ``execute(_:)`` calls are refused.
    func stop() {
        let (wake, neverStarted) = inbox.withLock { inbox -> (Bool, Bool) in
            switch inbox.state {
            case .idle:
                // Never started: nothing was connected, and dropping the handler breaks its cycle with the pool.
                inbox.state = .stopped
                inbox.stopHandler = nil
                return (false, true)
            case .running:
                inbox.state = .stopping
                let wake = !inbox.wakeSent
                inbox.wakeSent = true
                return (wake, false)
            case .stopping, .stopped:
                return (false, false)
            }
        }
        if wake {
            wakeUp()
        }
        if neverStarted {
            resumeExitWaiters()
        }
    }

    /// Returns once the loop thread has exited (at once if it never started and was stopped).
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = inbox.withLock { inbox -> Bool in
                if inbox.state == .stopped { return true }
                inbox.exitWaiters.append(continuation)
                return false
            }
            if done {
                continuation.resume()
            }
        }
    }

    // MARK: Loop-thread API

    func register(_ handler: any LoopHandler) -> Int {
        nextHandlerID += 1
        handlers[nextHandlerID] = handler
        return nextHandlerID
    }

    func unregister(_ id: Int) {
        handlers[id] = nil
    }

    func markDirty(_ handler: any LoopHandler) {
        dirty.append(handler)
    }

    func schedule(at deadline: UInt64, _ job: @escaping () -> Void) {
        timers.append(Timer(deadline: deadline, job: job))
        nextDue = min(nextDue, deadline)
    }

    /// Tells the loop, on its own thread, that a command with `deadline` was queued, so that it is enforced even
    /// while a long run of jobs keeps the loop from waiting.
    func expectDeadline(_ deadline: UInt64) {
        nextDue = min(nextDue, deadline)
    }

    // MARK: Thread

    private func startThread() {
        // The thread holds the loop until it exits.
        let started = Platform.startDetachedThread { [self] in
            runLoop()
        }
        if !started {
            // Without a thread nothing can be served: stop here, on the caller's thread, so the stop handler
            // shuts the pool down and the queued jobs fail at once instead of hanging.
            inbox.withLock { $0.state = .stopping }
            runLoop()
        }
    }

    private func wakeUp() {
        var byte: UInt8 = 1
        _ = withUnsafeBytes(of: &byte) { Platform.write(wakeWrite, $0) }
    }

    private func drainWakePipe() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ Platform.read(wakeRead, into: $0) }) > 0 {}
    }

    /// The loop: run the queued jobs, enforce what is due, wait for a socket, a wake-up or the next deadline, hand
    /// the ready sockets to their handlers; until ``stop()``.
    private func runLoop() {
        var polled = Platform.PollSet()
        var ids: [Int] = []
        while true {
            if runQueuedJobs() {
                break
            }
            fireDueDeadlines(now: Monotonic.now())
            let next = nextDue
            flushDirty()
            collectDescriptors(into: &polled, ids: &ids)
            guard waitForReadiness(&polled, ids: ids, until: next) > 0 else { continue }
            dispatchReady(polled, ids: ids)
            flushDirty()
        }
        handlers.removeAll()
        timers.removeAll()
        dirty.removeAll()
        inbox.withLock { $0.state = .stopped }
        resumeExitWaiters()
    }

    // MARK: Jobs

    /// Runs the jobs queued so far (after the stop handler, once stopping) and flushes what they queued; returns
    /// whether the loop is stopping.
    private func runQueuedJobs() -> Bool {
        let (jobs, stopping, stopHandler) = inbox.withLock {
            inbox -> ([@Sendable () -> Void], Bool, (@Sendable () -> Void)?) in
            let jobs = inbox.jobs
            inbox.jobs.removeAll(keepingCapacity: true)
            let stopping = inbox.state == .stopping
            let handler = stopping ? inbox.stopHandler : nil
            if stopping {
                inbox.stopHandler = nil
            }
            return (jobs, stopping, handler)
        }
        stopHandler?()
        for job in jobs {
            job()
            // A long run of jobs (a burst of commands, many tasks on the client's executor) must not hold a
            // deadline back until it ends: deadlines that come due meanwhile are enforced between two jobs.
            let announced = UInt64(clamping: announcedDeadline.load(ordering: .relaxed))
            if !stopping && min(nextDue, announced) <= Monotonic.now() {
                fireDueDeadlines(now: Monotonic.now())
            }
        }
        flushDirty()
        return stopping
    }

    // MARK: Waiting

    /// Fills `polled` with the wake pipe, then every handler's socket (its handler's id at the same place in `ids`,
    /// one behind).
    private func collectDescriptors(into polled: inout Platform.PollSet, ids: inout [Int]) {
        polled.removeAll()
        ids.removeAll(keepingCapacity: true)
        polled.append(wakeRead, for: .readable)
        for (id, handler) in handlers {
            polled.append(handler.fileDescriptor, for: handler.wantsWrite ? [.readable, .writable] : .readable)
            ids.append(id)
        }
    }

    /// Waits in `poll` until a socket is ready, a job or a deadline announcement wakes the loop, or `next` (at most
    /// ``maximumSleepNanoseconds`` away) comes; does not sleep when jobs arrived meanwhile. Returns `poll`'s count.
    private func waitForReadiness(_ polled: inout Platform.PollSet, ids: [Int], until next: UInt64) -> Int32 {
        let wakeAt = min(next, Monotonic.now() &+ Self.maximumSleepNanoseconds)
        var timeout = Self.pollTimeout(until: wakeAt)
        let mayBlock = inbox.withLock { inbox -> Bool in
            if inbox.jobs.isEmpty && !inbox.recheckDeadlines && inbox.state == .running {
                inbox.sleeping = true
                inbox.plannedWake = wakeAt
                return true
            }
            inbox.recheckDeadlines = false
            return false
        }
        if !mayBlock {
            timeout = 0
        }
        var count: Int32 = 0
        // Whether this wait is one the busy-poll policy governs (few commands in flight), and since when.
        var governed = false
        var waitStart: UInt64 = 0
        if timeout > 0, busyPoll.limit > 0 {
            let inFlight = commandsAwaitingReplies(ids)
            busyPoll.record(commandsInFlight: inFlight)
            governed = busyPoll.governs(commandsInFlight: inFlight)
            if governed {
                waitStart = Monotonic.now()
                count = spin(&polled, for: busyPoll.spin(commandsInFlight: inFlight), since: waitStart)
                // The spin took time, and on a busy machine a yield can take many milliseconds: sleep only for
                // what is left, or the wake-up comes that much after the deadline.
                timeout = Self.pollTimeout(until: wakeAt)
            }
        }
        if count == 0 {
            count = polled.wait(milliseconds: timeout)
        }
        if governed, (1..<polled.count).contains(where: { polled.returned(at: $0).contains(.readable) }) {
            busyPoll.record(wait: Monotonic.now() &- waitStart)
        }
        inbox.withLock { inbox in
            inbox.sleeping = false
            inbox.wakeSent = false
        }
        return count
    }

    /// Polls without sleeping, yielding the processor in between, for up to `limit` nanoseconds from `start`: a
    /// reply that lands within the spin is read without paying a sleeping thread's wake-up. Returns `poll`'s count.
    private func spin(_ polled: inout Platform.PollSet, for limit: UInt64, since start: UInt64) -> Int32 {
        var count: Int32 = 0
        while limit > 0 && count == 0 && Monotonic.now() &- start < limit {
            count = polled.wait(milliseconds: 0)
            if count == 0 {
                Platform.yieldProcessor()
            }
        }
        return count
    }

    /// Drains the wake pipe if it woke the loop and hands each ready socket's events to its handler.
    private func dispatchReady(_ polled: Platform.PollSet, ids: [Int]) {
        if !polled.returned(at: 0).isEmpty {
            drainWakePipe()
        }
        for index in 1..<polled.count {
            let events = polled.returned(at: index)
            if !events.isEmpty {
                handlers[ids[index - 1]]?.handle(events: events)
            }
        }
    }

    /// The `poll` timeout in whole milliseconds, rounded up, that wakes the loop at `wakeAt` (0 when it has passed).
    private static func pollTimeout(until wakeAt: UInt64) -> Int32 {
        let now = Monotonic.now()
        return wakeAt > now ? Int32((wakeAt - now + 999_999) / 1_000_000) : 0
    }

    /// How many commands await replies on the connections `ids`, counted up to what the busy-poll policy counts.
    private func commandsAwaitingReplies(_ ids: [Int]) -> Int {
        var total = 0
        for id in ids {
            total += handlers[id]?.awaitedReplies ?? 0
            if total >= BusyPollPolicy.countedCommandsInFlight { break }
        }
        return total
    }

    private func resumeExitWaiters() {
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            let waiters = inbox.exitWaiters
            inbox.exitWaiters.removeAll()
            return waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    private func flushDirty() {
        while !dirty.isEmpty {
            let batch = dirty
            dirty.removeAll(keepingCapacity: true)
            for handler in batch {
                handler.flush()
            }
        }
    }

    // MARK: Timers and deadlines

    /// Runs the timers that are due and fails what is overdue on every connection; sets ``nextDue`` to when the
    /// next timer or deadline is due.
    private func fireDueDeadlines(now: UInt64) {
        // Cleared first: a deadline announced from here on belongs to a command the checks below may not see. (It
        // is only a hint between jobs; the check at the end of every run of jobs sees every queued command.)
        announcedDeadline.store(.max, ordering: .sequentiallyConsistent)
        nextDue = .max
        var next = runTimers(now: now)
        for handler in Array(handlers.values) {
            if let deadline = handler.checkDeadlines(now: now) {
                next = min(next, deadline)
            }
        }
        // Timers and commands added by what ran meanwhile lowered `nextDue` already.
        nextDue = min(nextDue, next)
    }

    private func runTimers(now: UInt64) -> UInt64 {
        var next = UInt64.max
        guard !timers.isEmpty else { return next }
        var due: [() -> Void] = []
        timers.removeAll { timer in
            if timer.deadline <= now {
                due.append(timer.job)
                return true
            }
            next = min(next, timer.deadline)
            return false
        }
        for job in due {
            job()
        }
        for timer in timers {
            next = min(next, timer.deadline)
        }
        return next
    }
}
