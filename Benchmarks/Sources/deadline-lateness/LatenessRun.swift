import AuthKitTesting
import RedisClient
import Synchronization

/// One measurement: `clients` clients, one worker each, sending a command that cannot be answered in time to one
/// kind of stalled server, back to back for `seconds`.
struct LatenessRun {
    /// What the workers saw, in nanoseconds past each command's deadline (the call plus the timeout).
    struct Samples {
        /// Until the command's completion ran on the client's I/O thread (its connection's close, logged there
        /// right after the completions ran).
        var loop: [Int64] = []
        /// Until the caller's task was running again after the failed call.
        var resume: [Int64] = []
        /// Failures before the deadline: the command was not left to its deadline (should stay 0).
        var early = 0
        /// Calls refused at once because every connection was waiting to reconnect (not measured).
        var refused = 0
        /// Calls that succeeded or failed with another code (should stay 0).
        var unexpected = 0

        mutating func add(_ other: Samples) {
            loop += other.loop
            resume += other.resume
            early += other.early
            refused += other.refused
            unexpected += other.unexpected
        }
    }

    let server: String
    let options: LatenessOptions

    func run() async throws -> Samples {
        var stalled: RedisTestServer?
        var blackHole: BlackHoleServer?
        let url: String
        switch server {
        case "blackhole":
            let hole = try BlackHoleServer()
            blackHole = hole
            url = "redis://127.0.0.1:\(hole.port)"
        default:
            let started = try await RedisTestServer.start(
                RedisTestServerOptions(extraConfiguration: ["tcp-backlog 4096"])
            )
            stalled = started
            url = started.url
        }
        defer {
            blackHole?.stop()
            stalled?.terminate()
        }
        let timeout = UInt64(options.timeoutMilliseconds) * 1_000_000
        let sleepSeconds = Double(options.timeoutMilliseconds) * 3 / 1000
        let command: [RedisArgument] =
            server == "debug-sleep" ? ["DEBUG", "SLEEP", RedisArgument("\(sleepSeconds)")] : ["PING"]

        var clients: [(RedisClient, ClosedConnectionProbe)] = []
        for _ in 0..<options.clients {
            let probe = ClosedConnectionProbe()
            var configuration = try RedisConfiguration(url: url)
            configuration.commandTimeout = .milliseconds(options.timeoutMilliseconds)
            // Reconnect at once: every measured call should wait for its own deadline, not be refused because
            // every connection is backing off.
            configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(1), maximum: .milliseconds(2))
            if let busyPoll = options.busyPollMicroseconds {
                configuration.busyPoll = .microseconds(busyPoll)
            }
            clients.append((RedisClient(configuration: configuration, logger: probe.logger), probe))
        }
        if let stalled {
            // Connections are open and proven before the server stops answering.
            for (client, _) in clients { _ = try await client.send("PING") }
            if server == "sigstop" { stalled.pause() }
        }

        let end = nanosecondsNow() + UInt64(options.seconds * 1e9)
        let samples = await withTaskGroup(of: Samples.self) { group in
            for (client, probe) in clients {
                group.addTask {
                    var samples = Samples()
                    while nanosecondsNow() < end {
                        let start = nanosecondsNow()
                        let deadline = start + timeout
                        var code: RedisError.Code?
                        do {
                            _ = try await client.send(command)
                        } catch let error as RedisError {
                            code = error.code
                        } catch {}
                        let resumed = nanosecondsNow()
                        switch code {
                        case .connectionFailed:
                            samples.refused += 1
                            try? await Task.sleep(for: .milliseconds(2))
                            continue
                        case .timeout, .connectionClosed:
                            break
                        default:
                            samples.unexpected += 1
                            continue
                        }
                        guard resumed >= deadline else {
                            samples.early += 1
                            continue
                        }
                        samples.resume.append(Int64(resumed - deadline))
                        // The close is logged just after the completions ran, so the caller may get here first.
                        var closed = probe.lastClosed
                        for _ in 0..<1000 where closed < start {
                            try? await Task.sleep(for: .milliseconds(1))
                            closed = probe.lastClosed
                        }
                        if closed >= start {
                            samples.loop.append(Int64(closed) - Int64(deadline))
                        }
                    }
                    return samples
                }
            }
            var all = Samples()
            for await samples in group { all.add(samples) }
            return all
        }
        stalled?.resume()
        for (client, _) in clients { await client.shutdown() }
        return samples
    }
}

extension [Int64] {
    /// "p50 A  p99 B  max C" in milliseconds, of these nanosecond samples.
    var latenessSummary: String {
        guard !isEmpty else { return "no samples" }
        let sorted = self.sorted()
        func milliseconds(_ value: Int64) -> String {
            let tenths = (Double(value) / 100_000).rounded()
            return "\(tenths / 10)"
        }
        func at(_ fraction: Double) -> Int64 {
            sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        }
        return
            "p50 \(milliseconds(at(0.5)))  p99 \(milliseconds(at(0.99)))  max \(milliseconds(sorted[sorted.count - 1])) ms"
    }
}
