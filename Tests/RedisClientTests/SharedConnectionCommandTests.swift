import AuthKitTesting
import RedisClient
import Testing

/// Commands that would change a pooled connection for every caller after them are refused before anything is
/// written; a whole transaction in one pipeline is accepted and cannot interleave with other callers.
@Suite("Commands that change a shared connection", .timeLimit(.minutes(1)))
struct SharedConnectionCommandTests {
    static let refused: [[RedisArgument]] = [
        ["SUBSCRIBE", "news"], ["psubscribe", "news.*"], ["SSUBSCRIBE", "news"], ["UNSUBSCRIBE"],
        ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"], ["MONITOR"], ["SELECT", "1"], ["Select", "0"], ["AUTH", "secret"],
        ["HELLO", "3"], ["RESET"], ["QUIT"], ["WATCH", "k"], ["UNWATCH"], ["MULTI"], ["EXEC"], ["DISCARD"],
        ["CLIENT", "REPLY", "OFF"], ["client", "reply", "skip"],
    ]

    @Test("send refuses each of them, says what to use instead, and the client goes on unchanged")
    func sendRefuses() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url, configure: { $0.poolSize = 1 }) { (client: RedisClient) async throws in
                let key = RedisArgument("authkit-test:shared:\(UInt64.random(in: 0...UInt64.max))")
                try await client.send("SET", key, "before")
                for command in Self.refused {
                    do {
                        _ = try await client.send(command)
                        Issue.record("\(command) was sent")
                    } catch let error as RedisError {
                        #expect(error.code == .invalidCommand, "\(command): \(error)")
                        #expect(error.message.contains("shared connection") || error.message.contains("pipeline"))
                    }
                }
                // Still the same database and user, in request-reply mode, with every reply for its own caller.
                #expect(try await client.send("GET", key) == .bulk(Array("before".utf8)))
                #expect(try await client.send("CLIENT", "INFO").string?.contains(" db=0 ") == true)
                #expect(try await client.send("ECHO", "mine") == .bulk(Array("mine".utf8)))
                // CLIENT subcommands other than REPLY pass.
                #expect(try await client.send("CLIENT", "GETNAME") == .null)
            }
        }
    }

    @Test("a whole MULTI … EXEC or DISCARD in one pipeline runs; an unclosed or unopened one is refused unsent")
    func transactionsInAPipeline() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let base = "authkit-test:tx:\(UInt64.random(in: 0...UInt64.max))"
                let counter = RedisArgument("\(base):n")
                let replies = try await client.pipeline([["MULTI"], ["INCR", counter], ["INCR", counter], ["EXEC"]])
                let executed: [RedisReply] = [
                    .status("OK"), .status("QUEUED"), .status("QUEUED"), .array([.integer(1), .integer(2)]),
                ]
                #expect(replies == executed)
                let discarded = try await client.pipeline([
                    ["multi"], ["INCR", counter], ["discard"], ["GET", counter],
                ])
                #expect(discarded == [.status("OK"), .status("QUEUED"), .status("OK"), .bulk(Array("2".utf8))])

                let marker = RedisArgument("\(base):marker")
                let refusedBatches: [[[RedisArgument]]] = [
                    [["SET", marker, "1"], ["MULTI"], ["INCR", counter]],
                    [["SET", marker, "1"], ["EXEC"]],
                    [["SET", marker, "1"], ["MULTI"], ["MULTI"], ["EXEC"]],
                    [["SET", marker, "1"], ["SUBSCRIBE", "news"]],
                    [["MULTI"], ["SET", marker, "1"], ["SELECT", "2"], ["EXEC"]],
                ]
                for batch in refusedBatches {
                    let code = await errorCode { _ = try await client.pipeline(batch) }
                    #expect(code == .invalidCommand, "\(batch)")
                }
                // Refused before anything was written: the marker was never set, the counter not touched.
                #expect(try await client.send("EXISTS", marker) == .integer(0))
                #expect(try await client.send("GET", counter) == .bulk(Array("2".utf8)))
            }
        }
    }

    @Test("transactions pipelined on one connection beside other callers stay atomic and answer their own callers")
    func transactionsBesideOtherCallers() async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url, configure: { $0.poolSize = 1 }) { (client: RedisClient) async throws in
                let base = "authkit-test:txmix:\(UInt64.random(in: 0...UInt64.max))"
                let counter = RedisArgument("\(base):n")
                let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0..<16 {
                        group.addTask {
                            var failures = 0
                            for round in 0..<20 {
                                if task % 2 == 0 {
                                    let replies = try await client.pipeline([
                                        ["MULTI"], ["INCR", counter], ["INCR", counter], ["EXEC"],
                                    ])
                                    guard case .array(let pair) = replies.last, pair.count == 2,
                                        case .integer(let first) = pair[0], pair[1] == .integer(first + 1)
                                    else {
                                        failures += 1
                                        continue
                                    }
                                } else {
                                    let tag = RedisArgument("\(task)/\(round)")
                                    if try await client.send("ECHO", tag) != .bulk(Array("\(task)/\(round)".utf8)) {
                                        failures += 1
                                    }
                                }
                            }
                            return failures
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(failures == 0)
                #expect(try await client.send("GET", counter) == .bulk(Array("320".utf8)))
            }
        }
    }
}
