import AuthKitPlatform
import Foundation
import Synchronization

/// One `redis-server` process a test fixture owns — a server, a cluster node or a Sentinel — with its own
/// directory and configuration file: launched and waited for, signalled, killed and launched again.
///
/// Every launch starts a watchdog that kills the process (and removes its directory) once the test process is
/// gone, so a test run that crashes or is killed never leaves servers behind.
final class RedisProcess: Sendable {
    private struct State {
        var process: Process?
        var starts = 0
    }

    /// The port the process listens on.
    let port: Int
    /// Its directory: configuration, logs, data.
    let directory: String
    private let executable: String
    private let arguments: [String]
    private let readyLine: String
    private let state = Mutex(State())

    /// A process of `executable` run in `directory` with `arguments` (the configuration file first), ready once
    /// its log shows `readyLine`.
    init(executable: String, directory: String, port: Int, arguments: [String], readyLine: String) {
        self.executable = executable
        self.directory = directory
        self.port = port
        self.arguments = arguments
        self.readyLine = readyLine
    }

    deinit {
        terminate()
    }

    /// The process id, or `nil` when it is not running.
    var pid: Int32? {
        state.withLock { state in
            guard let process = state.process, process.isRunning else { return nil }
            return process.processIdentifier
        }
    }

    /// The log of the latest launch.
    var log: String {
        let number = state.withLock { $0.starts }
        return (try? String(contentsOfFile: "\(directory)/redis-\(number).log", encoding: .utf8)) ?? "(no log)"
    }

