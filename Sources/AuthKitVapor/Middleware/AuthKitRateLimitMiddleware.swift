#if Vapor
public import AuthKit
public import Vapor

/// Charges each request to a key under a policy: a refusal is a 429 with `Retry-After`, and every response that was
/// charged (success or error) carries `RateLimit-Policy` and `RateLimit`.
///
/// The key is `"<policy name>:<what is counted>"`: the principal's user id (after ``AuthKitBearerAuthenticator``),
/// the client's address, or what a closure returns. Errors below it are answered here as `AuthKitErrorMiddleware`
/// answers them, so that they carry the rate-limit fields too.
public struct AuthKitRateLimitMiddleware: AsyncMiddleware {
    /// What a request is counted against.
    public enum Key: Sendable {
        /// The authenticated principal's user id (a 401 without one).
        case principal
        /// The client's IP address (one shared key when unknown).
        case clientAddress
        /// What the closure returns for the request.
        case custom(@Sendable (_ request: Request) async throws -> String)
    }

    private let verifier: AuthKitVerifier
    private let policy: RateLimitPolicy
    private let key: Key

    /// Creates the middleware charging requests to `key` under `policy`, over a verify-only service.
    public init(_ policy: RateLimitPolicy, key: Key = .principal, verifier: AuthKitVerifier) {
        self.policy = policy
        self.key = key
        self.verifier = verifier
    }

    /// Creates the middleware over an issuer's verifier.
    public init(_ policy: RateLimitPolicy, key: Key = .principal, auth: AuthKit) {
        self.init(policy, key: key, verifier: auth.verifier)
    }

    /// Charges the request, answers 429 when refused, and adds the rate-limit fields to whatever comes back.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let counted: String
        switch key {
        case .principal: counted = try request.principal.userID
        case .clientAddress: counted = request.authKitClientAddress
        case .custom(let body): counted = try await body(request)
        }
        let fields = HTTPHeaders(try await verifier.chargeRequest(policy, counting: counted))
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            response = AuthKitHTTPError.vapor(error).response
        }
        response.headers.add(contentsOf: fields)
        return response
    }
}
#endif
