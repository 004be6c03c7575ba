import AuthKitTesting
import RedisClient
import Synchronization
import Testing

/// Every command is held to its own deadline wherever it waits: behind setup commands that carry the connect
/// deadline, beside a socket that is still connecting, and while the I/O thread runs a long series of jobs.
@Suite("RedisClient deadlines", .timeLimit(.minutes(2)))
struct RedisDeadlineTests {
    /// Far beyond the bounds below: a command that waited for the connect deadline fails these tests.
    private static let longConnectTimeout = Duration.seconds(60)

    @Test("a server frozen before it answers AUTH: a command fails by its own deadline, not the connect timeout")
    func frozenDuringSetup() async throws {
        try await withRedisServer(RedisTestServerOptions(password: "setup-secret")) {
            (server: RedisTestServer) async throws in
            // The kernel still completes the connection; AUTH and the command are written and never answered.
            server.pause()
            let configure: (inout RedisConfiguration) -> Void = {
                $0.commandTimeout = .milliseconds(300)
                $0.connectTimeout = Self.longConnectTimeout
            }
            try await withClient(url: server.url, configure: configure) { (client: RedisClient) async throws in
                let start = ContinuousClock.now
                #expect(await errorCode { try await client.ping() } == .timeout)
                #expect(ContinuousClock.now - start < TestTiming.scaled(.seconds(5)))
                server.resume()
                #expect(try await eventually { try await client.send("ECHO", "after").string } == "after")
            }
        }
    }

    @Test("a connect that hangs: each command fails by its own deadline, not the connect timeout")
    func hungConnect() async throws {
        let port = try ClosedPort(listen: true, backlog: 0)
        try port.fillBacklog()
        // With a password, AUTH is queued ahead of every command, with the connect deadline.
        let configure: (inout RedisConfiguration) -> Void = {
            $0.commandTimeout = .milliseconds(300)
            $0.connectTimeout = Self.longConnectTimeout
        }
        try await withClient(url: "redis://:secret@127.0.0.1:\(port.port)", configure: configure) {
            (client: RedisClient) async throws in
            for _ in 0..<2 {
                let start = ContinuousClock.now
                let code = await errorCode { try await client.ping() }
                #expect(code == .timeout)
                #expect(ContinuousClock.now - start < TestTiming.scaled(.seconds(5)))
            }
            // A subscription's SUBSCRIBE, on a connection of its own, too.
            let start = ContinuousClock.now
            #expect(await errorCode { _ = try await client.subscribe(["news"]) } == .timeout)
            #expect(ContinuousClock.now - start < TestTiming.scaled(.seconds(5)))
        }
    }

    @Test("a long run of short tasks on the client's executor does not hold a deadline back")
    func deadlineBetweenExecutorJobs() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url, configure: { $0.commandTimeout = .milliseconds(200) }) {
                (client: RedisClient) async throws in
                try await client.ping()
                server.pause()
                // 400 tasks that compute for 10 ms and yield: every round keeps the I/O thread running jobs for 4 s
                // without a wait, where deadlines used to be checked.
                let spinners = LoadRecorder()
                let executor = client.taskExecutor
                let spinning = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for _ in 0..<400 {
                            group.addTask(executorPreference: executor) {
                                while !spinners.isStopped {
                                    let end = ContinuousClock.now + .milliseconds(10)
                                    while ContinuousClock.now < end {}
                                    await Task.yield()
                                }
                            }
                        }
                    }
                }
                let start = ContinuousClock.now
                let code = await errorCode { try await client.ping() }
                let elapsed = ContinuousClock.now - start
                spinners.stop()
                await spinning.value
                server.resume()
                #expect(code == .timeout)
                #expect(elapsed < TestTiming.scaled(.seconds(2)), "the 200 ms deadline fired after \(elapsed)")
            }
        }
    }
}
