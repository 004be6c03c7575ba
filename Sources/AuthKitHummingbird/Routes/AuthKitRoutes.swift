#if Hummingbird
public import AuthKit
public import Hummingbird
public import HummingbirdAuth
import NIOCore

/// AuthKit's token and session routes for a Hummingbird router, mounted in one line:
///
/// ```swift
/// router.addRoutes(AuthKitRoutes(auth) { try await users.check($0) }.collection)
/// ```
///
/// `POST /login`, `POST /refresh`, `POST /logout`, `POST /logout-everywhere`, `GET /sessions`,
/// `DELETE /sessions/{id}`, `POST /revoke` (RFC 7009), `POST /introspect` (RFC 7662, for an authenticated caller)
/// and `GET /.well-known/jwks.json`; what each does and answers is `AuthKitHTTPEndpoints`'. The signed-in routes
/// run behind ``AuthKitAuthenticator`` and, when configured, the per-user ``AuthKitRateLimitMiddleware``.
public struct AuthKitRoutes<Context: AuthRequestContext>: Sendable where Context.Identity == Principal {
    /// What the routes do.
    public let endpoints: AuthKitHTTPEndpoints

    /// The routes over `endpoints`.
    public init(_ endpoints: AuthKitHTTPEndpoints, context: Context.Type = Context.self) {
        self.endpoints = endpoints
    }

    /// The routes of `auth`: `credentials` checks a login's username and password (nil for wrong ones).
    public init(
        _ auth: AuthKit,
        configuration: AuthKitEndpointConfiguration = AuthKitEndpointConfiguration(),
        permissions: AuthKitHTTPEndpoints.PermissionLoader? = nil,
        context: Context.Type = Context.self,
        credentials: @escaping AuthKitHTTPEndpoints.CredentialCheck
    ) {
        self.init(
            AuthKitHTTPEndpoints(
                auth: auth,
                configuration: configuration,
                permissions: permissions,
                credentials: credentials
            )
        )
    }

    /// The routes, for `router.addRoutes(_:atPath:)`.
    public var collection: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        let endpoints = self.endpoints
        routes.post("login") { request, context in
            Response(
                try await endpoints.login(
                    body: try await Self.body(request, context),
                    clientAddress: context.authKitClientAddress,
                    userAgent: request.headers[.userAgent] ?? ""
                )
            )
        }
        routes.post("refresh") { request, context in
            Response(
                try await endpoints.refresh(
                    body: try await Self.body(request, context),
                    clientAddress: context.authKitClientAddress
                )
            )
        }
        routes.post("revoke") { request, context in
            Response(
                try await endpoints.revoke(
                    body: try await Self.body(request, context),
                    clientAddress: context.authKitClientAddress
                )
            )
        }
        routes.get(".well-known/jwks.json") { _, _ in Response(endpoints.jwks()) }

        let signedIn = routes.group().add(middleware: AuthKitAuthenticator<Context>(endpoints.auth))
        if let policy = endpoints.configuration.signedInPolicy {
            signedIn.add(middleware: AuthKitRateLimitMiddleware<Context>(policy, key: .principal, auth: endpoints.auth))
        }
        signedIn.post("logout") { _, context in Response(try await endpoints.logout(try context.requirePrincipal())) }
        signedIn.post("logout-everywhere") { _, context in
            Response(try await endpoints.logoutEverywhere(try context.requirePrincipal()))
        }
        signedIn.get("sessions") { _, context in
            Response(try await endpoints.sessions(of: try context.requirePrincipal()))
        }
        signedIn.delete("sessions/{id}") { _, context in
            Response(
                try await endpoints.endSession(try context.parameters.require("id"), of: try context.requirePrincipal())
            )
        }
        signedIn.post("introspect") { request, context in
            Response(
                try await endpoints.introspect(
                    body: try await Self.body(request, context),
                    caller: try context.requirePrincipal()
                )
            )
        }
        return routes
    }

    /// The request body as text, up to the context's upload limit.
    private static func body(_ request: Request, _ context: Context) async throws -> String {
        String(buffer: try await request.body.collect(upTo: context.maxUploadSize))
    }
}
#endif
