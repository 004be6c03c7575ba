/// `mirror-interleaved`: `authenticate --mirror` and `jwt-verify --alg HS256` in one process, on one task, in
/// alternating batches, each batch timed on its own.
///
/// The ratio of the two is the mirror group's headline figure, which `bench.py` measures as two processes run one
/// after the other. On this shared machine the speed of the whole machine drifts by a quarter within seconds, so those
/// rounds scatter (from 0.52 to 1.05 in one run). Batches of a few tens of milliseconds, alternating, see the same
/// machine: this ratio moves by about a hundredth from run to run, and is reported beside the headline, not instead
/// of it.
///
/// Both operations never suspend (the mirror answers without an `await`, and verification is synchronous), so at
/// `--concurrency 1` a batch's wall time is its thread's CPU time. With more workers, each batch is shared among that
/// many tasks on Swift's pool, as `authenticate` and `jwt-verify` run at that concurrency, and its wall time is that of
/// the machine's cores working on it: the same for both operations.
enum MirrorInterleavedScenario {
    /// Operations per batch.
    static let batch = 20_000
    /// Rounds that warm caches and the allocator, not counted.
    static let warmUp = 5
    /// Rounds counted.
    static let rounds = 50

    static func run(options: BenchmarkOptions) async throws -> String {
        var authenticate = options
        authenticate.scenario = "authenticate"
        authenticate.mirror = true
        let setup = try await AuthenticateScenario.setUp(options: authenticate)
        var verify = options
        verify.scenario = "jwt-verify"
        verify.jwtAlgorithm = "HS256"
        verify.implementation = "authkit"
        let jwtVerify = try await JWTScenario.operation(options: verify)
        var authenticateNanoseconds: Int64 = 0
        var verifyNanoseconds: Int64 = 0
        var ratios: [Double] = []
        let workers = options.concurrency
        for round in 0..<(warmUp + rounds) {
            let authenticateTime = try await timed(setup.operation, workers: workers)
            let verifyTime = try await timed(jwtVerify, workers: workers)
            guard round >= warmUp else { continue }
            authenticateNanoseconds += authenticateTime
            verifyNanoseconds += verifyTime
            ratios.append(Double(verifyTime) / Double(authenticateTime))
        }
        ratios.sort()
        let operations = Double(rounds * batch)
        let fields: [String] = [
            "\"scenario\":\"mirror-interleaved\"",
            "\"concurrency\":\(workers)",
            "\"batch\":\(batch)",
            "\"rounds\":\(rounds)",
            "\"authenticate_ns_per_op\":\(rounded(Double(authenticateNanoseconds) / operations))",
            "\"verify_ns_per_op\":\(rounded(Double(verifyNanoseconds) / operations))",
            "\"ratio\":\(rounded(Double(verifyNanoseconds) / Double(authenticateNanoseconds), places: 3))",
            "\"batch_ratio_p10\":\(rounded(ratios[rounds / 10], places: 3))",
            "\"batch_ratio_p50\":\(rounded(ratios[rounds / 2], places: 3))",
            "\"batch_ratio_p90\":\(rounded(ratios[rounds * 9 / 10], places: 3))",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Nanoseconds that `batch` calls of `operation` take, shared among `workers` tasks.
    private static func timed(
        _ operation: @escaping @Sendable (Int) async throws -> Void,
        workers: Int
    ) async throws -> Int64 {
        let started = ContinuousClock.now
        if workers == 1 {
            for index in 0..<batch {
                try await operation(index)
            }
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        for index in stride(from: worker, to: batch, by: workers) {
                            try await operation(index)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let (seconds, attoseconds) = started.duration(to: .now).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func rounded(_ value: Double, places: Int = 1) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
