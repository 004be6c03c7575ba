import AuthKitTesting
import MetricsTestKit
import RedisClient
import Testing

@Suite("RedisClient", .timeLimit(.minutes(1)))
struct RedisClientTests {
    @Test("typed commands over TCP")
    func typedCommands() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                #expect(try await client.ping() == "PONG")
                let key = RedisArgument("authkit-test:\(UInt64.random(in: 0...UInt64.max))")
                let binary: [UInt8] = [0, 1, 13, 10, 255, 0]
                #expect(try await client.set(key, value: RedisArgument(binary), expiration: .seconds(60)))
                #expect(try await client.get(key) == binary)
                #expect(try await !client.set(key, value: "other", condition: .ifNotExists))
                #expect(try await client.set(key, value: "kept", expiration: .keepTTL))
                #expect(try await client.ttl(key) > 0)
                #expect(try await client.pexpire(key, milliseconds: 50_000))
                #expect(try await client.pttl(key) > 1000)
                #expect(try await client.exists([key, key]) == 2)
                #expect(try await client.del([key]) == 1)
                #expect(try await client.get(key) == nil)
                #expect(try await client.incrby(key, 5) == 5)
                #expect(try await client.incrby(key, -2) == 3)
                #expect(try await client.expire(key, seconds: 60))

                let hash = RedisArgument("authkit-test:h:\(UInt64.random(in: 0...UInt64.max))")
                #expect(try await client.hset(hash, fields: [("a", "1"), ("b", RedisArgument([0]))]) == 2)
                #expect(try await client.hgetall(hash) == ["a": Array("1".utf8), "b": [0]])

