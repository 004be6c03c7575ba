public import AuthKitHummingbird
public import Hummingbird
public import Logging
public import NIOCore

/// The example server: AuthKit's route group, and `GET /me` and `GET /admin` behind its middleware.
public struct AuthServer: Sendable {
    /// Tokens, sessions, permissions and rate limits.
    public let auth: AuthKit

    /// Generates a signing key for `algorithm` (kept in memory only) and opens AuthKit over `store`.
    public init(
        algorithm: SigningAlgorithm = .es256,
        issuer: String = "http://localhost:8080",
        store: AuthKitStore = .inMemory(),
        clock: TimeSource = .system,
        logger: Logger = Logger(label: "authkit-server")
    ) async throws {
        let configuration = AuthKitConfiguration(
            issuer: issuer,
            audience: "authkit-server",
            signingKeys: [try JWTKey.generate(algorithm.algorithm)]
        )
        auth = try await AuthKit(configuration: configuration, store: store, clock: clock, logger: logger)
    }

    /// The routes, each behind the middleware it needs.
    public func router() -> Router<BasicAuthKitRequestContext> {
        let router = Router(context: BasicAuthKitRequestContext.self)
        router.add(middleware: AuthKitErrorMiddleware())
        let routes = AuthKitRoutes<BasicAuthKitRequestContext>(auth, credentials: DemoUsers.check)
        router.addRoutes(routes.collection)
        let limit = routes.endpoints.configuration.signedInPolicy ?? .perMinute(600)
        let api = router.group()
            .add(middleware: AuthKitAuthenticator(auth))
            .add(middleware: AuthKitRateLimitMiddleware(limit, auth: auth))
        api.get("me") { _, context in
            let principal = try context.requirePrincipal()
            let permissions = try await auth.permissions(for: principal.userID, load: DemoUsers.permissions)
            return Me(sub: principal.userID, sid: principal.sessionID ?? "", permissions: permissions.grants.sorted())
        }
        api.group()
            .add(middleware: AuthKitPermissionGuard("admin:dashboard", auth: auth, load: DemoUsers.permissions))
            .get("admin") { _, context in Admin(message: "welcome, \(try context.requirePrincipal().userID)") }
        return router
    }

    /// The application serving ``router()``, with AuthKit running as one of its services.
    public func application(
        configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (_ channel: any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(router: router(), configuration: configuration, services: [auth], onServerRunning: onServerRunning)
    }
}

/// `GET /me`: who the token speaks for and what they may do.
struct Me: ResponseEncodable {
    let sub: String
    let sid: String
    let permissions: [String]
}

/// `GET /admin`, reached only with an `admin:` permission.
struct Admin: ResponseEncodable {
    let message: String
}

/// The algorithm the server signs access tokens with (`--alg`): ES256 (the default), EdDSA, or HS256 (whose
/// secret is never published, so its JWKS is empty).
public enum SigningAlgorithm: String, CaseIterable, Sendable {
    case es256 = "ES256"
    case eddsa = "EdDSA"
    case hs256 = "HS256"

    /// The JWTCore algorithm.
    public var algorithm: JWTAlgorithm { self == .es256 ? .es256 : self == .eddsa ? .eddsa : .hs256 }
}
