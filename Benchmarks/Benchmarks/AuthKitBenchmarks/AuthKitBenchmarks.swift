import AuthKit
import AuthKitClock
import Benchmark
import JWTCore
import Synchronization
import TokenStore

/// An AuthKit instance on the in-memory store and a live access token, built once in a setup hook.
struct Fixture: Sendable {
    let auth: AuthKit
    let token: String
    let bearer: String

    init() async throws {
        let key = try JWTKey.hs256(Array("authkit-bench-hmac-secret-32-by!".utf8), kid: "bench")
        auth = try await AuthKit(
            configuration: AuthKitConfiguration(issuer: "https://api.example.com", audience: "api", signingKeys: [key])
        )
        token = try await auth.login(userID: "bench-user").accessToken
        bearer = "Bearer " + token
    }
}

let fixture = Mutex<Fixture?>(nil)

struct FixtureMissing: Error {}

func makeFixture() async throws {
    if fixture.withLock({ $0 }) != nil { return }
    let built = try await Fixture()
    fixture.withLock { $0 = built }
}

func currentFixture() throws -> Fixture {
    guard let found = fixture.withLock({ $0 }) else { throw FixtureMissing() }
    return found
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    Benchmark("authenticate in-memory (HS256)") { benchmark in
        let found = try currentFixture()
        for _ in benchmark.scaledIterations { blackHole(try await found.auth.authenticate(token: found.token)) }
    } setup: {
        try await makeFixture()
    }

    Benchmark("authenticate bearer in-memory (HS256)") { benchmark in
        let found = try currentFixture()
        for _ in benchmark.scaledIterations { blackHole(try await found.auth.authenticate(bearer: found.bearer)) }
    } setup: {
        try await makeFixture()
    }

    // One iteration denylists a million tokens; the peak resident memory of this benchmark is the figure.
    Benchmark(
        "in-memory denylist of 1,000,000 tokens",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .peakMemoryResidentDelta],
            warmupIterations: 0,
            maxDuration: .seconds(60),
            maxIterations: 1
        )
    ) { benchmark in
        let store = InMemoryTokenStore()
        let expiresAt = TimeSource.system.now() + .seconds(3600)
        for index in 0..<1_000_000 {
            let text = String(index, radix: 36)
            let jti = String(repeating: "0", count: 22 - text.count) + text
            blackHole(try await store.revoke(jti: jti, userID: "user-\(index % 100_000)", expiresAt: expiresAt))
        }
        blackHole(store)
    }
}
