public import AuthKit
public import HTTPTypes
public import Hummingbird

/// Charges each request to a key under a policy: a refusal is a 429 with `Retry-After`, and every response
/// that was charged (success or error) carries `RateLimit-Policy` and `RateLimit`.
///
/// The key is computed per request, so one middleware type serves per-username login limits (read from the
/// body) and per-user API limits (after ``BearerAuthenticationMiddleware``) alike.
public struct RateLimitMiddleware: RouterMiddleware {
    /// The request context the key function reads.
    public typealias Context = AuthServerContext
    /// Computes the key to charge; it may read (and so collect) the request body, which stays readable.
    public typealias KeyFunction = @Sendable (_ request: inout Request, _ context: Context) async throws -> String

    private let auth: AuthKit
    private let policy: RateLimitPolicy
    private let key: KeyFunction

    /// Creates the middleware charging `key(request)` under `policy`.
    public init(_ policy: RateLimitPolicy, auth: AuthKit, key: @escaping KeyFunction) {
        self.auth = auth
        self.policy = policy
        self.key = key
    }

    /// Charges the request to its rate-limit key, answers 429 when refused, and adds the RateLimit headers.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        let decision = try await auth.rateLimit(try await key(&request, context), policy: policy)
        var headers = HTTPFields()
        for field in decision.headers() {
            if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        var response: Response
        if decision.isAllowed {
            do {
                response = try await next(request, context)
            } catch {
                response = try APIError(error, logger: context.logger).response(from: request, context: context)
            }
        } else {
            response = try APIError(
                .tooManyRequests,
                code: "rate_limited",
                message: "too many requests under the \"\(decision.policy.name)\" limit; see Retry-After"
            ).response(from: request, context: context)
        }
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension HTTPField.Name {
    /// `RateLimit-Policy`: the quota and window of each policy (draft-ietf-httpapi-ratelimit-headers).
    public static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    /// `RateLimit`: what is left of each quota and when it resets.
    public static let rateLimit = HTTPField.Name("RateLimit")!
}
