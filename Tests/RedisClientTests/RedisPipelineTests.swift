import AuthKitTesting
import RedisClient
import Testing

@Suite("RedisClient.pipeline", .timeLimit(.minutes(1)))
struct RedisPipelineTests {
    @Test("an empty batch returns no replies")
    func emptyBatch() async throws {
        // No server at all: an empty batch must not touch the network.
        let closedPort = try ClosedPort()
        try await withClient(url: "redis://127.0.0.1:\(closedPort.port)") { (client: RedisClient) async throws in
            #expect(try await client.pipeline([]).isEmpty)
        }
    }

    @Test("many tasks pipelining at once on a small pool each get their own replies, in command order")
    func orderUnderConcurrency() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url, configure: { $0.poolSize = 2 }) { (client: RedisClient) async throws in
                let base = "authkit-test:pipe:\(UInt64.random(in: 0...UInt64.max))"
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<48 {
                        group.addTask {
                            var mismatches = 0
                            for round in 0..<25 {
                                let key = RedisArgument("\(base):\(task)")
                                let tag = "\(task)/\(round)"
                                let replies = try await client.pipeline([
                                    ["SET", key, RedisArgument(tag)],
                                    ["ECHO", RedisArgument("echo \(tag)")],
                                    ["INCR", RedisArgument("\(base):count:\(task)")],
                                    ["GET", key],
                                ])
                                let expected: [RedisReply] = [
                                    .status("OK"), .bulk(Array("echo \(tag)".utf8)), .integer(Int64(round + 1)),
                                    .bulk(Array(tag.utf8)),
                                ]
                                if replies != expected {
                                    mismatches += 1
                                }
                            }
                            return mismatches
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0)
            }
        }
    }

    @Test("an error reply in the middle is returned in its place; the other commands still run")
    func errorReplyInPlace() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let key = RedisArgument("authkit-test:pipe-error:\(UInt64.random(in: 0...UInt64.max))")
                let replies = try await client.pipeline([
                    ["SET", key, "text"],
                    ["INCR", key],
                    ["GET", key],
                    ["DEL", key],
                ])
                #expect(replies.count == 4)
                #expect(replies[0] == .status("OK"))
                #expect(replies[1].errorMessage?.hasPrefix("ERR") == true)
                #expect(replies[2] == .bulk(Array("text".utf8)))
                #expect(replies[3] == .integer(1))
            }
        }
    }

    @Test("a blocking command is refused before anything is sent")
    func blockingRefused() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let key = RedisArgument("authkit-test:pipe-blocking:\(UInt64.random(in: 0...UInt64.max))")
                let error = await #expect(throws: RedisError.self) {
                    _ = try await client.pipeline([["SET", key, "1"], ["BLPOP", "authkit-test:empty-list", "1"]])
                }
                #expect(error?.code == .invalidCommand)
                #expect(error?.message.contains("BLPOP") == true)
                #expect(try await client.get(key) == nil)
            }
        }
    }

    @Test("a reply late past the deadline fails the whole batch once with timeout; the next batch is clean")
    func timeout() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            try await withClient(
                url: server.url,
                configure: {
                    $0.commandTimeout = .milliseconds(300)
                    $0.poolSize = 1
                }
            ) { (client: RedisClient) async throws in
                _ = try await eventually { try await client.ping() }
                let sleep = 1 * TestTiming.scale
                let code = await errorCode {
                    _ = try await client.pipeline([
                        ["ECHO", "before"], ["DEBUG", "SLEEP", RedisArgument(sleep)], ["ECHO", "after"],
                    ])
                }
                #expect(code == .timeout)
                // The late replies of the timed-out batch must never reach this one.
                let replies = try await eventually { try await client.pipeline([["ECHO", "a"], ["ECHO", "b"]]) }
                #expect(replies == [.bulk(Array("a".utf8)), .bulk(Array("b".utf8))])
            }
        }
    }

    @Test("a black-holed connection: concurrent batches fail by their deadline, each exactly once")
    func blackHole() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            let proxy = try FaultProxy.start(upstreamPort: server.port)
            try await withClient(
                url: "redis://127.0.0.1:\(proxy.port)",
                configure: { $0.commandTimeout = .milliseconds(200) }
            ) { (client: RedisClient) async throws in
                _ = try await eventually { try await client.ping() }
                // Bytes the proxy reads from now on are held, however late its threads run.
                proxy.mode = .blackHole
                let codes = await withTaskGroup(of: RedisError.Code?.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            await errorCode { _ = try await client.pipeline([["PING"], ["PING"], ["PING"]]) }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(codes.count == 8)
                #expect(codes.contains(.timeout))
                #expect(codes.allSatisfy { $0 == .timeout || $0 == .connectionClosed }, "\(codes)")
                proxy.mode = .pass
                let replies = try await eventually { try await client.pipeline([["ECHO", "back"]]) }
                #expect(replies == [.bulk(Array("back".utf8))])
            }
            await proxy.stop()
        }
    }

    @Test("a connection reset while a batch waits fails it once with connectionClosed; the pool reconnects")
    func connectionDrop() async throws {
        try await withRedisServer { (server: RedisTestServer) async throws in
            let proxy = try FaultProxy.start(upstreamPort: server.port)
            try await withClient(url: "redis://127.0.0.1:\(proxy.port)") { (client: RedisClient) async throws in
                try await client.ping()
                // Held by the proxy for longer than any test, so the batch is surely waiting when the connection is
                // reset: the reset comes once the proxy has read it.
                proxy.mode = .latency(.seconds(3600))
                let received = proxy.bytesReceivedFromClients
                async let code = errorCode { _ = try await client.pipeline([["PING"], ["ECHO", "x"], ["PING"]]) }
                try await waitUntil("the batch reaches the proxy") { proxy.bytesReceivedFromClients > received }
                proxy.mode = .reset
                let failure = await code
                #expect(failure == .connectionClosed, "\(String(describing: failure))")
                proxy.mode = .pass
                let replies = try await eventually { try await client.pipeline([["ECHO", "again"], ["PING"]]) }
                #expect(replies == [.bulk(Array("again".utf8)), .status("PONG")])
            }
            await proxy.stop()
        }
    }
}
