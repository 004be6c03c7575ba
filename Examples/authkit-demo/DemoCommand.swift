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
            keys it wrote.
            """
    )
    var redis: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .critical
            return handler
        }
        let prefix = "authkit-demo-\(TokenText.random(6)):"
        let store: AuthKitStore = redis.map { .redis(url: $0) } ?? .inMemory()
        let tour = try await Tour(store: store, prefix: prefix, storeName: redis == nil ? "in memory" : "Redis")
        try await tour.run()
        if let redis {
            try await Tour.listKeys(url: redis, prefix: prefix)
        }
    }
}
