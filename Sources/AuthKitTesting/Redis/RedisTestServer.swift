import AuthKitPlatform
import Foundation
import Synchronization

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
    /// The options the server was started with.
    public let options: RedisTestServerOptions
    /// The TCP (or TLS) port.
    public let port: Int
    /// The temporary directory holding the configuration, log, socket and certificates.
    public let directory: String
    private let process: RedisProcess
    /// Whether this server holds one of the process's ``RedisTestServerSlots``.
    private let holdsSlot = Atomic<Bool>(false)

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
    public var pid: Int32? { process.pid }

    private init(options: RedisTestServerOptions, port: Int, directory: String, executable: String) {
        self.options = options
        self.port = port
        self.directory = directory
        self.process = RedisProcess(
            executable: executable,
            directory: directory,
            port: port,
            arguments: ["\(directory)/redis.conf"],
            readyLine: "Ready to accept connections"
        )
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
        let executable = try RedisProcess.executable(
            "redis-server",
            install: "apt-get install redis-server, or `make deps`"
        )
        // The free port is found by binding port 0 and closing the socket, so another process (a parallel test's
        // server or a client's ephemeral port) can take it before redis-server binds it: then try a new port.
        return try await RedisProcess.retryingTakenPorts {
            await RedisTestServerSlots.shared.acquire()
            let directory: String
            let port: Int
            do {
                directory = try RedisProcess.makeTemporaryDirectory()
                port = try RedisProcess.freePort()
            } catch {
                RedisTestServerSlots.shared.release()
                throw error
            }
            // From here on the server holds the slot, and gives it back when it is terminated.
            let server = RedisTestServer(options: options, port: port, directory: directory, executable: executable)
            server.holdsSlot.store(true, ordering: .releasing)
            do {
                if options.tls {
                    try await server.generateCertificates()
                }
                try server.writeConfiguration()
                try await server.process.launch()
                return server
            } catch {
                server.terminate()
                throw error
            }
        }
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    public func stop() async {
        await process.signalAndWait(.terminate)
    }

    /// Kills the server with SIGKILL (no shutdown, connections reset) and waits for it to exit.
    public func kill() async {
        await process.signalAndWait(.kill)
    }

    /// Starts the server again on the same port with the same configuration (after ``stop()`` or ``kill()``).
    /// - Throws: ``RedisTestServerError`` when it does not come up.
    public func restart() async throws {
        await process.signalAndWait(.kill)
        try await process.launch()
    }

    /// Freezes the server with SIGSTOP: connections stay open but nothing is answered.
    public func pause() {
        process.kill(.stop)
    }

    /// Unfreezes a paused server with SIGCONT.
    public func resume() {
        process.kill(.resume)
    }

    /// Kills the server at once without waiting and removes its directory; safe to call more than once.
    public func terminate() {
        process.terminate()
        if holdsSlot.exchange(false, ordering: .acquiringAndReleasing) {
            RedisTestServerSlots.shared.release()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Internals

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
        try RedisProcess.writeConfiguration(lines, to: "\(directory)/redis.conf")
    }

    private func generateCertificates() async throws {
        let openssl = try RedisProcess.executable("openssl", install: "apt-get install openssl")
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await RedisProcess.run(
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
            try await RedisProcess.run(
                openssl,
                ["req", "-new"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"],
                in: directory
            )
            try await RedisProcess.run(
                openssl,
                [
                    "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "\(name).crt", "-days", "2", "-extfile", "\(name).ext",
                ],
                in: directory
            )
        }
    }
}
