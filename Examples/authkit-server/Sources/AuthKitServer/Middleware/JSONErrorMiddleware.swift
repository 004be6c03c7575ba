public import Hummingbird

/// Turns every error thrown below it into a JSON `{"error","message"}` response (see ``APIError``), so that
/// clients meet one error format whatever failed: a route, a middleware, or Hummingbird's body decoding.
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
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
            return try APIError(error, logger: context.logger).response(from: request, context: context)
        }
    }
}
