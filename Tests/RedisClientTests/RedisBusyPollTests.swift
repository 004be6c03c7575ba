import AuthKitTesting
import RedisClient
import Testing

@Suite("RedisConfiguration.busyPoll", .timeLimit(.minutes(1)))
struct RedisBusyPollTests {
    @Test("a busy-polling client answers every caller with its own replies, and still times out")
    func repliesAndTimeoutsWhileBusyPolling() async throws {
        try await withRedisURL { (url: String) async throws in
            // Long enough that the 200 batches and 8 commands, which must succeed, do on a loaded machine.
            let timeout = TestTiming.scaled(.seconds(1))
            let configure: (inout RedisConfiguration) -> Void = {
                $0.busyPoll = .microseconds(500)
                $0.commandTimeout = timeout
            }
            try await withClient(url: url, configure: configure) {
                (client: RedisClient) async throws in
                let base = "authkit-test:busy:\(UInt64.random(in: 0...UInt64.max))"
                for round in 0..<200 {
                    let replies = try await client.pipeline([["SET", "\(base)", "\(round)"], ["GET", "\(base)"]])
                    #expect(replies == [.status("OK"), .bulk(Array("\(round)".utf8))])
                }
                let counted = try await withThrowingTaskGroup(of: Int64.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await client.send("INCR", "\(base):n").integer ?? -1 }
                    }
                    return try await group.reduce(into: [Int64]()) { $0.append($1) }.sorted()
                }
                #expect(counted == Array(1...8))
                // A deadline still fires while the loop spins: DEBUG SLEEP outlasts the command timeout.
                let code = await errorCode {
                    let seconds = timeout / .seconds(1)
                    _ = try await client.send("DEBUG", "SLEEP", RedisArgument("\(3 * seconds)"))
                }
                #expect(code == .timeout)
            }
        }
    }

    @Test("the default polls for up to 100 µs; zero turns it off and is accepted")
    func defaultAndOff() async throws {
        #expect(RedisConfiguration().busyPoll == .microseconds(100))
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url, configure: { $0.busyPoll = .zero }) { (client: RedisClient) async throws in
                #expect(try await client.send("PING") == .status("PONG"))
            }
        }
    }

    @Test("busy polling is refused below zero and above one millisecond")
    func boundsAreChecked() async throws {
        for value: Duration in [.microseconds(-1), .microseconds(1001)] {
            var configuration = RedisConfiguration()
            configuration.busyPoll = value
            let client = RedisClient(configuration: configuration)
            let code = await errorCode { _ = try await client.send("PING") }
            #expect(code == .invalidConfiguration)
            await client.shutdown()
        }
    }
}
