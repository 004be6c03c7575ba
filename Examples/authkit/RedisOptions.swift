import ArgumentParser
import AuthKitRedis
import Foundation
import PermissionCache
import RateLimiter
import RedisClient
import TokenStore

/// The options every operator command on a Redis store shares. The URL comes from the first source set, in the
/// order `RedisURLSetting` (AuthKitRedis) defines: `--redis`, `--redis-file`, `AUTHKIT_REDIS_URL`,
/// `AUTHKIT_REDIS_URL_FILE`; the last three keep credentials off the command line, which `ps` shows.
struct RedisOptions: ParsableArguments {
    @Option(
        help: """
            The Redis store, for local use (ps shows it; use --redis-file, AUTHKIT_REDIS_URL or \
            AUTHKIT_REDIS_URL_FILE for a URL with a password): redis://127.0.0.1:6379 (or rediss://, unix://), a \
            cluster (redis-cluster://host:port,host:port…) or a primary behind Sentinel \
            (redis-sentinel://host:26379,host:26379…/primary-name).
            """
    )
    var redis: String?

    @Option(name: .customLong("redis-file"), help: "A file holding the Redis URL (instead of --redis).")
    var redisFile: String?

    @Option(help: "The key prefix the application uses.")
    var prefix: String = "authkit:"

    @Option(
        name: .customLong("timeout"),
        help: """
            Seconds each Redis command may take, and a connection attempt, before the command fails with \
            storeUnavailable (default: the client's, 2 s a command, 5 s a connection).
            """
    )
    var timeoutSeconds: Double?

    func validate() throws {
        if let timeoutSeconds, !(timeoutSeconds > 0 && timeoutSeconds <= 3600) {
            throw ValidationError("--timeout must be more than 0 and at most 3600 seconds")
        }
    }

    /// Connects, runs `body`, and always closes the connection.
    func withClient<Result>(_ body: (RedisClient) async throws -> Result) async throws -> Result {
        let setting: RedisURLSetting?
        do {
            setting = try RedisURLSetting.resolve(
                flag: redis,
                fileFlag: redisFile,
                environment: ProcessInfo.processInfo.environment
            )
        } catch {
            throw ValidationError("invalid Redis URL: \(error.message)")
        }
        guard let setting else {
            throw ValidationError(
                "no Redis URL: give --redis URL, --redis-file PATH, \(RedisURLSetting.urlVariable) or "
                    + RedisURLSetting.urlFileVariable
            )
        }
        var configuration = setting.configuration
        if let timeoutSeconds {
            configuration.commandTimeout = .milliseconds(Int64(timeoutSeconds * 1000))
            configuration.connectTimeout = configuration.commandTimeout
        }
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
