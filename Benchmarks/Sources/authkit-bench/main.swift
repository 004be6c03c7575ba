import AuthKit
import Logging
import RedisClient

#if canImport(Glibc)
import Glibc
#endif

/// Errors only: a store outage during a run must show up in the counts, not as thousands of log lines.
let quietLogger: Logger = {
    var logger = Logger(label: "authkit-bench")
    logger.logLevel = .error
    return logger
}()

func run() async throws {
    let options = try BenchmarkOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    switch options.scenario {
    case "denylist-memory":
        print(try await DenylistMemoryScenario.run(options: options))
        return
    case "mirror-interleaved":
        print(try await MirrorInterleavedScenario.run(options: options))
        // The mirror is still polling: exit rather than stop it.
        exit(0)
    case "mirror-rebuild":
        print(try await MirrorRebuildScenario.run(options: options))
        exit(0)
    case "mirror-propagation":
        print(try await MirrorPropagationScenario.run(options: options))
        // The instances' services are still running: exit rather than stop them.
        exit(0)
    default:
        break
    }
    var client: RedisClient?
    var primaries: [RedisClient] = []
    var auth: AuthKit?
    let operation: @Sendable (Int) async throws -> Void
    switch options.scenario {
    case "jwt-sign", "jwt-verify", "jwt-garbage":
        operation = try await JWTScenario.operation(options: options)
    case "ratelimit-flood":
        operation = try await RateLimitFloodScenario.operation(options: options)
    case "authenticate", "refresh":
        let setup = try await AuthenticateScenario.setUp(options: options)
        client = setup.client
        primaries = setup.primaries
        auth = setup.auth
        operation = setup.operation
    default:
        var configuration = try RedisConfiguration(url: options.url ?? "redis://127.0.0.1:6379")
        configuration.commandTimeout = .milliseconds(Int64(options.commandTimeoutMilliseconds))
        if let busyPoll = options.busyPollMicroseconds { configuration.busyPoll = .microseconds(busyPoll) }
        configuration.connectTimeout = .seconds(1)
        if let poolSize = options.poolSize {
            configuration.poolSize = poolSize
        }
        let created = RedisClient(configuration: configuration, logger: quietLogger)
        client = created
        // One key on one server; on a cluster one key per worker, their hash tags spread over every primary, as
        // redis-benchmark --cluster spreads its clients.
        let keys: [RedisArgument] =
            configuration.topology.cluster == nil
            ? ["authkit-bench:key"] : (0..<options.concurrency).map { "authkit-bench:{\($0)}:key" }
        for key in keys {
            // Best effort: a missing server shows up as errors below, not as a crash here.
            _ = try? await created.send("SET", key, "xxx")
        }
        if options.scenario == "ratelimit" {
            let check = try RateLimitScenario.operation(client: created, algorithm: options.algorithm)
            operation = { _ in try await check() }
        } else {
            let commands: [[RedisArgument]] = keys.map {
                options.scenario == "redis-get" ? ["GET", $0] : ["EXISTS", $0]
            }
            operation = { worker in _ = try await created.send(commands[worker % commands.count]) }
        }
    }
    let preferred: (any TaskExecutor)? = options.effectiveExecutor == "loop" ? client?.taskExecutor : nil
    // What the run costs the server, counted by the server: exact when no call is in flight at the end.
    // On a cluster with the mirror, the sum over every primary.
    let countsBefore =
        primaries.isEmpty ? await ServerCommandCounts.read(client) : await ClusterPrimaries.commandCounts(primaries)
    let result = await LoadRunner.run(
        concurrency: options.concurrency,
        duration: options.duration,
        executor: preferred,
        // With the mirror, a check that the mirror refers to the store ends by the command timeout.
        flushEvery: options.scenario.hasPrefix("jwt-") || options.mirror ? 4096 : 1,
        operation: operation
    )
    let ops = result.successes.count
    let countsAfter =
        primaries.isEmpty ? await ServerCommandCounts.read(client) : await ClusterPrimaries.commandCounts(primaries)
    var serverCommands = ""
    if let before = countsBefore, let after = countsAfter {
        serverCommands = ",\"redis_commands\":" + ServerCommandCounts.json(after.since(before))
    }
    let json =
        "{\"scenario\":\"\(options.scenario)\",\"concurrency\":\(options.concurrency),\"ops\":\(ops),"
        + "\"seconds\":\(rounded(result.seconds, 3)),\"ops_per_s\":\(rounded(Double(ops) / result.seconds, 1)),"
        + "\"p50_us\":\(rounded(percentile(result.successes, 0.5), 2)),"
        + "\"p99_us\":\(rounded(percentile(result.successes, 0.99), 2)),"
        + "\"errors\":\(result.failures.count),"
        + "\"err_p50_us\":\(rounded(percentile(result.failures, 0.5), 2)),"
        + "\"err_p99_us\":\(rounded(percentile(result.failures, 0.99), 2)),"
        + "\"in_flight_at_end\":\(result.inFlight),\"cpu_seconds\":\(rounded(result.cpuSeconds, 3)),"
        + "\"ops_per_cpu_s\":\(rounded(result.cpuSeconds > 0 ? Double(ops) / result.cpuSeconds : 0, 1)),"
        + "\"executor\":\"\(client == nil ? "global" : options.effectiveExecutor)\",\"mirror\":\(options.mirror)"
        + "\(serverCommands)}"
    print(json)
    // Exit without a shutdown: a worker stuck on a black-holed store must not hold the process past its time.
    withExtendedLifetime((auth, client)) {}
    exit(0)
}

do {
    try await run()
} catch {
    let message = Array("authkit-bench: \(error)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}
