public import AuthKitVapor
public import Vapor

/// The example server: AuthKit's route collection, and `GET /me` and `GET /admin` behind its middleware.
public struct VaporServer: Sendable {
    /// Tokens, sessions, permissions and rate limits.
    public let auth: AuthKit

    /// Generates a signing key for `algorithm` (kept in memory only) and opens AuthKit over `store`.
    public init(algorithm: JWTAlgorithm, issuer: String, store: AuthKitStore) async throws {
        let configuration = AuthKitConfiguration(
            issuer: issuer,
            audience: "authkit-server",
            signingKeys: [try JWTKey.generate(algorithm)]
        )
        auth = try await AuthKit(configuration: configuration, store: store)
    }

    /// Installs the error middleware, AuthKit's lifecycle and routes, and the app's own routes on `app`.
    public func configure(_ app: Application) throws {
        app.middleware = Middlewares()
        app.middleware.use(AuthKitErrorMiddleware())
        app.lifecycle.use(AuthKitLifecycleHandler(auth))
        let routes = AuthKitRoutes(auth, credentials: DemoUsers.check)
        try app.register(collection: routes)
        let limit = routes.endpoints.configuration.signedInPolicy ?? .perMinute(600)
        let api = app.grouped(AuthKitBearerAuthenticator(auth), AuthKitRateLimitMiddleware(limit, auth: auth))
        api.get("me") { request in
            let principal = try request.principal
            let permissions = try await auth.permissions(for: principal.userID, load: DemoUsers.permissions)
            return Me(sub: principal.userID, sid: principal.sessionID ?? "", permissions: permissions.grants.sorted())
        }
        api.grouped(AuthKitPermissionMiddleware("admin:dashboard", auth: auth, load: DemoUsers.permissions))
            .get("admin") { request in Admin(message: "welcome, \(try request.principal.userID)") }
    }
}

/// `GET /me`: who the token speaks for and what they may do.
struct Me: Content {
    let sub: String
    let sid: String
    let permissions: [String]
}

/// `GET /admin`, reached only with an `admin:` permission.
struct Admin: Content {
    let message: String
}
