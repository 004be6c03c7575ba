import ArgumentParser
import AuthKitRedis
import PermissionCache
import RateLimiter
import RedisClient
import TokenStore

/// The options every operator command on a Redis store shares.
struct RedisOptions: ParsableArguments {
    @Option(
        help: """
            The Redis store: redis://127.0.0.1:6379 (or rediss://, unix://), a cluster \
            (redis-cluster://host:port,host:port…) or a primary behind Sentinel \
            (redis-sentinel://host:26379,host:26379…/primary-name).
            """
    )
    var redis: String

    @Option(help: "The key prefix the application uses.")
    var prefix: String = "authkit:"

    /// Connects, runs `body`, and always closes the connection.
    func withClient<Result>(_ body: (RedisClient) async throws -> Result) async throws -> Result {
        let client: RedisClient
        do {
            client = try RedisClient(url: redis)
        } catch {
            throw ValidationError("invalid --redis URL: \(error)")
        }
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    func tokenStore(_ client: RedisClient) throws -> RedisTokenStore {
        try RedisTokenStore(client: client, configuration: RedisTokenStoreConfiguration(keyPrefix: prefix))
    }
}

/// Turns a store failure into the CLI's one-line error (its own code first) and exit status 1.
func storeFailure(_ error: any Error) -> CLIFailure {
    switch error {
    case let failure as CLIFailure: failure
    case let error as TokenStoreError: CLIFailure(code: error.code.name, error.message)
    case let error as RateLimitError: CLIFailure(code: error.code.name, error.message)
    case let error as PermissionCacheError: CLIFailure(code: error.code.name, error.message)
    case let error as RedisError: CLIFailure(code: "storeUnavailable", error.description)
    default: CLIFailure(code: "storeUnavailable", "\(error)")
    }
}
