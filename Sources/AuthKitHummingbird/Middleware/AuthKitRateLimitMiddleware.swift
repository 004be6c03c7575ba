#if Hummingbird
public import AuthKit
import HTTPTypes
public import Hummingbird
public import HummingbirdAuth

/// Charges each request to a key under a policy: a refusal is a 429 with `Retry-After`, and every response that was
/// charged (success or error) carries `RateLimit-Policy` and `RateLimit`.
///
/// The key is `"<policy name>:<what is counted>"`: the principal's user id (after ``AuthKitAuthenticator``), the
/// client's address, or what a closure returns. Errors below it are answered here as `AuthKitErrorMiddleware`
/// answers them, so that they carry the rate-limit fields too.
public struct AuthKitRateLimitMiddleware<Context: AuthRequestContext>: RouterMiddleware
where Context.Identity == Principal {
    /// What a request is counted against.
    public enum Key: Sendable {
        /// The authenticated principal's user id (a 401 without one).
        case principal
        /// The client's IP address (`RemoteAddressRequestContext`; one shared key when unknown).
        case clientAddress
        /// What the closure returns for the request.
        case custom(@Sendable (_ request: Request, _ context: Context) async throws -> String)
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
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let counted: String
        switch key {
        case .principal: counted = try context.requirePrincipal().userID
        case .clientAddress: counted = context.authKitClientAddress
        case .custom(let body): counted = try await body(request, context)
        }
        let fields = HTTPFields(authKit: try await verifier.chargeRequest(policy, counting: counted))
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try AuthKitHTTPError.hummingbird(error).response(from: request, context: context)
        }
        response.headers.append(contentsOf: fields)
        return response
    }
}
#endif
