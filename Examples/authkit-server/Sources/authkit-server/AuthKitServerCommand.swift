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
            State is kept in memory unless --redis is given. The signing key is generated at start.
            """
    )

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one; the chosen port is printed).") var port = 8080
    @Option(
        help: "Keep state in Redis at this URL (redis://, rediss://, unix://, redis-cluster://, redis-sentinel://)."
    )
    var redis: String?
    @Option(help: "The signing algorithm: ES256, EdDSA or HS256.") var alg: SigningAlgorithm = .es256

    func run() async throws {
        let server = try await AuthServer(
            algorithm: alg,
            issuer: "http://\(host):\(port)",
            store: redis.map { AuthKitStore.redis(url: $0) } ?? .inMemory()
        )
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
