#if Vapor
public import AuthKit
public import Vapor

extension Principal: Authenticatable {}

/// Authenticates `Authorization: Bearer <access token>` and logs the verified `Principal` in
/// (`request.auth.get(Principal.self)`, or `request.principal`).
///
/// AuthKit checks the token locally first (size, structure, signature, claims) and only then asks the store,
/// once, whether it was revoked or its session ended. A bad or revoked token is a 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"`; a store that cannot answer is a 503, never a pass. A request
/// without an `Authorization` header is a 401 `missing_credentials` (`WWW-Authenticate: Bearer`), unless the
/// authenticator is `optional`, when it passes on unauthenticated, for a later authenticator or a public route.
/// The header is read by AuthKit's one bearer reader (`BearerToken`), as every AuthKit integration reads it.
///
/// Takes an `AuthKitVerifier` (a service that only checks tokens) or an `AuthKit` issuer.
public struct AuthKitBearerAuthenticator: AsyncBearerAuthenticator {
    private let verifier: AuthKitVerifier
    private let optional: Bool

    /// Creates the authenticator over a verify-only service; `optional` lets requests without credentials through.
    public init(_ verifier: AuthKitVerifier, optional: Bool = false) {
        self.verifier = verifier
        self.optional = optional
    }

    /// Creates the authenticator over an issuer's verifier.
    public init(_ auth: AuthKit, optional: Bool = false) {
        self.init(auth.verifier, optional: optional)
    }

    /// Reads the `Authorization` header with AuthKit's bearer reader and logs the principal in.
    public func authenticate(request: Request) async throws {
        guard let header = request.headers.first(name: .authorization) else {
            if optional { return }
            throw AuthKitHTTPError.missingCredentials
        }
        request.auth.login(try await verifier.authenticate(bearer: header))
    }

    /// Verifies a token Vapor has already read and logs the principal in.
    public func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        request.auth.login(try await verifier.authenticate(token: bearer.token))
    }
}

extension Request {
    /// The principal ``AuthKitBearerAuthenticator`` logged in, or a 401 (`missing_credentials`,
    /// `WWW-Authenticate: Bearer`) on a route reached without one.
    public var principal: Principal {
        get throws {
            guard let principal = auth.get(Principal.self) else { throw AuthKitHTTPError.missingCredentials }
            return principal
        }
    }
}
#endif
