import AuthKitTesting
import Foundation
import RedisClient

/// `deadline-lateness`: how late `RedisClient` deadlines fire when the machine is saturated, against servers that
/// hang in different ways, with many clients in one process (as a test run has). See `LatenessOptions.usage`.
func run() async throws {
    let options = try LatenessOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
    print(
        "deadline-lateness: \(options.clients) clients, timeout \(options.timeoutMilliseconds) ms, "
            + "\(options.hogs) spinning threads, \(options.poolHogs) pool tasks (\(options.poolHogSliceMilliseconds) ms "
            + "slices), \(options.busyClients) busy clients, \(options.seconds) s per server; load average "
            + (load?.joined(separator: " ") ?? "unknown")
    )

    let neighbours = try await BusyNeighbours(
        count: options.busyClients,
        busyPollMicroseconds: options.busyPollMicroseconds
    )
    let hogs = CPUHogs(
        threads: options.hogs,
        tasks: options.poolHogs,
        slice: .milliseconds(options.poolHogSliceMilliseconds)
    )
    for server in options.servers {
        let samples = try await LatenessRun(server: server, options: options).run()
        print(
            "\(server): \(samples.resume.count) deadlines; completion on the I/O thread \(samples.loop.latenessSummary)"
                + " (\(samples.loop.count) matched); caller resumed \(samples.resume.latenessSummary); early "
                + "\(samples.early), refused \(samples.refused), unexpected \(samples.unexpected)"
        )
    }
    hogs.stop()
    print("busy clients: \(await neighbours.stop()) PINGs answered")
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("deadline-lateness: \(error)\n".utf8))
    exit(2)
}
