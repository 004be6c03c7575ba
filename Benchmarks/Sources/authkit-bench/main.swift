import Logging
import RedisClient
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One worker's measurements.
struct WorkerResult: Sendable {
    var latenciesNanoseconds: [UInt64] = []
    var errors = 0
}

func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func percentile(_ sorted: [UInt64], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))
    return Double(sorted[index]) / 1000
}

func run() async throws {
    let options = try BenchmarkOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    var configuration = try RedisConfiguration(url: options.url)
    configuration.commandTimeout = .seconds(1)
    configuration.connectTimeout = .seconds(1)
    if let poolSize = options.poolSize {
        configuration.poolSize = poolSize
    }
    var logger = Logger(label: "authkit-bench")
    logger.logLevel = .error
    let client = RedisClient(configuration: configuration, logger: logger)
    let key: RedisArgument = "authkit-bench:key"
    // Best effort: a missing server shows up as errors below, not as a crash here.
    _ = try? await client.set(key, value: "xxx")

    let command: [RedisArgument] = options.scenario == "redis-get" ? ["GET", key] : ["EXISTS", key]
    let operation: @Sendable () async throws -> Void
    if options.scenario == "ratelimit" {
        operation = try RateLimitScenario.operation(client: client, algorithm: options.algorithm)
    } else {
        operation = { _ = try await client.send(command) }
    }
    let start = monotonicNanoseconds()
    let end = start + UInt64(options.duration * 1e9)
    let preferred: (any TaskExecutor)? = options.executor == "loop" ? client.taskExecutor : nil
    let results = await withTaskGroup(of: WorkerResult?.self) { group in
        for _ in 0..<options.concurrency {
            group.addTask(executorPreference: preferred) {
                var result = WorkerResult()
                result.latenciesNanoseconds.reserveCapacity(1 << 16)
                while true {
                    let before = monotonicNanoseconds()
                    if before >= end { break }
                    do {
                        try await operation()
                        result.latenciesNanoseconds.append(monotonicNanoseconds() - before)
                    } catch {
                        // Commands cut short by the shutdown at the end are not errors of the run.
                        if monotonicNanoseconds() >= end { break }
                        result.errors += 1
                        // An unreachable server fails fast; pace retries so errors stay countable.
                        try? await Task.sleep(for: .milliseconds(1))
                    }
                }
                return result
            }
        }
        // Finish on time even when the server hangs: at the end, shutting the client down fails what is in flight.
        group.addTask {
            let now = monotonicNanoseconds()
            if end > now {
                try? await Task.sleep(for: .nanoseconds(Int64(end - now)))
            }
            await client.shutdown()
            return nil
        }
        var all: [WorkerResult] = []
        for await result in group {
            if let result {
                all.append(result)
            }
        }
        return all
    }
    let seconds = Double(monotonicNanoseconds() - start) / 1e9
    await client.shutdown()

    var latencies = results.flatMap(\.latenciesNanoseconds)
    latencies.sort()
    let errors = results.reduce(0) { $0 + $1.errors }
    let ops = latencies.count
    let json =
        "{\"scenario\":\"\(options.scenario)\",\"concurrency\":\(options.concurrency),\"ops\":\(ops),"
        + "\"seconds\":\(rounded(seconds, 3)),\"ops_per_s\":\(rounded(Double(ops) / seconds, 1)),"
        + "\"p50_us\":\(rounded(percentile(latencies, 0.5), 1)),\"p99_us\":\(rounded(percentile(latencies, 0.99), 1)),"
        + "\"errors\":\(errors)}"
    print(json)
}

func rounded(_ value: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (value * scale).rounded() / scale
}

do {
    try await run()
} catch {
    let message = Array("authkit-bench: \(error)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}