                let zset = RedisArgument("authkit-test:z:\(UInt64.random(in: 0...UInt64.max))")
                #expect(try await client.zadd(zset, members: [(1, "one"), (2, "two"), (3, "three")]) == 3)
                #expect(
                    try await client.zrangebyscore(zset, min: "2", max: "+inf") == [
                        Array("two".utf8), Array("three".utf8),
                    ]
                )
                #expect(try await client.zremrangebyscore(zset, min: "-inf", max: "(3") == 2)
                #expect(
                    try await client.zrangebyscore(zset, min: "-inf", max: "+inf", limit: (0, 10)) == [
                        Array("three".utf8)
                    ]
                )

                let scanned = try await client.scan(cursor: 0, match: "authkit-test:z:*", count: 1000)
                #expect(scanned.keys.contains(zset.bytes) || scanned.cursor != 0)
                #expect(try await client.info("server").contains("redis_version"))
                #expect(try await client.configGet("maxmemory-policy").keys.contains("maxmemory-policy"))
                try await client.clientSetName("authkit-test")
                #expect(try await client.publish("authkit-test:nobody", message: "x") == 0)
                #expect(try await client.del([key, hash, zset]) == 3)
            }
        }
    }

    @Test("server errors are thrown with the server's message, and the connection stays usable")
    func serverErrors() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let key = RedisArgument("authkit-test:list:\(UInt64.random(in: 0...UInt64.max))")
                try await client.send("RPUSH", key, "a")
                await #expect {
                    try await client.get(key)
                } throws: { error in
                    (error as? RedisError)?.serverErrorPrefix == "WRONGTYPE"
                }
                #expect(try await client.send("ECHO", "still here").string == "still here")
                try await client.del([key])
            }
        }
    }

    @Test("Unix socket with a database index")
    func unixSocket() async throws {
        try await withRedisServer(RedisTestServerOptions(unixSocket: true)) { (server: RedisTestServer) async throws in
            let path = try #require(server.unixSocketPath)
            try await withClient(url: "unix://\(path)?db=3") { (client: RedisClient) async throws in
                try await client.set("where", value: "db3")
                #expect(try await client.send("CLIENT", "INFO").string?.contains("db=3") == true)
            }
        }
    }

    @Test("TLS: chain and IP verified against a CA generated at test time")
    func tlsWithCA() async throws {
        try await withRedisServer(RedisTestServerOptions(tls: true)) { (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                #expect(try await client.ping() == "PONG")
                try await client.set("tls", value: RedisArgument([UInt8](repeating: 7, count: 200_000)))
                #expect(try await client.get("tls")?.count == 200_000)
            }
            // Host name verification with SNI: the certificate names localhost.
            try await withClient(url: "rediss://localhost:\(server.port)?ca=\(server.caCertificateFile)") {
                (client: RedisClient) async throws in
                #expect(try await client.ping() == "PONG")
            }
            // A name the certificate does not carry is refused.
            let wrongName = "rediss://127.0.0.1:\(server.port)?ca=\(server.caCertificateFile)&sni=example.com"
            try await withClient(url: wrongName) { (client: RedisClient) async throws in
                #expect(await errorCode { try await client.ping() } == .tls)
            }
            // The system store does not trust the test CA.
            try await withClient(url: "rediss://127.0.0.1:\(server.port)") { (client: RedisClient) async throws in
                #expect(await errorCode { try await client.ping() } == .tls)
            }
        }
    }

    @Test("TLS with a required client certificate")
    func tlsClientCertificate() async throws {
        try await withRedisServer(RedisTestServerOptions(tls: true, requireClientCertificate: true)) {
            (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                #expect(try await client.ping() == "PONG")
            }
            try await withClient(url: "rediss://127.0.0.1:\(server.port)?ca=\(server.caCertificateFile)") {
                (client: RedisClient) async throws in
                let code = await errorCode { try await client.ping() }
                #expect(code == .tls || code == .connectionClosed)
            }
        }
    }

    @Test("ACL user and requirepass")
    func authentication() async throws {
        let options = RedisTestServerOptions(password: "default-secret", aclUser: ("alice", "alice-secret"))
        try await withRedisServer(options) { (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                #expect(try await client.send("ACL", "WHOAMI").string == "alice")
            }
            try await withClient(url: "redis://:default-secret@127.0.0.1:\(server.port)") {
                (client: RedisClient) async throws in
                #expect(try await client.send("ACL", "WHOAMI").string == "default")
            }
            try await withClient(url: "redis://alice:wrong@127.0.0.1:\(server.port)") {
                (client: RedisClient) async throws in
                #expect(await errorCode { try await client.ping() } == .authentication)
            }
            try await withClient(url: "redis://127.0.0.1:\(server.port)") { (client: RedisClient) async throws in
                #expect(await errorCode { try await client.ping() } == .server)
            }
        }
    }

    @Test(
        "10,000 concurrent commands over two connections, each reply to its own caller",
        arguments: [true, false]
    )
    func concurrentCommands(directWrites: Bool) async throws {
        try await withRedisURL { (url: String) async throws in
            let settings: (inout RedisConfiguration) -> Void = {
                $0.poolSize = 2
                $0.commandTimeout = .seconds(20)
                $0.directWrites = directWrites
            }
            try await withClient(url: url, configure: settings) { (client: RedisClient) async throws in
                let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<10_000 {
                        group.addTask {
                            let value = "value-\(index)-" + String(repeating: "x", count: index % 50)
                            return try await client.send("ECHO", RedisArgument(value)).string == value
                        }
                    }
                    var mismatches = 0
                    for try await matched in group where !matched {
                        mismatches += 1
                    }
                    return mismatches
                }
                #expect(mismatches == 0)
                let clients = try await client.send("CLIENT", "LIST").string ?? ""
                #expect(clients.split(separator: "\n").count >= 1)
            }
        }
    }

    @Test("tasks on the client's executor get their own replies and are not stranded by shutdown")
    func taskExecutor() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            // What is tested is who gets which reply and that nothing is stranded, not how fast: a generous timeout,
            // as for the 10,000 commands above.
            var configuration = try RedisConfiguration(url: server.url)
            configuration.commandTimeout = TestTiming.scaled(.seconds(20))
            let metrics = TestMetrics()
            let client = RedisClient(configuration: configuration, metricsFactory: metrics)
            let executor = client.taskExecutor
            let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<2000 {
                    group.addTask(executorPreference: executor) {
                        try await client.send("ECHO", "e\(index)").string == "e\(index)"
                    }
                }
                var mismatches = 0
                for try await matched in group where !matched {
                    mismatches += 1
                }
                return mismatches
            }
            #expect(mismatches == 0)
            // As in `shutdown()`: the server sleeps far longer than any wait for the command to be in flight.
            async let sleeping = withTaskExecutorPreference(executor) {
                await errorCode { try await client.send("DEBUG", "SLEEP", RedisArgument(5 * TestTiming.scale)) }
            }
            try await waitUntilInFlight(1, metrics)
            await client.shutdown()
            #expect(await sleeping == .poolShutdown)
            let after = await withTaskExecutorPreference(executor) {
                await errorCode { try await client.ping() }
            }
            #expect(after == .poolShutdown)
        }
    }

    @Test("DEBUG SLEEP past the deadline times out; the late reply never reaches the next caller")
    func debugSleepTimeout() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(
                url: server.url,
                configure: {
                    $0.commandTimeout = .milliseconds(300)
                    $0.poolSize = 1
                }
            ) {
                client in
                // Connected first, so the deadline below is the command's alone; under load a first command can
                // outlast the 300 ms, which is no failure.
                _ = try await eventually { try await client.ping() }
                let start = ContinuousClock.now
                // The server answers after 3 s; the 300 ms deadline must end the wait long before that. The
                // bound is about not waiting for the reply, with room for a loaded CI machine, not about speed.
                let sleep = 3 * TestTiming.scale
                #expect(await errorCode { try await client.send("DEBUG", "SLEEP", RedisArgument(sleep)) } == .timeout)
                #expect(ContinuousClock.now - start < TestTiming.scaled(.milliseconds(2500)))
                let echoed = try await eventually { try await client.send("ECHO", "after").string }
                #expect(echoed == "after")
            }
        }
    }

    @Test("a SIGSTOPped server: commands fail by their deadline, then recover after SIGCONT")
    func pausedServer() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url, configure: { $0.commandTimeout = .milliseconds(300) }) {
                (client: RedisClient) async throws in
                _ = try await eventually { try await client.ping() }
                server.pause()
                let start = ContinuousClock.now
                let codes = try await withThrowingTaskGroup(of: RedisError.Code?.self) { group in
                    for _ in 0..<20 {
                        group.addTask { await errorCode { try await client.ping() } }
                    }
                    var codes: [RedisError.Code?] = []
                    for try await code in group {
                        codes.append(code)
                    }
                    return codes
                }
                // A hang would never end; the margin over the 300 ms deadline is for a loaded CI machine.
                #expect(ContinuousClock.now - start < TestTiming.scaled(.seconds(5)))
                #expect(codes.allSatisfy { $0 == .timeout || $0 == .connectionClosed || $0 == .connectionFailed })
                #expect(codes.contains(.timeout))
                server.resume()
                #expect(try await eventually { try await client.send("ECHO", "back").string } == "back")
            }
        }
    }

    @Test("server killed mid-load: in-flight commands fail, the pool reconnects after restart")
    func killAndRestart() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url, configure: { $0.poolSize = 3 }) {
                (client: RedisClient) async throws in
                let recorder = LoadRecorder()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<16 {
                        group.addTask {
                            while !recorder.isStopped {
                                do {
                                    try await client.incrby("load:\(worker)", 1)
                                    recorder.succeeded()
                                } catch let error as RedisError {
                                    recorder.failed(error.code)
                                    try await Task.sleep(for: .milliseconds(5))  // paces retries while down
                                }
                            }
                        }
                    }
                    // Each step waits for what the next one needs, however slowly the workers run.
                    try await waitUntil("the load succeeds") { recorder.successes > 0 }
                    await server.kill()
                    try await waitUntil("the kill fails commands") { !recorder.failures.isEmpty }
                    try await server.restart()
                    let beforeRestart = recorder.successes
                    try await waitUntil("the load succeeds after the restart") { recorder.successes > beforeRestart }
                    recorder.stop()
                    try await group.waitForAll()
                }
                let codes = recorder.failures
                #expect(!codes.isEmpty)
                #expect(codes.allSatisfy { $0 == .connectionClosed || $0 == .connectionFailed })
                #expect(recorder.successes > 0)
                let value = try await eventually { try await client.incrby("after-restart", 1) }
                #expect(value == 1)
            }
        }
    }

    @Test("SCRIPT FLUSH then a script call: NOSCRIPT is handled by SCRIPT LOAD and one retry")
    func scriptAfterFlush() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let script = RedisScript("return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}")
                let key = RedisArgument("authkit-test:script:\(UInt64.random(in: 0...UInt64.max))")
                let first = try await client.eval(script, keys: [key], arguments: ["2"])
                #expect(first.array?.last == .integer(2))
                try await client.send("SCRIPT", "FLUSH")
                #expect(try await client.send("SCRIPT", "EXISTS", RedisArgument(script.sha1)) == .array([.integer(0)]))
                let second = try await client.eval(script, keys: [key], arguments: ["3"])
                #expect(second.array?.last == .integer(5))
                let failing = RedisScript("return redis.error_reply('MYERR custom')")
                await #expect {
                    try await client.eval(failing)
                } throws: { error in
                    (error as? RedisError)?.serverErrorPrefix == "MYERR"
                }
                try await client.del([key])
            }
        }
    }

    @Test("pub/sub delivers messages and resubscribes after the server restarts")
    func pubSubAcrossReconnect() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                let subscription = try await client.subscribe(["news", "alerts"])
                var iterator = subscription.makeAsyncIterator()
                #expect(try await client.publish("news", message: "one") == 1)
                #expect(await iterator.next() == RedisPubSubMessage(channel: "news", payload: Array("one".utf8)))

                await server.kill()
                try await server.restart()
                let receivers = try await eventually {
                    let count = try await client.publish("alerts", message: "two")
                    guard count == 1 else { throw RedisError(.connectionFailed, "not resubscribed yet") }
                    return count
                }
                #expect(receivers == 1)
                #expect(await iterator.next() == RedisPubSubMessage(channel: "alerts", payload: Array("two".utf8)))
            }
        }
    }

    @Test("a subscription made without resubscribe ends when its connection is lost, and does not come back")
    func pubSubEndsWithoutResubscribe() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                let subscription = try await client.subscribe(["gap"], resubscribe: false)
                var iterator = subscription.makeAsyncIterator()
                #expect(try await client.publish("gap", message: "one") == 1)
                #expect(await iterator.next()?.text == "one")
                try await client.send("CLIENT", "KILL", "TYPE", "pubsub")
                #expect(await iterator.next() == nil)
                #expect(try await pubSubClientIDs(client).isEmpty)
            }
        }
    }

    @Test("dropping a subscription unsubscribes and closes its connection")
    func subscriptionDropped() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(url: server.url) { (client: RedisClient) async throws in
                var subscription: RedisSubscription? = try await client.subscribe(["dropped"])
                #expect(subscription != nil)
                #expect(try await pubSubClientIDs(client).count == 1)
                subscription = nil
                let remaining = try await eventually {
                    let ids = try await pubSubClientIDs(client)
                    guard ids.isEmpty else { throw RedisError(.connectionFailed, "still subscribed") }
                    return ids
                }
                #expect(remaining.isEmpty)
            }
        }
    }

    @Test("a hung server is noticed on a subscription by its health check, which moves to a new connection")
    func pubSubHealthCheck() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            // Through a proxy, so the test sees the subscription's new connection arrive while the server is frozen.
            let proxy = try FaultProxy.start(upstreamPort: server.port)
            try await withClient(
                url: "redis://127.0.0.1:\(proxy.port)",
                configure: {
                    $0.commandTimeout = .milliseconds(300)
                    $0.subscriptionHealthCheckInterval = .milliseconds(100)
                }
            ) { (client: RedisClient) async throws in
                let subscription = try await eventually { try await client.subscribe(["health"]) }
                var iterator = subscription.makeAsyncIterator()
                let before = try await eventually { try await pubSubClientIDs(client) }
                #expect(before.count == 1)
                let accepted = proxy.acceptedConnections
                server.pause()
                // The health check's PING times out, and the subscription opens a new connection.
                try await waitUntil("the subscription reconnects") { proxy.acceptedConnections > accepted }
                server.resume()
                // Wait until the server has dropped the old connection and the new one has subscribed.
                let after = try await eventually {
                    let ids = try await pubSubClientIDs(client)
                    guard ids.count == 1, ids != before else {
                        throw RedisError(.connectionFailed, "not resubscribed yet")
                    }
                    return ids
                }
                #expect(after != before)
                #expect(try await client.publish("health", message: "alive") == 1)
                #expect(await iterator.next()?.text == "alive")
            }
            await proxy.stop()
        }
    }

    @Test("a reply above the caps fails its own command only; the connection carries on")
    func replyCaps() async throws {
        try await withCappedClient { (client: RedisClient, key: RedisArgument) async throws in
            let list = RedisArgument("authkit-test:biglist:\(UInt64.random(in: 0...UInt64.max))")
            try await client.send(["RPUSH", list] + (0..<20).map { RedisArgument($0) })
            let connection = try await client.send("CLIENT", "ID")
            #expect(await errorCode { _ = try await client.get(key) } == .replyTooLarge)
            #expect(await errorCode { try await client.send("LRANGE", list, "0", "-1") } == .replyTooLarge)
            #expect(try await client.send("LRANGE", list, "0", "4").array?.count == 5)
            #expect(try await client.send("CLIENT", "ID") == connection, "the connection was not replaced")
            try await client.del([key, list])
        }
    }

    /// The caps count a whole reply, nested arrays and every bulk string of it together: a reply made of many
    /// values each under a cap is as large as one value above it.
    @Test("the caps are cumulative over the whole reply")
    func capsAreCumulative() async throws {
        try await withCappedClient { (client: RedisClient, key: RedisArgument) async throws in
            let nested = RedisScript("return {{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}}")
            #expect(await errorCode { try await client.eval(nested) } == .replyTooLarge, "14 elements in all")
            let part = [UInt8](repeating: 2, count: 600)
            let keys = (0..<3).map { RedisArgument("authkit-test:part\($0):\(UInt64.random(in: 0...UInt64.max))") }
            for name in keys {
                try await client.set(name, value: RedisArgument(part))
            }
            #expect(await errorCode { try await client.send(["MGET"] + keys) } == .replyTooLarge, "1,800 bytes in all")
            #expect(try await client.send(["MGET"] + keys.prefix(1)).array?.count == 1)
            try await client.del(keys + [key])
        }
    }

    /// Callers share pooled connections: one caller's reply above the caps must fail that caller only, never the
    /// commands of others in flight on the same connection (one slot, eight callers, many rounds).
    @Test("a reply above the caps never fails the commands of others on the same connection")
    func oversizedReplyFailsOnlyItsCaller() async throws {
        try await withCappedClient { (client: RedisClient, key: RedisArgument) async throws in
            let connection = try await client.send("CLIENT", "ID")
            let failures = await withTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask { await Self.sharedConnectionRounds(client, worker: worker, bigKey: key) }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            let failed = failures.count
            #expect(failed == 0, "first failures: \(failures.prefix(3))")
            #expect(try await client.send("CLIENT", "ID") == connection, "the connection was not replaced")
            try await client.del([key])
        }
    }

    /// Fifty commands of one caller: worker 0 reads the oversized key (which must fail as too large), the others
    /// echo payloads of their own (which must come back). Returns what went wrong.
    private static func sharedConnectionRounds(
        _ client: RedisClient,
        worker: Int,
        bigKey: RedisArgument
    ) async
        -> [String]
    {
        var failures: [String] = []
        for round in 0..<50 {
            if worker == 0 {
                let code = await errorCode { _ = try await client.get(bigKey) }
                if code != .replyTooLarge { failures.append("GET: \(String(describing: code))") }
                continue
            }
            let payload = "w\(worker)-\(round)"
            do {
                let reply = try await client.send("ECHO", RedisArgument(payload))
                if reply.string != payload { failures.append("\(payload): \(reply)") }
            } catch {
                failures.append("\(payload): \(error)")
            }
        }
        return failures
    }

    @Test("blocking commands use a dedicated connection and do not hold up others")
    func blockingCommand() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url, configure: { $0.poolSize = 1 }) { (client: RedisClient) async throws in
                let list = RedisArgument("authkit-test:blpop:\(UInt64.random(in: 0...UInt64.max))")
                let popped = Task { try await client.send("BLPOP", list, "0") }
                try await waitUntil("BLPOP blocks") {
                    let info = try await client.info("clients")
                    return !info.contains("blocked_clients:0") && info.contains("blocked_clients:")
                }
                // On the blocked connection PING would wait for the BLPOP, which waits for the RPUSH after it.
                #expect(try await client.ping() == "PONG")
                #expect(try await client.send("RPUSH", list, "x") == .integer(1))
                #expect(try await popped.value == .array([.bulk(list.bytes), .bulk(Array("x".utf8))]))
            }
        }
    }

    @Test("shutdown fails in-flight and later commands with poolShutdown")
    func shutdown() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            let metrics = TestMetrics()
            let client = RedisClient(configuration: try RedisConfiguration(url: server.url), metricsFactory: metrics)
            try await client.ping()
            // The server sleeps far longer than any wait for the command to be in flight, however slow a sanitizer
            // run is: it is still in flight when the client shuts down (shutdown fails it at once).
            async let sleeping = errorCode {
                try await client.send("DEBUG", "SLEEP", RedisArgument(5 * TestTiming.scale))
            }
            try await waitUntilInFlight(1, metrics)
            await client.shutdown()
            #expect(await sleeping == .poolShutdown)
            #expect(await errorCode { try await client.ping() } == .poolShutdown)
        }
    }

    @Test("run() serves until its task is cancelled, then shuts the client down")
    func runAsService() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            let client = try RedisClient(url: server.url)
            let service = Task { try await client.run() }
            #expect(try await client.ping() == "PONG")
            service.cancel()
            try await service.value
            #expect(await errorCode { try await client.ping() } == .poolShutdown)
        }
    }

    @Test("a black-holed server (connection accepted, never answered): commands fail by their deadline")
    func blackHole() async throws {
        let silent = try ClosedPort(listen: true)
        let shortDeadline: (inout RedisConfiguration) -> Void = { $0.commandTimeout = .milliseconds(200) }
        try await withClient(url: "redis://127.0.0.1:\(silent.port)", configure: shortDeadline) {
            (client: RedisClient) async throws in
            let start = ContinuousClock.now
            let codes = await withTaskGroup(of: RedisError.Code?.self) { group in
                for _ in 0..<10 {
                    group.addTask { await errorCode { try await client.ping() } }
                }
                var codes: [RedisError.Code?] = []
                for await code in group {
                    codes.append(code)
                }
                return codes
            }
            // A hang would never end; the margin over the 200 ms deadline is for a loaded CI machine.
            #expect(ContinuousClock.now - start < TestTiming.scaled(.seconds(4)))
            #expect(codes.count == 10)
            #expect(codes.contains(.timeout))
            #expect(codes.allSatisfy { $0 == .timeout || $0 == .connectionClosed })
        }
    }

    @Test("missing server: connection errors, not hangs")
    func noServer() async throws {
        // A bound socket that never listens refuses connections, and no other test can take its port meanwhile.
        let closedPort = try ClosedPort()
        try await withClient(url: "redis://127.0.0.1:\(closedPort.port)") { (client: RedisClient) async throws in
            #expect(await errorCode { try await client.ping() } == .connectionFailed)
            #expect(await errorCode { try await client.ping() } == .connectionFailed)
        }
    }
}
