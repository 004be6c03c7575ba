import ArgumentParser
import AuthKit
import AuthKitRedis
import Foundation
import Logging
import RedisClient
import Synchronization

/// `authkit-demo`: a scripted tour of AuthKit that prints what happens at every step.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-demo",
        abstract: """
            A guided tour: logins, refresh rotation and reuse detection, logout, a verify-only service, signing-key \
            rotation, permissions, rate limits.
            """
    )

    @Option(
        help: """
            Run the tour against this Redis store instead of in memory (redis://…, a cluster as \
            redis-cluster://host:port,… or Sentinel as redis-sentinel://host:port,…/primary-name), then list the \
            keys it wrote. For local use: ps shows it; --redis-file, AUTHKIT_REDIS_URL or AUTHKIT_REDIS_URL_FILE \
            keep a password off the command line.
            """
    )
    var redis: String?

    @Option(name: .customLong("redis-file"), help: "A file holding the Redis URL (instead of --redis).")
    var redisFile: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .critical
            return handler
        }
        let setting = try RedisURLSetting.resolve(
            flag: redis,
            fileFlag: redisFile,
            environment: ProcessInfo.processInfo.environment
        )
        let prefix = "authkit-demo-\(TokenText.random(6)):"
        let store: AuthKitStore = setting.map { .redis(url: $0.url) } ?? .inMemory()
        // The URL's password never reaches the output: the setting's description masks it.
        let storeName = setting.map { "in Redis at \($0)" } ?? "in memory"
        let tour = try await Tour(store: store, prefix: prefix, storeName: storeName)
        try await tour.run()
        if let setting {
            try await Tour.listKeys(configuration: setting.configuration, prefix: prefix)
        }
    }
}
