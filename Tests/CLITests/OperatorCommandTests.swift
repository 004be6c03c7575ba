import AuthKitRedis
import AuthKitTesting
import Foundation
import RedisClient
import Testing
import TokenStore

/// The operator commands of `authkit` against a real `redis-server` the test starts.
@Suite("authkit CLI: operator commands on Redis")
struct OperatorCommandTests {
    private func withServer(_ body: (_ url: String) async throws -> Void) async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        try await body(server.url)
    }

    private func json(_ line: Substring) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// `--timeout` for every command on a store: the commands' deadlines are not what these tests measure, and a
    /// CLI under a sanitizer on a loaded machine once missed the default 2 s behind Sentinel.
    private static let timeout = ["--timeout", "\(TestTiming.scaled(.seconds(10)) / .seconds(1))"]

    /// The fixed window's number (hours since the epoch) at this moment.
    private static func currentWindow() -> Int { Int(Date().timeIntervalSince1970) / 3600 }

    @Test func rateLimitCheckStatusReset() async throws {
        try await withServer { url in
            let policy = ["--limit", "2", "--window", "3600"] + Self.timeout
            // The fixed window turns on the hour: when the hour turned during a sequence (CI once ran it at
            // 20:00:06), its counts legitimately restarted, so it runs once more, on a fresh key.
            for attempt in 0..<2 {
                let key = "api:42-\(attempt)"
                let window = Self.currentWindow()
                var results: [(allowed: CLIRunner.Result, remaining: Int)] = []
                for expectedRemaining in [1, 0] {
                    results.append(
                        (
                            try await CLIRunner.run(["ratelimit", "check", "--redis", url, key] + policy),
                            expectedRemaining
                        )
                    )
                }
                let refused = try await CLIRunner.run(["ratelimit", "check", "--redis", url, key] + policy)
                let status = try await CLIRunner.run(["ratelimit", "status", "--redis", url, key] + policy)
                if Self.currentWindow() != window && attempt == 0 {
                    continue
                }
                for (allowed, expectedRemaining) in results {
                    #expect(allowed.status == 0, "\(allowed.stderr)")
                    let decision = try json(Substring(allowed.stdout.trimmingCharacters(in: .newlines)))
                    #expect(decision["allowed"] as? Bool == true)
                    #expect(decision["remaining"] as? Int == expectedRemaining)
                    #expect(decision["source"] as? String == "store")
                }
                #expect(refused.status == 1)
                #expect(
                    try json(Substring(refused.stdout.trimmingCharacters(in: .newlines)))["allowed"] as? Bool == false
                )
                #expect(status.status == 0)
                #expect(
                    try json(Substring(status.stdout.trimmingCharacters(in: .newlines)))["remaining"] as? Int == 0
                )

                let reset = try await CLIRunner.run(["ratelimit", "reset", "--redis", url, key] + Self.timeout)
                #expect(reset.status == 0)
                let again = try await CLIRunner.run(["ratelimit", "check", "--redis", url, key] + policy)
                #expect(again.status == 0)
                break
            }

            let gcra = try await CLIRunner.run(
                ["ratelimit", "check", "--redis", url, "api:7", "--algorithm", "gcra", "--burst", "1"] + policy
            )
            #expect(gcra.status == 0, "\(gcra.stderr)")
            let unknown = try await CLIRunner.run(
                ["ratelimit", "check", "--redis", url, "k", "--algorithm", "leaky"] + policy
            )
            #expect(unknown.status == 2)
        }
    }

    /// A store URL of each topology: a server, the shared test cluster, a Sentinel deployment.
    private func withStore(_ topology: String, _ body: (_ url: String) async throws -> Void) async throws {
        switch topology {
        case "cluster":
            try await body(try await RedisTestCluster.shared().url)
        case "sentinel":
            let deployment = try await RedisTestSentinel.start()
            defer { deployment.terminate() }
            try await body(deployment.url)
        default:
            try await withServer(body)
        }
    }

    @Test(
        "sessions list, revoke and revoke-all on a server, a cluster and behind Sentinel",
        arguments: ["server", "cluster", "sentinel"]
    )
    func sessionsListRevokeAndRevokeAll(topology: String) async throws {
        try await withStore(topology) { url in
            let prefix = "cli-\(UInt32.random(in: 0...UInt32.max)):"
            var configuration = try RedisConfiguration(url: url)
            // Set-up and checks, not what is measured: a loaded machine must not fail them by a deadline.
            configuration.commandTimeout = TestTiming.scaled(.seconds(10))
            let client = RedisClient(configuration: configuration)
            let store = try RedisTokenStore(
                client: client,
                configuration: RedisTokenStoreConfiguration(keyPrefix: prefix)
            )
            let phone = try await store.createSession(NewSession(userID: "alice", device: DeviceInfo(name: "phone")))
            let laptop = try await store.createSession(NewSession(userID: "alice", device: DeviceInfo(name: "laptop")))
            let redis = ["--redis", url, "--prefix", prefix] + Self.timeout

            let listed = try await CLIRunner.run(["sessions", "list"] + redis + ["alice"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n")
            try #require(lines.count == 2, "\(listed.stdout)")
            #expect(try json(lines[0])["id"] as? String == phone.session.id)
            #expect(try json(lines[1])["device"] as? String == "laptop")

            let revoked = try await CLIRunner.run(
                ["sessions", "revoke"] + redis + ["alice", "--session", phone.session.id]
            )
            #expect(revoked.status == 0)
            #expect(try await store.session(userID: "alice", sessionID: phone.session.id) == nil)
            let missing = try await CLIRunner.run(
                ["sessions", "revoke"] + redis + ["alice", "--session", phone.session.id]
            )
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("notFound: "))

            let all = try await CLIRunner.run(["revoke-all"] + redis + ["alice"])
            #expect(all.status == 0)
            #expect(all.stdout.contains("1 session(s) ended"))
            #expect(try await store.session(userID: "alice", sessionID: laptop.session.id) == nil)
            #expect(try await store.epoch(userID: "alice") != nil)

            let limit = try await CLIRunner.run(
                ["ratelimit", "check"] + redis + ["api:\(prefix)", "--limit", "5", "--window", "60"]
            )
            #expect(limit.status == 0, "\(limit.stderr)")
            let permissions = try await CLIRunner.run(["permissions", "invalidate"] + redis + ["--all"])
            #expect(permissions.status == 0, "\(permissions.stderr)")
            await client.shutdown()
        }
    }

    @Test func permissionsInvalidate() async throws {
        try await withServer { url in
            let one = try await CLIRunner.run(["permissions", "invalidate", "--redis", url, "alice"] + Self.timeout)
            let all = try await CLIRunner.run(["permissions", "invalidate", "--redis", url, "--all"] + Self.timeout)
            let neither = try await CLIRunner.run(["permissions", "invalidate", "--redis", url])
            #expect(one.status == 0)
            #expect(one.stdout.contains("alice"))
            #expect(all.status == 0)
            #expect(neither.status == 2)
        }
    }

    @Test func theRedisURLComesFromTheEnvironmentOrAFileAndItsPasswordIsNeverShown() async throws {
        let password = "cli-\(UUID().uuidString)"
        let server = try await RedisTestServer.start(RedisTestServerOptions(password: password))
        defer { server.terminate() }
        let urlVariable = RedisURLSetting.urlVariable
        let fileVariable = RedisURLSetting.urlFileVariable
        let invalidate = ["permissions", "invalidate", "alice"] + Self.timeout

        let fromVariable = try await CLIRunner.run(
            invalidate,
            environment: [urlVariable: server.url, fileVariable: nil]
        )
        #expect(fromVariable.status == 0, "\(fromVariable.stderr)")
        let file = try CLIRunner.temporaryFile(server.url + "\n", name: "redis-url")
        let fromFile = try await CLIRunner.run(invalidate, environment: [urlVariable: nil, fileVariable: file])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let fromFileFlag = try await CLIRunner.run(
            ["permissions", "invalidate", "--redis-file", file, "alice"] + Self.timeout,
            environment: [urlVariable: nil, fileVariable: nil]
        )
        #expect(fromFileFlag.status == 0, "\(fromFileFlag.stderr)")

        // --redis comes first: its unreachable server is used although the variable names a working one.
        let flagFirst = try await CLIRunner.run(
            ["permissions", "invalidate", "--redis", "redis://127.0.0.1:1", "alice"],
            environment: [urlVariable: server.url]
        )
        #expect(flagFirst.status == 1)
        #expect(flagFirst.stderr.hasPrefix("storeUnavailable: "))

        // A wrong password and an invalid URL holding the password: refused, the password never shown.
        let wrongPassword = try await CLIRunner.run(
            invalidate,
            environment: [urlVariable: "redis://:x\(password)@127.0.0.1:\(server.port)", fileVariable: nil]
        )
        #expect(wrongPassword.status == 1)
        let invalid = try await CLIRunner.run(
            invalidate,
            environment: [urlVariable: "redis://:\(password)/x@127.0.0.1:\(server.port)", fileVariable: nil]
        )
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("invalid Redis URL: \(urlVariable): "), "\(invalid.stderr)")
        for result in [fromVariable, fromFile, fromFileFlag, wrongPassword, invalid] {
            #expect(!(result.stdout + result.stderr).contains(password))
        }

        let none = try await CLIRunner.run(invalidate, environment: [urlVariable: nil, fileVariable: nil])
        #expect(none.status != 0)
        #expect(
            none.stderr.contains("no Redis URL: give --redis URL, --redis-file PATH, \(urlVariable) or \(fileVariable)")
        )
        let missingFile = try await CLIRunner.run(
            invalidate,
            environment: [urlVariable: nil, fileVariable: file + ".gone"]
        )
        #expect(missingFile.stderr.contains("\(fileVariable) (file \(file).gone): the file cannot be read"))
    }

    @Test func timeoutMustBePositiveAndAtMostAnHour() async throws {
        for value in ["0", "-1", "3601", "nan"] {
            let result = try await CLIRunner.run(
                ["sessions", "list", "--redis", "redis://127.0.0.1:1", "alice", "--timeout", value]
            )
            #expect(result.status == 2, "--timeout \(value): \(result.stderr)")
            #expect(result.stderr.contains("--timeout"), "\(result.stderr)")
        }
    }

    @Test func anUnreachableStoreIsOneLineAndExitOne() async throws {
        let result = try await CLIRunner.run(["sessions", "list", "--redis", "redis://127.0.0.1:1", "alice"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("storeUnavailable: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let limit = try await CLIRunner.run([
            "ratelimit", "check", "--redis", "redis://127.0.0.1:1", "k", "--limit", "1", "--window", "1",
        ])
        #expect(limit.status == 1)
    }
}
