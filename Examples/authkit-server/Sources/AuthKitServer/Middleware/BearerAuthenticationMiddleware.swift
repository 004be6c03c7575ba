public import AuthKit
public import Hummingbird

/// Requires `Authorization: Bearer <access token>` and puts the verified user into the context.
///
/// AuthKit checks the token locally first (size, structure, signature, claims) and only then asks the store,
/// once, whether it was revoked or its session ended. Anything short of a valid token is a 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"`; a store that cannot answer is a 503, never a pass.
public struct BearerAuthenticationMiddleware: RouterMiddleware {
    /// The request context this middleware fills in.
    public typealias Context = AuthServerContext

    private let auth: AuthKit

    /// Creates the middleware over `auth`.
    public init(auth: AuthKit) {
        self.auth = auth
    }

    /// Authenticates the bearer token, then passes the request on with the principal in its context.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.missingCredentials
        }
        guard let token = Self.bearerToken(in: header) else {
            throw APIError.invalidToken("the Authorization header does not carry a Bearer token")
        }
        let principal = try await auth.authenticate(token: token)
        var context = context
        context.user = AuthenticatedUser(principal: principal, accessToken: token)
        return try await next(request, context)
    }

    /// The token of `Bearer <token>` (RFC 6750 §2.1: the scheme is case-insensitive).
    static func bearerToken(in header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}
