import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        var fds: [Int32] = [-1, -1]
        let ok = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress) } == 0
        if ok {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        pipeOK = ok
        wakeRead = fds[0]
        wakeWrite = fds[1]
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        plaintextBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        if pipeOK {
            close(wakeRead)
            close(wakeWrite)
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
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            nil,
            { argument in
                guard let argument else { return nil }
                let loop = Unmanaged<EventLoop>.fromOpaque(argument).takeRetainedValue()
                loop.runLoop()
                return nil
            },
            context
        )
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            // Without a thread nothing can be served: stop here, on the caller's thread, so the stop handler
            // shuts the pool down and the queued jobs fail at once instead of hanging.
            inbox.withLock { $0.state = .stopping }
            runLoop()
        }
    }

    private func wakeUp() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func drainWakePipe() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    private func runLoop() {
        var fds: [pollfd] = []
        var ids: [Int] = []
        while true {
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
            if stopping {
                break
            }
            fireDueDeadlines(now: Monotonic.now())
            let next = nextDue
            flushDirty()

            fds.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            for (id, handler) in handlers {
                let events = Int16(POLLIN) | (handler.wantsWrite ? Int16(POLLOUT) : 0)
                fds.append(pollfd(fd: handler.fileDescriptor, events: events, revents: 0))
                ids.append(id)
            }
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
                    let spin = busyPoll.spin(commandsInFlight: inFlight)
                    // A reply that lands within the spin is read without paying a sleeping thread's wake-up.
                    while spin > 0 && count == 0 && Monotonic.now() &- waitStart < spin {
                        count = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), 0) }
                        if count == 0 {
                            sched_yield()
                        }
                    }
                    // The spin took time, and on a busy machine a yield can take many milliseconds: sleep only for
                    // what is left, or the wake-up comes that much after the deadline.
                    timeout = Self.pollTimeout(until: wakeAt)
                }
            }
            if count == 0 {
                count = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
            }
            if governed, fds.dropFirst().contains(where: { $0.revents & Int16(POLLIN) != 0 }) {
                busyPoll.record(wait: Monotonic.now() &- waitStart)
            }
            inbox.withLock { inbox in
                inbox.sleeping = false
                inbox.wakeSent = false
            }
            guard count > 0 else { continue }
            if fds[0].revents != 0 {
                drainWakePipe()
            }
            for index in 1..<fds.count where fds[index].revents != 0 {
                handlers[ids[index - 1]]?.handle(events: fds[index].revents)
            }
            flushDirty()
        }
        handlers.removeAll()
        timers.removeAll()
        dirty.removeAll()
        inbox.withLock { $0.state = .stopped }
        resumeExitWaiters()
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
