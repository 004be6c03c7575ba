public import ArgumentParser
import AuthKit
import AuthKitRedis
import AuthKitServer
import Foundation
import Hummingbird

/// `authkit-server`: the AuthKit example HTTP server.
@main
struct AuthKitServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-server",
        abstract: "An HTTP server that logs users in and guards routes with AuthKit (Hummingbird).",
        discussion: """
            Demo users: alice / alice-password (admin:*, orders:*) and bob / bob-password (orders:read).
            State is kept in memory unless a Redis URL is given: --redis, --redis-file, AUTHKIT_REDIS_URL or
            AUTHKIT_REDIS_URL_FILE (the first set wins; only the flag shows in ps). The signing key is generated at start.
            """
    )

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one; the chosen port is printed).") var port = 8080
    @Option(
        help: "Keep state in Redis at this URL (redis://, rediss://, unix://, redis-cluster://, redis-sentinel://)."
    )
    var redis: String?
    @Option(name: .customLong("redis-file"), help: "A file holding the Redis URL (instead of --redis).")
    var redisFile: String?
    @Option(help: "The signing algorithm: ES256, EdDSA or HS256.") var alg: SigningAlgorithm = .es256

    func run() async throws {
        let setting = try RedisURLSetting.resolve(
            flag: redis,
            fileFlag: redisFile,
            environment: ProcessInfo.processInfo.environment
        )
        let server = try await AuthServer(
            algorithm: alg,
            issuer: "http://\(host):\(port)",
            store: setting.map { AuthKitStore.redis(url: $0.url) } ?? .inMemory()
        )
        // The URL's password never reaches the output: the setting's description masks it.
        let store = setting.map { "Redis at \($0)" } ?? "in memory"
        FileHandle.standardOutput.write(Data("authkit-server state \(store)\n".utf8))
        let application = server.application(
            configuration: ApplicationConfiguration(address: .hostname(host, port: port))
        ) { channel in
            // One line a script can wait for: the server is accepting connections, on this port.
            let line = "authkit-server listening on http://\(host):\(channel.localAddress?.port ?? port)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await application.runService()
    }
}

extension SigningAlgorithm: ExpressibleByArgument {}
