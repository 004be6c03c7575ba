import BenchSupport
import Benchmark
import Synchronization

/// The fixtures of one algorithm: AuthKit's signer and verifier, jwt-kit's key collection with the same key,
/// and a token signed by each.
struct Fixture: Sendable {
    let authKit: AuthKitJWT
    let jwtKit: JWTKitJWT
    let authKitToken: String
    let jwtKitToken: String

    init(_ algorithm: BenchAlgorithm) async throws {
        authKit = try AuthKitJWT(algorithm)
        jwtKit = try await JWTKitJWT(algorithm, pem: try authKit.privatePEM())
        authKitToken = try authKit.sign(AuthKitJWT.claims())
        jwtKitToken = try await jwtKit.sign()
    }
}

/// Fixtures built once per algorithm in a setup hook (key generation is not what is measured).
let fixtures = Mutex<[BenchAlgorithm: Fixture]>([:])

func fixture(_ algorithm: BenchAlgorithm) throws -> Fixture {
    guard let found = fixtures.withLock({ $0[algorithm] }) else {
        throw FixtureMissing()
    }
    return found
}

struct FixtureMissing: Error {}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    for algorithm in BenchAlgorithm.allCases {
        let setup: @Sendable () async throws -> Void = {
            if fixtures.withLock({ $0[algorithm] }) != nil { return }
            let built = try await Fixture(algorithm)
            fixtures.withLock { $0[algorithm] = built }
        }
        let claims = AuthKitJWT.claims()
        Benchmark("\(algorithm.rawValue) sign AuthKit") { benchmark in
            let jwt = try fixture(algorithm).authKit
            for _ in benchmark.scaledIterations { blackHole(try jwt.sign(claims)) }
        } setup: {
            try await setup()
        }
        Benchmark("\(algorithm.rawValue) sign jwt-kit") { benchmark in
            let jwt = try fixture(algorithm).jwtKit
            for _ in benchmark.scaledIterations { blackHole(try await jwt.sign()) }
        } setup: {
            try await setup()
        }
        Benchmark("\(algorithm.rawValue) verify+claims AuthKit") { benchmark in
            let found = try fixture(algorithm)
            for _ in benchmark.scaledIterations { blackHole(try found.authKit.verify(found.authKitToken)) }
        } setup: {
            try await setup()
        }
        Benchmark("\(algorithm.rawValue) verify+claims jwt-kit") { benchmark in
            let found = try fixture(algorithm)
            for _ in benchmark.scaledIterations { blackHole(try await found.jwtKit.verify(found.jwtKitToken)) }
        } setup: {
            try await setup()
        }
    }

    for (name, token) in HostileTokens.all {
        Benchmark("refuse 8 KiB \(name) AuthKit") { benchmark in
            let jwt = try fixture(.hs256).authKit
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try jwt.verify(token))
                    throw HostileTokenAccepted()
                } catch is HostileTokenAccepted {
                    throw HostileTokenAccepted()
                } catch {
                    blackHole(error)
                }
            }
        } setup: {
            if fixtures.withLock({ $0[.hs256] }) != nil { return }
            let built = try await Fixture(.hs256)
            fixtures.withLock { $0[.hs256] = built }
        }
    }
}

struct HostileTokenAccepted: Error {}
