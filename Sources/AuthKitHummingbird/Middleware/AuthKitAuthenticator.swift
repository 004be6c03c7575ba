#if Hummingbird
public import AuthKit
public import Hummingbird
public import HummingbirdAuth

/// Authenticates `Authorization: Bearer <access token>` and puts the verified `Principal` into the context's
/// `identity` (hummingbird-auth's model).
///
/// AuthKit checks the token locally first (size, structure, signature, claims) and only then asks the store,
/// once, whether it was revoked or its session ended. A bad or revoked token is a 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"`; a store that cannot answer is a 503, never a pass. A request
/// without an `Authorization` header is a 401 `missing_credentials` (`WWW-Authenticate: Bearer`), unless the
/// authenticator is `optional`, when it passes on unauthenticated for a later authenticator or a public route.
///
/// Takes an `AuthKitVerifier` (a service that only checks tokens) or an `AuthKit` issuer.
public struct AuthKitAuthenticator<Context: AuthRequestContext>: AuthenticatorMiddleware
where Context.Identity == Principal {
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

    /// The request's principal; nil only for an optional authenticator and a request without credentials.
    public func authenticate(request: Request, context: Context) async throws -> Principal? {
        guard let header = request.headers[.authorization] else {
            if optional { return nil }
            throw AuthKitHTTPError.missingCredentials
        }
        return try await verifier.authenticate(bearer: header)
    }
}
#endif
