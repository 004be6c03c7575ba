import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What one run measured: latencies of successful and of failed operations, and how many were still in flight
/// when the time was up.
struct LoadResult {
    var successes: [UInt64]
    var failures: [UInt64]
    var inFlight: Int
    var seconds: Double
    /// CPU time (user + system) the whole process used during the run: on a shared machine, operations per CPU
    /// second compare implementations fairly where wall-clock throughput only shows the share of CPU received.
    var cpuSeconds: Double
}

/// The measurements of one worker, behind a lock of its own (uncontended: only the worker and, once at the end,
/// the runner take it), so the runner can read them while a worker is stuck in a call that never returns.
final class WorkerRecorder: Sendable {
    struct State {
        var successes: [UInt64] = []
        var failures: [UInt64] = []
        var inFlight = false
    }

    let state = Mutex(State())

    init() {
        state.withLock {
            $0.successes.reserveCapacity(1 << 16)
        }
    }
}

/// Runs `concurrency` workers, each calling `operation` back to back until `duration` is over, then returns on
/// time whatever the operations do: a worker stuck in a call (a black-holed store) is left behind and counted as
/// in flight. A failed call is counted with its latency and the worker goes on.
///
/// `flushEvery` above 1 batches a worker's latencies before taking its lock, for CPU-bound scenarios (JWTs)
/// where the lock would be a visible share of an operation; only scenarios that cannot hang may use it.
enum LoadRunner {
    static func run(
        concurrency: Int,
        duration: Double,
        executor: (any TaskExecutor)?,
        flushEvery: Int = 1,
        operation: @escaping @Sendable (_ worker: Int) async throws -> Void
    ) async -> LoadResult {
        let recorders = (0..<concurrency).map { _ in WorkerRecorder() }
        let cpuStart = processCPUSeconds()
        let start = monotonicNanoseconds()
        let end = start + UInt64(duration * 1e9)
        var workers: [Task<Void, Never>] = []
        for worker in 0..<concurrency {
            let recorder = recorders[worker]
            let body: @Sendable () async -> Void = {
                var successes: [UInt64] = []
                var failures: [UInt64] = []
                successes.reserveCapacity(flushEvery)
                while monotonicNanoseconds() < end {
                    if flushEvery == 1 { recorder.state.withLock { $0.inFlight = true } }
                    let before = monotonicNanoseconds()
                    do {
                        try await operation(worker)
                        successes.append(monotonicNanoseconds() - before)
                    } catch {
                        failures.append(monotonicNanoseconds() - before)
                    }
                    if successes.count + failures.count >= flushEvery {
                        recorder.state.withLock { state in
                            state.inFlight = false
                            state.successes += successes
                            state.failures += failures
                        }
                        successes.removeAll(keepingCapacity: true)
                        if !failures.isEmpty {
                            failures.removeAll(keepingCapacity: true)
                            // A store that refuses at once would otherwise spin; pace retries so errors
                            // stay countable.
                            try? await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
                recorder.state.withLock { state in
                    state.successes += successes
                    state.failures += failures
                }
            }
            // Without a preference, a plain task: one made with `Task(executorPreference: nil)` looked its preference
            // up under the task's status lock at every executor switch (perf: `getPreferredTaskExecutor` and
            // `withStatusRecordLock`, 11 % of `authenticate --mirror` at c=1, p50 4.2 µs where it is 3.8 µs without).
            workers.append(executor.map { Task(executorPreference: $0, operation: body) } ?? Task(operation: body))
        }
        if flushEvery > 1 {
            // Batched workers publish their last batch as they finish; they cannot hang, so wait for them.
            for worker in workers { await worker.value }
        }
        // Sleep to the deadline rather than joining the workers: one of them may never come back.
        let remaining = end > monotonicNanoseconds() ? end - monotonicNanoseconds() : 0
        try? await Task.sleep(for: .nanoseconds(Int64(remaining)))
        // Give calls that started just before the deadline a moment to finish.
        for _ in 0..<50 {
            if recorders.allSatisfy({ recorder in recorder.state.withLock { !$0.inFlight } }) { break }
            try? await Task.sleep(for: .milliseconds(2))
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let cpuSeconds = processCPUSeconds() - cpuStart
        var result = LoadResult(successes: [], failures: [], inFlight: 0, seconds: seconds, cpuSeconds: cpuSeconds)
        for recorder in recorders {
            recorder.state.withLock { state in
                result.successes += state.successes
                result.failures += state.failures
                if state.inFlight { result.inFlight += 1 }
            }
        }
        result.successes.sort()
        result.failures.sort()
        return result
    }
}

func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func percentile(_ sorted: [UInt64], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))
    return Double(sorted[index]) / 1000
}

func rounded(_ value: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (value * scale).rounded() / scale
}
