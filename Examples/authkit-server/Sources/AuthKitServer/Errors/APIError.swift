import Foundation
public import Hummingbird

/// An error answered as JSON `{"error": code, "message": …}` with its status and headers.
public struct APIError: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_token`, `rate_limited`, …).
    public var code: String
    /// A human-readable explanation, free of tokens, passwords and store internals.
    public var message: String
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`, rate-limit fields).
    public var headers: HTTPFields

    /// Creates an error response.
    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// A request without an `Authorization` header on a route that needs one (RFC 6750 §3.1: no error code).
    public static let missingCredentials = APIError(
        .unauthorized,
        code: "missing_credentials",
        message: "this route needs an Authorization: Bearer access token",
        headers: [.wwwAuthenticate: "Bearer"]
    )

    /// A bearer token (access or refresh) that is malformed, expired, revoked or of an ended session.
    public static func invalidToken(_ message: String) -> APIError {
        APIError(
            .unauthorized,
            code: "invalid_token",
            message: message,
            headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""]
        )
    }

    /// The encoded body.
    struct Body: Encodable {
        let error: String
        let message: String
    }

    /// The JSON error response (`{"error","message"}`) with the status and headers this error calls for.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            Body(error: code, message: message),
            from: request,
            context: context
        )
        response.status = status
        response.headers.append(contentsOf: headers)
        return response
    }
}
