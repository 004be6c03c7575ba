import ArgumentParser
import AuthKit
import AuthKitRedis
import AuthKitVaporServer
import Foundation
import UnixSignals
import Vapor

/// `authkit-vapor-server`: the AuthKit example HTTP server on Vapor, with authkit-server's contract and flags.
@main
struct AuthKitVaporServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-vapor-server",
        abstract: "An HTTP server that logs users in and guards routes with AuthKit (Vapor).",
        discussion: """
            Demo users: alice / alice-password (admin:*, orders:*) and bob / bob-password (orders:read).
            State is kept in memory unless a Redis URL is given: --redis, --redis-file, AUTHKIT_REDIS_URL or
            AUTHKIT_REDIS_URL_FILE (the first set wins; only the flag shows in ps). The signing key is generated at start.
            """
    )

    @ArgumentParser.Option(help: "The address to listen on.") var host = "127.0.0.1"
    @ArgumentParser.Option(help: "The port to listen on (0 picks a free one; the chosen port is printed).") var port =
        8080
    @ArgumentParser.Option(
        help: "Keep state in Redis at this URL (redis://, rediss://, unix://, redis-cluster://, redis-sentinel://)."
    )
    var redis: String?
    @ArgumentParser.Option(name: .customLong("redis-file"), help: "A file holding the Redis URL (instead of --redis).")
    var redisFile: String?
    @ArgumentParser.Option(help: "The signing algorithm: ES256, EdDSA or HS256.") var alg: Algorithm = .es256

    func run() async throws {
        let setting = try RedisURLSetting.resolve(
            flag: redis,
            fileFlag: redisFile,
            environment: ProcessInfo.processInfo.environment
        )
        let server = try await VaporServer(
            algorithm: alg.algorithm,
            issuer: "http://\(host):\(port)",
            store: setting.map { AuthKitStore.redis(url: $0.url) } ?? .inMemory()
        )
        // The URL's password never reaches the output: the setting's description masks it.
        let store = setting.map { "Redis at \($0)" } ?? "in memory"
        FileHandle.standardOutput.write(Data("authkit-vapor-server state \(store)\n".utf8))
        let app = try await Application.make(Environment(name: "production", arguments: ["authkit-vapor-server"]))
        try server.configure(app)
        try await app.asyncBoot()
        try await app.server.start(address: .hostname(host, port: port))
        // One line a script can wait for: the server is accepting connections, on this port.
        let bound = app.http.server.shared.localAddress?.port ?? port
        FileHandle.standardOutput.write(Data("authkit-vapor-server listening on http://\(host):\(bound)\n".utf8))
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    /// `--alg`: the algorithms the server signs with.
    enum Algorithm: String, CaseIterable, ExpressibleByArgument {
        case es256 = "ES256"
        case eddsa = "EdDSA"
        case hs256 = "HS256"

        var algorithm: JWTAlgorithm { self == .es256 ? .es256 : self == .eddsa ? .eddsa : .hs256 }
    }
}
