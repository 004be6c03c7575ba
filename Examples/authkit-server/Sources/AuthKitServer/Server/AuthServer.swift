public import AuthKit
public import Hummingbird
public import Logging
public import NIOCore

/// The example HTTP server: an ``AuthKit`` instance, the accounts, and the routes that put them on the wire.
///
/// ```swift
/// let server = try await AuthServer(configuration: AuthServerConfiguration(algorithm: .hs256))
/// try await server.application(configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 8080)))
///     .runService()
/// ```
public struct AuthServer: Sendable {
    /// Tokens, sessions, permissions and rate limits.
    public let auth: AuthKit
    /// The accounts that can log in.
    public let users: UserDirectory
    /// The settings the server was created with.
    public let configuration: AuthServerConfiguration

    /// Generates a signing key for `configuration.algorithm` and opens AuthKit over `store`.
    public init(
        configuration: AuthServerConfiguration = AuthServerConfiguration(),
        users: UserDirectory = .demo,
        store: AuthKitStore = .inMemory(),
        clock: WallClock = .system,
        logger: Logger = Logger(label: "authkit-server")
    ) async throws {
        let key = try configuration.algorithm.generateKey()
        self.configuration = configuration
        self.users = users
        self.auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: configuration.issuer,
                audience: configuration.audience,
                signingKeys: [key]
            ),
            store: store,
            clock: clock,
            logger: logger
        )
    }

    /// The routes, each behind the middleware it needs.
    public func router() -> Router<AuthServerContext> {
        let router = Router(context: AuthServerContext.self)
        router.middlewares.add(JSONErrorMiddleware())
        addTokenRoutes(to: router)
        addAccountRoutes(to: router)
        // The public halves of the signing keys (an HMAC secret is never published), as they rotate; the max-age
        // is AuthKit's publication lead, so a verifier's cached copy holds a new key before it signs.
        router.get(".well-known/jwks.json") { _, _ in
            let jwks = auth.publicJWKS()
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/json",
                    .cacheControl: "max-age=\((jwks.maxAge ?? .zero).components.seconds)",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: jwks.text))
            )
        }
        return router
    }

    /// The application serving ``router()``, with AuthKit running as one of its services (so its store is
    /// serviced while the server runs and released when it stops).
    public func application(
        configuration: ApplicationConfiguration,
        onServerRunning: @escaping @Sendable (_ channel: any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: configuration,
            services: [auth],
            onServerRunning: onServerRunning
        )
    }

    /// Authentication, then the per-user API limit: the group every signed-in route lives in.
    func authenticatedGroup(_ router: Router<AuthServerContext>) -> RouterGroup<AuthServerContext> {
        router.group()
            .add(middleware: BearerAuthenticationMiddleware(auth: auth))
            .add(
                middleware: RateLimitMiddleware(configuration.apiPolicy, auth: auth) { _, context in
                    "api:\(try context.requireUser().principal.userID)"
                }
            )
    }
}
