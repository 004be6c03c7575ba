import AuthKitTesting
import MetricsTestKit
import RedisClient
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` against a fresh `redis-server` (always our own, for tests that kill or pause it).
func withRedisServer<T>(
    _ options: RedisTestServerOptions = RedisTestServerOptions(),
    _ body: (RedisTestServer) async throws -> T
) async throws -> T {
    let server = try await RedisTestServer.start(options)
    defer { server.terminate() }
    return try await body(server)
}

/// Runs `body` with the URL of `AUTHKIT_REDIS_URL` when set, otherwise of a fresh plain server.
func withRedisURL<T>(_ body: (String) async throws -> T) async throws -> T {
    if let url = RedisTestServer.externalURL {
        return try await body(url)
    }
    return try await withRedisServer { try await body($0.url) }
}

/// A client for `url` with short timeouts, shut down after `body`.
func withClient<T>(
    url: String,
    configure: (inout RedisConfiguration) -> Void = { _ in },
    _ body: (RedisClient) async throws -> T
) async throws -> T {
    var configuration = try RedisConfiguration(url: url)
    // Short enough to keep failing tests quick, stretched under sanitizers (TLS handshakes are slow there).
    configuration.commandTimeout = TestTiming.scaled(.seconds(2))
    configuration.connectTimeout = TestTiming.scaled(.seconds(2))
    configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
    configure(&configuration)
    let client = RedisClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// The code of the `RedisError` that `body` throws, or `nil` when it succeeds.
func errorCode(_ body: () async throws -> Void) async -> RedisError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RedisError {
        return error.code
    } catch {
        return nil
    }
}

/// Retries `body` until it succeeds within ``TestTiming/eventually(checks:limit:every:_:)``'s liveness bound (for
/// reconnect tests), and throws its last error when it never does.
func eventually<T>(_ body: () async throws -> T) async throws -> T {
    var result: Result<T, any Error> = .failure(RedisError(.timeout, "eventually gave up"))
    _ = try await TestTiming.eventually(every: .milliseconds(25)) {
        do {
            result = .success(try await body())
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }
    return try result.get()
}

/// Returns once the client's `authkit_redis_commands_in_flight` meter shows `count` commands sent or queued whose
/// replies have not come back: the event a test of in-flight commands needs before it acts.
func waitUntilInFlight(_ count: Int, _ metrics: TestMetrics) async throws {
    let meter = try metrics.expectMeter("authkit_redis_commands_in_flight")
    try await waitUntil("\(count) commands are in flight") { meter.lastValue == Double(count) }
}

/// Returns once `condition` holds (``TestTiming/eventually(checks:limit:every:_:)``): tests wait for the event they
/// need, not for time to pass. Throws when it does not hold within the liveness bound.
func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
    guard try await TestTiming.eventually(condition) else {
        throw RedisError(.timeout, "gave up waiting until \(what)")
    }
}

/// Counters shared by the tasks of a load test.
final class LoadRecorder: Sendable {
    private struct State {
        var failures: [RedisError.Code] = []
        var successes = 0
        var stopped = false
    }

    private let state = Mutex(State())

    var isStopped: Bool { state.withLock { $0.stopped } }
    var failures: [RedisError.Code] { state.withLock { $0.failures } }
    var successes: Int { state.withLock { $0.successes } }

    func stop() { state.withLock { $0.stopped = true } }
    func succeeded() { state.withLock { $0.successes += 1 } }
    func failed(_ code: RedisError.Code) { state.withLock { $0.failures.append(code) } }
}

/// A loopback port bound by a socket that never accepts: with `listen` false connecting is refused; with `listen`
/// true the kernel completes the connection but nothing ever answers (a black hole above TCP).
final class ClosedPort {
    let port: Int
    private let fd: Int32
    private var fillers: [Int32] = []

    init(listen shouldListen: Bool = false, backlog: Int32 = 16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let descriptor = fd
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw RedisError(.connectionFailed, "cannot bind a loopback port") }
        port = Int(UInt16(bigEndian: address.sin_port))
        if shouldListen {
            guard listen(fd, backlog) == 0 else { throw RedisError(.connectionFailed, "cannot listen") }
        }
    }

    deinit {
        close(fd)
        for filler in fillers {
            close(filler)
        }
    }

    /// Connects sockets that are never accepted until the listen queue is full (one, for a backlog of 0): the
    /// kernel then drops further connection attempts, so a client's connect hangs.
    func fillBacklog(connections: Int = 1) throws {
        for _ in 0..<connections {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    connect(filler, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard filler >= 0, connected else { throw RedisError(.connectionFailed, "cannot fill the listen queue") }
            fillers.append(filler)
        }
    }
}

/// The ids of the server's pub/sub clients (`CLIENT LIST TYPE pubsub`).
func pubSubClientIDs(_ client: RedisClient) async throws -> [Substring] {
    let list = try await client.send("CLIENT", "LIST", "TYPE", "pubsub").string ?? ""
    return list.split(separator: "\n").compactMap { $0.split(separator: " ").first }
}

/// A client with one pooled connection and caps of 1,024 bytes and 10 elements per reply, and a key holding a
/// 2,048-byte value above them, for the length of `body`.
func withCappedClient(_ body: (RedisClient, RedisArgument) async throws -> Void) async throws {
    try await withRedisURL { (url: String) async throws in
        try await withClient(
            url: url,
            configure: {
                $0.maxReplyBytes = 1024
                $0.maxReplyElements = 10
                $0.poolSize = 1
            }
        ) { (client: RedisClient) async throws in
            let key = RedisArgument("authkit-test:big:\(UInt64.random(in: 0...UInt64.max))")
            try await client.set(key, value: RedisArgument([UInt8](repeating: 1, count: 2048)))
            try await body(client, key)
        }
    }
}