    /// Starts the process and returns once its log shows the ready line.
    /// - Throws: ``RedisTestServerError`` when it exits or is not ready after 30 s of checks (see ``poll``).
    func launch() async throws {
        let number = state.withLock { state -> Int in
            state.starts += 1
            return state.starts
        }
        let logFile = "\(directory)/redis-\(number).log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["--logfile", logFile]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw RedisTestServerError("cannot run \(executable): \(error)")
        }
        Self.startWatchdog(for: process.processIdentifier, directory: directory)
        state.withLock { $0.process = process }
        let ready = try await Self.poll(every: .milliseconds(10), upTo: .seconds(30)) {
            if let log = try? String(contentsOfFile: logFile, encoding: .utf8), log.contains(readyLine) {
                return true
            }
            if !process.isRunning {
                let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "(no log)"
                throw RedisTestServerError("redis-server exited during start-up on port \(port):\n\(log.suffix(2000))")
            }
            return false
        }
        if !ready {
            kill(.kill)
            throw RedisTestServerError("redis-server did not become ready on port \(port) within 30 s of checks")
        }
    }

    /// Sends `signal` (after SIGCONT, so a paused process gets it) and waits up to 5 s for the process to exit,
    /// then kills it.
    func signalAndWait(_ signal: Platform.Signal) async {
        let process = state.withLock { state -> Process? in
            let process = state.process
            state.process = nil
            return process
        }
        guard let process, process.isRunning else { return }
        Platform.send(.resume, to: process.processIdentifier)
        Platform.send(signal, to: process.processIdentifier)
        for _ in 0..<500 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            Platform.send(.kill, to: process.processIdentifier)
            for _ in 0..<200 where process.isRunning {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    /// Sends `signal` without waiting.
    func kill(_ signal: Platform.Signal) {
        if let pid {
            Platform.send(signal, to: pid)
        }
    }

    /// Kills the process at once without waiting; safe to call more than once. The directory stays.
    func terminate() {
        let process = state.withLock { state -> Process? in
            let process = state.process
            state.process = nil
            return process
        }
        if let process, process.isRunning {
            Platform.send(.resume, to: process.processIdentifier)
            Platform.send(.kill, to: process.processIdentifier)
        }
    }

    /// A shell loop that kills the process and removes its directory once this test process is gone; it exits
    /// by itself when the server stops first.
    private static func startWatchdog(for serverPID: Int32, directory: String) {
        let script = """
            while kill -0 \(Platform.processID) 2>/dev/null && kill -0 \(serverPID) 2>/dev/null; do sleep 0.5; done
            if ! kill -0 \(Platform.processID) 2>/dev/null; then kill -9 \(serverPID) 2>/dev/null; rm -rf '\(directory)'; fi
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    // MARK: Shared helpers of the fixtures

    /// Runs `check` every `interval` until it returns `true` (then `true`) or has run `limit / interval` ×
    /// ``TestTiming/scale`` times (then `false`).
    ///
    /// The bound counts checks, not wall-clock time: on a loaded machine a waiting task can go unscheduled for
    /// seconds, and a wall-clock bound would then give up after a handful of checks, measuring the machine instead
    /// of catching a fixture that never comes up.
    static func poll(
        every interval: Duration,
        upTo limit: Duration,
        _ check: () async throws -> Bool
    ) async throws -> Bool {
        let checks = max(1, Int(limit / interval)) * TestTiming.scale
        for _ in 0..<checks {
            if try await check() {
                return true
            }
            try await Task.sleep(for: interval)
        }
        return false
    }

    /// A process for `port` in its own directory under `parent`, whose configuration file `name` holds `lines`
    /// after the directives every fixture node shares (loopback, port, directory, foreground); `arguments` follow
    /// the file on the command line (`--sentinel`).
    static func node(
        executable: String,
        in parent: String,
        port: Int,
        file name: String = "redis.conf",
        lines: [String],
        arguments: [String] = [],
        readyLine: String = "Ready to accept connections"
    ) throws -> RedisProcess {
        let directory = "\(parent)/\(port)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RedisTestServerError("cannot create \(directory): \(error)")
        }
        let file = "\(directory)/\(name)"
        try writeConfiguration(
            ["bind 127.0.0.1", "port \(port)", "dir \(directory)", "daemonize no"] + lines,
            to: file
        )
        return RedisProcess(
            executable: executable,
            directory: directory,
            port: port,
            arguments: [file] + arguments,
            readyLine: readyLine
        )
    }

    /// Runs `attempt` again, up to five times in all, while it fails because a port it chose was taken meanwhile:
    /// ports are found free by binding and closing them, so another process (a parallel test's server, a client's
    /// ephemeral port) can take one before redis-server binds it. `attempt` cleans up after itself when it fails.
    static func retryingTakenPorts<T>(_ attempt: () async throws -> T) async throws -> T {
        var number = 0
        while true {
            number += 1
            do {
                return try await attempt()
            } catch let error as RedisTestServerError
                where number < 5 && error.message.contains("Address already in use")
            {
                continue
            }
        }
    }

    /// The path of `name` on `PATH`, or an error saying how to install it.
    static func executable(_ name: String, install: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if Platform.isExecutable(candidate) {
                return candidate
            }
        }
        throw RedisTestServerError("\(name) was not found on PATH: install it (\(install))")
    }

    /// A new directory under /tmp, short because a Unix socket path inside it must stay under 108 bytes.
    static func makeTemporaryDirectory(_ prefix: String = "authkit-redis") throws -> String {
        let path = "/tmp/\(prefix)-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RedisTestServerError("cannot create \(path): \(error)")
        }
        return path
    }

    /// Writes `lines` as a configuration file.
    static func writeConfiguration(_ lines: [String], to path: String) throws {
        do {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RedisTestServerError("cannot write \(path): \(error)")
        }
    }

    /// Runs `executable` with `arguments` to its end, without blocking a thread while it runs, and returns its
    /// standard output; throws when it exits with a failure or outlives `timeout` of checks (see ``poll``).
    @discardableResult
    static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> String {
        let output = "/tmp/authkit-run-\(UUID().uuidString.prefix(12)).out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard let handle = FileHandle(forWritingAtPath: output) else {
            throw RedisTestServerError("cannot write \(output)")
        }
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
        }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let ended = try await poll(every: .milliseconds(5), upTo: timeout) { !process.isRunning }
        if !ended {
            process.terminate()
            throw RedisTestServerError(
                "\(executable) \(arguments.joined(separator: " ")) ran past \(timeout) of checks"
            )
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw RedisTestServerError(
                "\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): "
                    + text.suffix(2000)
            )
        }
        return text
    }

    /// Whether a TCP socket can bind `port` on 127.0.0.1 right now.
    static func canBind(_ port: Int) -> Bool {
        bindLoopback(port: port) != nil
    }

    /// A port that was free a moment ago: bind port 0 on loopback, read the port, close.
    static func freePort() throws -> Int {
        guard let port = bindLoopback(port: 0) else { throw RedisTestServerError("cannot find a free port") }
        return port
    }

    private static func bindLoopback(port: Int) -> Int? {
        let fd = Platform.streamSocket(family: Platform.inetFamily, nonBlocking: false)
        guard fd >= 0 else { return nil }
        defer { Platform.close(fd) }
        return Platform.bind(fd, to: .loopback(port: port)) == 0 ? Platform.localPort(fd) : nil
    }
}
