public import AuthKit

/// Who a request speaks for, set by ``BearerAuthenticationMiddleware`` once the access token has passed every
/// check (signature, claims, revocation, session).
public struct AuthenticatedUser: Sendable {
    /// The verified token's subject, session and claims.
    public let principal: Principal
    /// The access token itself, kept for `POST /logout`, which denylists it.
    public let accessToken: String
}
