import AuthKit
import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import RedisClient
import TokenStore

/// The URL of a fresh `redis-server` (or of `AUTHKIT_REDIS_URL`) for the length of `body`.
func withRedisURL<T>(_ body: (String) async throws -> T) async throws -> T {
    if let external = RedisTestServer.externalURL {
        return try await body(external)
    }
    let server = try await RedisTestServer.start()
    defer { server.terminate() }
    return try await body(server.url)
}

/// A fresh `redis-server` (or `AUTHKIT_REDIS_URL`) and a client for the length of `body`.
func withRedis<T>(_ body: (RedisClient) async throws -> T) async throws -> T {
    try await withRedisURL { url in try await withClient(url: url, body) }
}

/// A client of `url` (a server, a cluster or Sentinels) with a 5-second command timeout, for the length of `body`.
func withClient<T>(url: String, _ body: (RedisClient) async throws -> T) async throws -> T {
    var configuration = try RedisConfiguration(url: url)
    configuration.commandTimeout = TestTiming.scaled(.seconds(5))
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

/// The code of the `AuthKitError` that `body` throws, or nil when it succeeds or throws something else.
func authKitErrorCode(_ body: () async throws -> Void) async -> AuthKitError.Code? {
    do {
        try await body()
        return nil
    } catch let error as AuthKitError {
        return error.code
    } catch {
        return nil
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

/// Sleeps until 2 ms after the next multiple of `window` on the system clock, which local servers share: a rate
/// window is the servers' real clock, so the test must wait for it to turn.
func alignToWindow(_ window: Duration) async throws {
    let windowMicros = window.ttl(in: .microseconds)
    let nowMicros = TimeSource.system.now().sinceEpoch.wholeUnits(in: .microseconds)
    let wait = windowMicros - nowMicros % windowMicros + 2000
    try await Task.sleep(for: .microseconds(wait))
}

/// How many times the server has run each command (`INFO commandstats`), by lowercase name. The server counts the
/// commands a script runs too, under their own names.
func commandCalls(_ client: RedisClient) async throws -> [String: Int] {
    let text = try await client.info("commandstats")
    var calls: [String: Int] = [:]
    for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
        let name = line.dropFirst("cmdstat_".count).prefix { $0 != ":" }
        guard let field = line.split(separator: ",").first(where: { $0.contains("calls=") }),
            let value = Int(field.split(separator: "=").last ?? "")
        else { continue }
        calls[String(name)] = value
    }
    return calls
}
