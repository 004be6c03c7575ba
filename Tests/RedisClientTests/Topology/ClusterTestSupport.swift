import AuthKitTesting
import RedisClient

/// Runs `body` against a fresh cluster (its own, for tests that migrate slots or kill nodes).
func withCluster<T>(
    _ options: RedisTestClusterOptions = RedisTestClusterOptions(),
    _ body: (RedisTestCluster) async throws -> T
) async throws -> T {
    let cluster = try await RedisTestCluster.start(options)
    defer { cluster.terminate() }
    return try await body(cluster)
}

/// Runs `body` against the process's shared cluster (for tests that neither kill nodes nor move slots).
func withSharedCluster<T>(_ body: (RedisTestCluster) async throws -> T) async throws -> T {
    try await body(try await RedisTestCluster.shared())
}

/// A client of the node on `port` alone (not cluster-aware): to look at what one node holds.
func withNodeClient<T>(port: Int, _ body: (RedisClient) async throws -> T) async throws -> T {
    try await withClient(url: "redis://127.0.0.1:\(port)", body)
}

/// Keys `{tag}:name` for tags that spread over every primary of a three-primary cluster.
func spreadKeys(_ count: Int, prefix: String = "k") -> [String] {
    (0..<count).map { "{\(prefix)\($0)}:value" }
}
