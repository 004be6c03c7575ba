#if Hummingbird
import AuthKit
public import Hummingbird
import Logging

/// Answers every error thrown below it as JSON `{"error","message"}` with the status and headers AuthKit maps it
/// to (`AuthKitHTTPError`): AuthKit's errors with their RFC 6750 challenges and 503s, Hummingbird's own
/// (no route, a body too large) by their status, anything else a 500 whose details go to the log only.
///
/// Put it first on the router, so clients meet one error format whatever failed.
public struct AuthKitErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Passes the request on and turns any error it throws into a JSON error response.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = AuthKitHTTPError.hummingbird(error)
            if let detail = answer.logDetail {
                context.logger.error(
                    "request failed",
                    metadata: ["status": "\(answer.statusCode)", "error": "\(detail)"]
                )
            }
            return try answer.response(from: request, context: context)
        }
    }
}
#endif
