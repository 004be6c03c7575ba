import AuthKit
import AuthKitRedis
import JWTCore
import Logging
import RedisClient
import Synchronization
import Tracing

/// `authenticate` and `refresh` through the AuthKit facade, on Redis (`--redis URL`) or in memory.
///
/// `authenticate` verifies one of a set of live access tokens per operation (local checks, then one store round
/// trip; with `--mirror`, the local revocation mirror's verdict instead, once the mirror answers). `refresh` rotates each worker's own refresh-token chain; when a rotation fails (a store fault), the
/// worker logs in again so it keeps a valid chain, and the failure is counted.
enum AuthenticateScenario {
    struct Setup {
        let auth: AuthKit
        let client: RedisClient?
        /// On a cluster with the mirror, a client on each primary: the run's commands are counted on all of them.
        var primaries: [RedisClient] = []
        let operation: @Sendable (Int) async throws -> Void
    }

    static func setUp(options: BenchmarkOptions) async throws -> Setup {
        guard let algorithm = JWTAlgorithm(name: options.jwtAlgorithm) else {
            throw BenchmarkError("bad --alg \(options.jwtAlgorithm)")
        }
        let key: JWTKey =
            algorithm == .hs256
            ? try JWTKey.hs256(Array("authkit-bench-hmac-secret-32-by!".utf8), kid: "bench")
            : try JWTKey.generate(algorithm, kid: "bench")
        let configuration = AuthKitConfiguration(
            issuer: "https://api.example.com",
            audience: "api",
            signingKeys: [key],
            // With the mirror, keys of its own: once a mirror has begun a feed, every revocation under its prefix
            // appends to it, which the other scenarios on the same server should not pay.
            keyPrefix: options.mirror ? "authkit-bench-mirror:" : "authkit-bench:",
            revocationMirror: options.mirror ? RevocationMirrorPolicy() : nil
        )
        var client: RedisClient?
        let store: AuthKitStore
        if let url = options.url {
            var redis = try RedisConfiguration(url: url)
            redis.commandTimeout = .milliseconds(Int64(options.commandTimeoutMilliseconds))
            if let busyPoll = options.busyPollMicroseconds { redis.busyPoll = .microseconds(busyPoll) }
            redis.connectTimeout = .seconds(1)
            if let poolSize = options.poolSize { redis.poolSize = poolSize }
            let created = RedisClient(configuration: redis, logger: quietLogger)
            client = created
            store = .redis(client: created)
        } else {
            store = .inMemory()
        }
        // The tracer is read once, when AuthKit (and its Redis client) is created.
        let auth =
            options.tracer == "null"
            ? try await withTracer(NullTracer()) {
                try await AuthKit(configuration: configuration, store: store, logger: quietLogger)
            }
            : try await AuthKit(configuration: configuration, store: store, logger: quietLogger)
        var primaries: [RedisClient] = []
        if options.mirror, let client {
            // The mirror polls while the run lasts; the process exits without stopping it.
            Task { try await auth.run() }
            if client.configuration.topology.cluster != nil {
                primaries = await ClusterPrimaries.connect(through: client)
                guard !primaries.isEmpty else { throw BenchmarkError("CLUSTER NODES listed no primary") }
            }
            try await MirrorReadiness.waitPastFeedBeginning(
                client: client,
                keyPrefix: configuration.keyPrefix,
                primaries: primaries
            )
        }
        let sessions = max(options.concurrency, 64)
        if options.scenario == "authenticate" {
            var tokens: [String] = []
            for index in 0..<sessions {
                tokens.append(try await auth.login(userID: "bench-\(index)").accessToken)
            }
            let shared = tokens
            if options.mirror, let client {
                let round: @Sendable () async throws -> Void = {
                    for token in shared { _ = try await auth.authenticate(token: token) }
                }
                try await MirrorReadiness.waitUntilServing(client: client, primaries: primaries, authenticate: round)
            }
            var setup = Setup(auth: auth, client: client) { worker in
                _ = try await auth.authenticate(token: shared[worker % shared.count])
            }
            setup.primaries = primaries
            return setup
        }
        let chains = (0..<options.concurrency).map { _ in RefreshChainBox() }
        for worker in 0..<options.concurrency {
            let pair = try await auth.login(userID: "bench-refresh-\(worker)-0")
            chains[worker].state.withLock { $0.token = pair.refreshToken }
        }
        return Setup(auth: auth, client: client) { worker in
            let chain = chains[worker]
            let current = chain.state.withLock { $0.token }
            do {
                let pair = try await auth.refresh(current)
                chain.state.withLock { $0.token = pair.refreshToken }
            } catch {
                // The rotation may have happened with the reply lost: start a new chain so the next operation
                // measures a rotation, not a reuse.
                let generation = chain.state.withLock { state in
                    state.generation += 1
                    return state.generation
                }
                if let pair = try? await auth.login(userID: "bench-refresh-\(worker)-\(generation)") {
                    chain.state.withLock { $0.token = pair.refreshToken }
                }
                throw error
            }
        }
    }
}

/// One worker's refresh-token chain.
struct RefreshChain {
    var token = ""
    var generation = 0
}

/// A worker's chain behind its own lock (a `Mutex` cannot live in an array by value).
final class RefreshChainBox: Sendable {
    let state = Mutex(RefreshChain())
}
