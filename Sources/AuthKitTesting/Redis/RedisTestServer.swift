import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway `redis-server` for tests: started from `PATH` on a free port in a temporary directory, with
/// controls to stop, kill, restart, pause and resume it.
///
/// ```swift
/// let server = try await RedisTestServer.start()
/// defer { server.terminate() }
/// let client = try RedisClient(url: server.url)
/// ```
///
/// When `redis-server` is missing, ``start(_:)`` throws an error that says how to install it; tests never skip.
public final class RedisTestServer: Sendable {
    private struct State {
        var process: Process?
        var watchdog: Process?
        var starts = 0
        /// Whether this server holds one of the process's ``RedisTestServerSlots``.
        var holdsSlot = false
    }

    /// The options the server was started with.
    public let options: RedisTestServerOptions
    /// The TCP (or TLS) port.
    public let port: Int
    /// The temporary directory holding the configuration, log, socket and certificates.
    public let directory: String
    private let executable: String
    private let state = Mutex(State())

    /// The value of `AUTHKIT_REDIS_URL`, when tests should use an existing server instead of starting one.
    public static var externalURL: String? {
        ProcessInfo.processInfo.environment["AUTHKIT_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The Unix socket path, when ``RedisTestServerOptions/unixSocket`` is set.
    public var unixSocketPath: String? {
        options.unixSocket ? "\(directory)/redis.sock" : nil
    }

    /// The CA certificate that signed the server and client certificates (TLS servers only).
    public var caCertificateFile: String { "\(directory)/ca.crt" }
    /// A client certificate signed by the CA (TLS servers only).
    public var clientCertificateFile: String { "\(directory)/client.crt" }
    /// The key of ``clientCertificateFile``.
    public var clientKeyFile: String { "\(directory)/client.key" }

    /// A URL for this server with credentials: `redis://…`, or for TLS `rediss://127.0.0.1:port?ca=…` (with the
    /// client certificate when the server requires one).
    public var url: String {
        var credentials = ""
        if let user = options.aclUser {
            credentials = "\(user.name):\(user.password)@"
        } else if let password = options.password {
            credentials = ":\(password)@"
        }
        guard options.tls else {
            return "redis://\(credentials)127.0.0.1:\(port)"
        }
        var url = "rediss://\(credentials)127.0.0.1:\(port)?ca=\(caCertificateFile)"
        if options.requireClientCertificate {
            url += "&cert=\(clientCertificateFile)&key=\(clientKeyFile)"
        }
        return url
    }

    /// The `redis-server` process id, or `nil` when it is not running.
    public var pid: Int32? {
        state.withLock { state in
            guard let process = state.process, process.isRunning else { return nil }
            return process.processIdentifier
        }
    }

    private init(options: RedisTestServerOptions, port: Int, directory: String, executable: String) {
        self.options = options
        self.port = port
        self.directory = directory
        self.executable = executable
    }

    deinit {
        terminate()
    }

    /// Starts a server and returns once it accepts connections.
    ///
    /// At most 8 servers of one process run at once (`AUTHKIT_TEST_MAX_REDIS_SERVERS` changes that); a start
    /// beyond that waits until an earlier server is stopped with ``terminate()``.
    /// - Throws: ``RedisTestServerError`` when `redis-server` (or, for TLS, `openssl`) is not installed or the
    ///   server does not come up.
    public static func start(
        _ options: RedisTestServerOptions = RedisTestServerOptions()
    ) async throws
        -> RedisTestServer
    {
        guard let executable = findExecutable("redis-server") else {
            throw RedisTestServerError(
                "redis-server was not found on PATH: install redis-server (apt-get install redis-server, or `make deps`)"
            )
        }
        await RedisTestServerSlots.shared.acquire()
        // The free port is found by binding port 0 and closing the socket, so another process (a parallel test's
        // server or a client's ephemeral port) can take it before redis-server binds it: then try a new port.
        var attempt = 0
        while true {
            attempt += 1
            let directory: String
            let port: Int
            do {
                directory = try makeTemporaryDirectory()
                port = try freePort()
            } catch {
                RedisTestServerSlots.shared.release()
                throw error
            }
            // From here on the server holds the slot, and gives it back when it is terminated.
            let server = RedisTestServer(options: options, port: port, directory: directory, executable: executable)
            server.state.withLock { $0.holdsSlot = true }
            if options.tls {
                try await server.generateCertificates()
            }
            try server.writeConfiguration()
            do {
                try await server.launch()
                return server
            } catch let error as RedisTestServerError
                where attempt < 5 && error.message.contains("Address already in use")
            {
                server.terminate()
                await RedisTestServerSlots.shared.acquire()
            }
        }
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    public func stop() async {
        await signalAndWait(SIGTERM)
    }

    /// Kills the server with SIGKILL (no shutdown, connections reset) and waits for it to exit.
    public func kill() async {
        await signalAndWait(SIGKILL)
    }

    /// Starts the server again on the same port with the same configuration (after ``stop()`` or ``kill()``).
    /// - Throws: ``RedisTestServerError`` when it does not come up.
    public func restart() async throws {
        await signalAndWait(SIGKILL)
        try await launch()
    }

    /// Freezes the server with SIGSTOP: connections stay open but nothing is answered.
    public func pause() {
        send(SIGSTOP)
    }

    /// Unfreezes a paused server with SIGCONT.
    public func resume() {
        send(SIGCONT)
    }

    /// Kills the server at once without waiting and removes its directory; safe to call more than once.
    public func terminate() {
        let (process, heldSlot) = state.withLock { state -> (Process?, Bool) in
            let process = state.process
            state.process = nil
            defer { state.holdsSlot = false }
            return (process, state.holdsSlot)
        }
        if heldSlot {
            RedisTestServerSlots.shared.release()
        }
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Internals

    private func send(_ signal: Int32) {
        if let pid {
            Glibc.kill(pid, signal)
        }
    }

    private func signalAndWait(_ signal: Int32) async {
        let process = state.withLock { state -> Process? in
            let process = state.process
            state.process = nil
            return process
        }
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGCONT)
        Glibc.kill(process.processIdentifier, signal)
        for _ in 0..<500 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            for _ in 0..<200 where process.isRunning {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    private func launch() async throws {
        let number = state.withLock { state -> Int in
            state.starts += 1
            return state.starts
        }
        let logFile = "\(directory)/redis-\(number).log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["\(directory)/redis.conf", "--logfile", logFile]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw RedisTestServerError("cannot run \(executable): \(error)")
        }
        let watchdog = Self.startWatchdog(for: process.processIdentifier)
        state.withLock { state in
            state.process = process
            state.watchdog = watchdog
        }
        for _ in 0..<1000 {
            if let log = try? String(contentsOfFile: logFile, encoding: .utf8),
                log.contains("Ready to accept connections")
            {
                return
            }
            if !process.isRunning {
                let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "(no log)"
                throw RedisTestServerError("redis-server exited during start-up on port \(port):\n\(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        terminate()
        throw RedisTestServerError("redis-server did not become ready on port \(port) within 10 s")
    }

    /// A shell loop that kills the server once this test process is gone, so a test run that is killed or
    /// crashes never leaves servers behind; it exits by itself when the server stops first.
    private static func startWatchdog(for serverPID: Int32) -> Process? {
        let script = """
            while kill -0 \(getpid()) 2>/dev/null && kill -0 \(serverPID) 2>/dev/null; do sleep 0.5; done
            kill -9 \(serverPID) 2>/dev/null
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do {
            try watchdog.run()
            return watchdog
        } catch {
            return nil
        }
    }

    private func writeConfiguration() throws {
        var lines = [
            "bind 127.0.0.1 -::1",
            "dir \(directory)",
            "save \"\"",
            "appendonly no",
            "daemonize no",
            "enable-debug-command yes",
        ]
        if options.tls {
            lines += [
                "port 0",
                "tls-port \(port)",
                "tls-cert-file \(directory)/server.crt",
                "tls-key-file \(directory)/server.key",
                "tls-ca-cert-file \(caCertificateFile)",
                "tls-auth-clients \(options.requireClientCertificate ? "yes" : "no")",
            ]
        } else {
            lines.append("port \(port)")
        }
        if let path = unixSocketPath {
            lines += ["unixsocket \(path)", "unixsocketperm 700"]
        }
        if let password = options.password {
            lines.append("requirepass \(password)")
        }
        if let user = options.aclUser {
            lines.append("user \(user.name) on >\(user.password) ~* &* +@all")
        }
        lines += options.extraConfiguration
        let text = lines.joined(separator: "\n") + "\n"
        do {
            try text.write(toFile: "\(directory)/redis.conf", atomically: true, encoding: .utf8)
        } catch {
            throw RedisTestServerError("cannot write redis.conf: \(error)")
        }
    }

    private func generateCertificates() async throws {
        guard let openssl = Self.findExecutable("openssl") else {
            throw RedisTestServerError("openssl was not found on PATH: install openssl (apt-get install openssl)")
        }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await Self.run(
            openssl,
            ["req", "-x509", "-new"] + key + [
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=AuthKit Test CA",
            ],
            in: directory
        )
        for (name, extensions) in [
            ("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("client", "extendedKeyUsage=clientAuth\n"),
        ] {
            try extensions.write(toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
            try await Self.run(
                openssl,
                ["req", "-new"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"],
                in: directory
            )
            try await Self.run(
                openssl,
                [
                    "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext",
                ],
                in: directory
            )
        }
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(5))
        }
        guard process.terminationStatus == 0 else {
            throw RedisTestServerError("\(executable) \(arguments.joined(separator: " ")) failed")
        }
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    private static func makeTemporaryDirectory() throws -> String {
        // Short, because a Unix socket path inside it must stay under 108 bytes.
        let path = "/tmp/authkit-redis-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw RedisTestServerError("cannot create \(path): \(error)")
        }
        return path
    }

    /// A port that was free a moment ago: bind port 0 on loopback, read the port, close.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RedisTestServerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw RedisTestServerError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
