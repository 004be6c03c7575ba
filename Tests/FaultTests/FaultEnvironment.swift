import AuthKit
import AuthKitRedis
import AuthKitTesting
import Logging
import RedisClient

/// A `redis-server`, a ``FaultProxy`` in front of it, the facade over a client that goes through the proxy, and
/// an admin client that talks to the server directly (to inject server-side faults and to inspect the keys).
///
/// The client's timings are what the properties are measured against:
/// - every command ends within ``commandTimeout``; a facade call makes at most ``storeCommandsPerCall``
///   commands (refresh and logout: two store operations, each EVALSHA, SCRIPT LOAD on NOSCRIPT, EVALSHA again),
///   so ``callBound`` = that many timeouts + 2 s of scheduling margin for a loaded 2-core machine;
/// - after a fault ends, a failed connection is reopened after at most ``backoffMaximum``, its connect takes at
///   most ``connectTimeout`` and the first command at most ``commandTimeout``: 250 + 400 + 400 ms leaves the
///   2 s recovery bound with room. The default backoff maximum (5 s) alone would exceed 2 s, which is why the
///   test configures it.
struct FaultEnvironment: Sendable {
    static let commandTimeout = Duration.milliseconds(400)
    static let connectTimeout = Duration.milliseconds(400)
    static let backoffMaximum = Duration.milliseconds(250)
    static let storeCommandsPerCall = 6
    static let callBound = TestTiming.scaled(commandTimeout * storeCommandsPerCall + .seconds(2))
    static let recoveryBound = TestTiming.scaled(.seconds(2))

    let server: RedisTestServer
    let proxy: FaultProxy
    let admin: RedisClient
    let client: RedisClient
    let auth: AuthKit
    let prefix: String

    static func start(persistent: Bool = false) async throws -> FaultEnvironment {
        var options = RedisTestServerOptions()
        if persistent {
            // Only what reached the disk survives a SIGKILL: a revoke that reported success must be among it.
            options.extraConfiguration = ["appendonly yes", "appendfsync always"]
        }
        let server = try await RedisTestServer.start(options)
        let proxy = try FaultProxy.start(upstreamPort: server.port)
        var adminConfiguration = try RedisConfiguration(url: server.url)
        adminConfiguration.commandTimeout = .seconds(5)
        // Every injected fault would otherwise log a warning per connection.
        var quiet = Logger(label: "fault-tests")
        quiet.logLevel = .critical
        let admin = RedisClient(configuration: adminConfiguration, logger: quiet)
        let client = RedisClient(
            configuration: RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: proxy.port),
                poolSize: 4,
                connectTimeout: connectTimeout,
                commandTimeout: commandTimeout,
                reconnectBackoff: RedisBackoff(initial: .milliseconds(20), maximum: backoffMaximum)
            ),
            logger: quiet
        )
        let prefix = "fault-\(UInt32.random(in: 0...UInt32.max)):"
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://faults.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256([UInt8](repeating: 0x42, count: 32), kid: "fault")],
                keyPrefix: prefix
            ),
            store: .redis(client: client),
            logger: quiet
        )
        return FaultEnvironment(server: server, proxy: proxy, admin: admin, client: client, auth: auth, prefix: prefix)
    }

    func shutdown() async {
        await auth.shutdown()
        await client.shutdown()
        await admin.shutdown()
        await proxy.stop()
        server.terminate()
    }

    /// Every key under the prefix whose TTL is not positive (-1: no TTL), as "key ttl" lines.
    func keysWithoutTTL() async throws -> [String] {
        var found: [String] = []
        var cursor = "0"
        repeat {
            let reply = try await admin.send([
                "SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", 1000,
            ])
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let batch = parts[1].array
            else {
                throw RedisError(.protocol, "unexpected SCAN reply")
            }
            for key in batch.compactMap(\.string) {
                let ttl = try await admin.send("PTTL", RedisArgument(key)).integer ?? -3
                if ttl <= 0 && ttl != -2 {
                    found.append("\(key) \(ttl)")
                }
            }
            cursor = next
        } while cursor != "0"
        return found
    }
}
