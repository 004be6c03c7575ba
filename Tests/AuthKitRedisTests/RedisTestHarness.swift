import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import RedisClient
import TokenStore

/// A fresh `redis-server` (or `AUTHKIT_REDIS_URL`) and a client for the length of `body`.
func withRedis<T>(_ body: (RedisClient) async throws -> T) async throws -> T {
    var server: RedisTestServer?
    let url: String
    if let external = RedisTestServer.externalURL {
        url = external
    } else {
        let started = try await RedisTestServer.start()
        server = started
        url = started.url
    }
    defer { server?.terminate() }
    var configuration = try RedisConfiguration(url: url)
    configuration.commandTimeout = .seconds(5)
    let client = RedisClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// A key prefix no other test uses, so tests can share an external server.
func uniquePrefix() -> String {
    "authkit-test-\(Session.newID().prefix(8)):"
}

/// Every key under `prefix`, for test assertions only (the store itself never lists keys).
func keys(under prefix: String, _ client: RedisClient) async throws -> [[UInt8]] {
    var found: [[UInt8]] = []
    var cursor = "0"
    repeat {
        let reply = try await client.send([
            "SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", 1000,
        ])
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let batch = parts[1].array else {
            throw RedisError(.protocol, "unexpected SCAN reply")
        }
        found += batch.compactMap(\.bytes)
        cursor = next
    } while cursor != "0"
    return found
}
