#if Vapor
public import AuthKit
public import Vapor

/// AuthKit's token and session routes as a Vapor `RouteCollection`, registered in one line:
///
/// ```swift
/// try app.register(collection: AuthKitRoutes(auth) { try await users.check($0) })
/// ```
///
/// `POST /login`, `POST /refresh`, `POST /logout`, `POST /logout-everywhere`, `GET /sessions`,
/// `DELETE /sessions/:id`, `POST /revoke` (RFC 7009), `POST /introspect` (RFC 7662, for an authenticated caller)
/// and `GET /.well-known/jwks.json`; what each does and answers is `AuthKitHTTPEndpoints`'. The signed-in routes
/// run behind ``AuthKitBearerAuthenticator`` and, when configured, the per-user ``AuthKitRateLimitMiddleware``.
public struct AuthKitRoutes: RouteCollection, Sendable {
    /// What the routes do.
    public let endpoints: AuthKitHTTPEndpoints

    /// The routes over `endpoints`.
    public init(_ endpoints: AuthKitHTTPEndpoints) {
        self.endpoints = endpoints
    }

    /// The routes of `auth`: `credentials` checks a login's username and password (nil for wrong ones).
    public init(
        _ auth: AuthKit,
        configuration: AuthKitEndpointConfiguration = AuthKitEndpointConfiguration(),
        permissions: AuthKitHTTPEndpoints.PermissionLoader? = nil,
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

    /// Registers the routes on `routes`.
    public func boot(routes: any RoutesBuilder) throws {
        let endpoints = self.endpoints
        routes.post("login") { request in
            Response(
                try await endpoints.login(
                    body: request.authKitBody,
                    clientAddress: request.authKitClientAddress,
                    userAgent: request.headers.first(name: .userAgent) ?? ""
                )
            )
        }
        routes.post("refresh") { request in
            Response(
                try await endpoints.refresh(body: request.authKitBody, clientAddress: request.authKitClientAddress)
            )
        }
        routes.post("revoke") { request in
            Response(
                try await endpoints.revoke(body: request.authKitBody, clientAddress: request.authKitClientAddress)
            )
        }
        routes.get(".well-known", "jwks.json") { _ in Response(endpoints.jwks()) }

        var signedIn = routes.grouped(AuthKitBearerAuthenticator(endpoints.auth))
        if let policy = endpoints.configuration.signedInPolicy {
            signedIn = signedIn.grouped(AuthKitRateLimitMiddleware(policy, key: .principal, auth: endpoints.auth))
        }
        signedIn.post("logout") { request in Response(try await endpoints.logout(try request.principal)) }
        signedIn.post("logout-everywhere") { request in
            Response(try await endpoints.logoutEverywhere(try request.principal))
        }
        signedIn.get("sessions") { request in Response(try await endpoints.sessions(of: try request.principal)) }
        signedIn.delete("sessions", ":id") { request in
            let id = request.parameters.get("id") ?? ""
            return Response(try await endpoints.endSession(id, of: try request.principal))
        }
        signedIn.post("introspect") { request in
            Response(try await endpoints.introspect(body: request.authKitBody, caller: try request.principal))
        }
    }
}
#endif
