import AuthKitRedis
import AuthKitTesting
import Foundation
import Testing

/// The `authkit-demo` tour, run as a user runs it, in memory and against Redis.
@Suite("authkit-demo tour")
struct DemoTests {
    static let demo = CLIRunner.built("authkit-demo")

    /// The verdicts the tour must print, in order: a change in behaviour shows up here.
    static let milestones = [
        "✓ authenticated user alice",
        "✓ new access token",
        "✗ refused: refreshTokenReused",
        "✗ refused: sessionEnded",
        "✗ refused: tokenRevoked",
        "log out everywhere ended 1 session(s)",
        "✓ a fresh login works at once",
        "✓ orders service accepted alice's token",
        "✗ refused: invalidToken — invalidAudience",
        "✗ orders service refused: tokenRevoked",
        "the JWKS now lists demo-2026-11, demo-2026-12; nothing signs with it yet",
        "new tokens are signed by demo-2026-12",
        "✓ orders service accepted a token signed by demo-2026-12",
        "✓ a token signed by demo-2026-11 before the rotation still verifies",
        "(loader calls: 1)",
        "orders:refund allowed? true (loader calls: 1)",
        "✗ refused: forbidden",
        "attempt 5: allowed",
        "attempt 6: REFUSED",
        "Retry-After:",
        "• refreshTokenReuse user=alice",
        "• rateLimitExceeded key=login:alice",
    ]

    private func expectMilestones(_ transcript: String) {
        var rest = Substring(transcript)
        for milestone in Self.milestones {
            guard let range = rest.range(of: milestone) else {
                Issue.record("the transcript lacks, or has out of order: \(milestone)\n\(transcript)")
                return
            }
            rest = rest[range.upperBound...]
        }
    }

    @Test func inMemory() async throws {
        let result = try await CLIRunner.run([], environment: Self.noRedisURL, executable: Self.demo)
        #expect(result.status == 0, "\(result.stderr)")
        expectMilestones(result.stdout)
        #expect(!result.stdout.contains("unexpectedly succeeded"))
    }

    @Test func againstRedisListsItsKeysWithTTLs() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        let result = try await CLIRunner.run(["--redis", server.url], executable: Self.demo)
        #expect(result.status == 0, "\(result.stderr)")
        expectMilestones(result.stdout)
        #expect(result.stdout.contains("== Keys the tour wrote in Redis"))
        #expect(result.stdout.contains(":{u:alice}:sessions"))
        #expect(result.stdout.contains("rl:{login%3Aalice}"))
        #expect(!result.stdout.contains("NO TTL"))
    }

    /// The environment without a Redis URL (a test run may point its own tests at a server with one).
    static let noRedisURL: [String: String?] = [RedisURLSetting.urlVariable: nil, RedisURLSetting.urlFileVariable: nil]

    @Test func takesTheRedisURLFromTheEnvironmentAndShowsItWithoutItsPassword() async throws {
        let password = "demo-\(UUID().uuidString)"
        let server = try await RedisTestServer.start(RedisTestServerOptions(password: password))
        defer { server.terminate() }
        let result = try await CLIRunner.run(
            [],
            environment: [RedisURLSetting.urlVariable: server.url, RedisURLSetting.urlFileVariable: nil],
            executable: Self.demo
        )
        #expect(result.status == 0, "\(result.stderr)")
        expectMilestones(result.stdout)
        #expect(
            result.stdout.contains(
                "(state in Redis at redis://:***@127.0.0.1:\(server.port)/0 (from AUTHKIT_REDIS_URL))"
            )
        )
        #expect(result.stdout.contains("== Keys the tour wrote in Redis"))
        #expect(!(result.stdout + result.stderr).contains(password))
    }

    @Test func againstAClusterListsItsKeys() async throws {
        let cluster = try await RedisTestCluster.start(RedisTestClusterOptions(replicasPerPrimary: 0))
        defer { cluster.terminate() }
        let result = try await CLIRunner.run(["--redis", cluster.url], executable: Self.demo)
        #expect(result.status == 0, "\(result.stderr)")
        expectMilestones(result.stdout)
        let keys = result.stdout.split(separator: "\n").filter { $0.contains("ttl ") }
        #expect(keys.contains { $0.contains(":{u:alice}:sessions") })
        #expect(keys.contains { $0.contains("rl:{login%3Aalice}") })
        #expect(!result.stdout.contains("NO TTL"))
        // Every key a primary still holds was listed (keys only expire after the tour), whichever primary holds it.
        let listed = Set(keys.compactMap { $0.split(separator: " ").first.map(String.init) })
        for port in try await cluster.primaryPorts() {
            let stored = try await cluster.cli(port: port, ["--scan"]).split(separator: "\n").map(String.init)
            #expect(Set(stored).isSubset(of: listed), "keys of the primary on \(port) not listed: \(stored)")
        }
    }
}
