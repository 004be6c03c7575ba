#if Vapor
import AuthKit
public import Vapor

/// Answers every error thrown below it as JSON `{"error","message"}` with the status and headers AuthKit maps it
/// to (`AuthKitHTTPError`): AuthKit's errors with their RFC 6750 challenges and 503s, Vapor's own (`Abort`: no
/// route, a body too large) by their status, anything else a 500 whose details go to the log only.
///
/// Use it in place of Vapor's `ErrorMiddleware`, first:
/// `app.middleware = Middlewares(); app.middleware.use(AuthKitErrorMiddleware())`.
public struct AuthKitErrorMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Passes the request on and turns any error it throws into a JSON error response.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let answer = AuthKitHTTPError.vapor(error)
            if let detail = answer.logDetail {
                request.logger.error(
                    "request failed",
                    metadata: ["status": "\(answer.statusCode)", "error": "\(detail)"]
                )
            }
            return answer.response
        }
    }
}
#endif
