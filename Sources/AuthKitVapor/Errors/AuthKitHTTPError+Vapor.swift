#if Vapor
public import AuthKit
public import Vapor

extension AuthKitHTTPError: AbortError {
    /// The HTTP status.
    public var status: HTTPResponseStatus { HTTPResponseStatus(statusCode: statusCode) }

    /// The message, Vapor's `reason`.
    public var reason: String { message }

    /// The headers this answer carries (`WWW-Authenticate`, `Retry-After`, rate-limit fields).
    public var headers: HTTPHeaders { HTTPHeaders(headerFields) }

    /// The JSON answer `{"error","message"}` with this error's status and headers.
    public var response: Response {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        headers.add(contentsOf: self.headers)
        return Response(status: status, headers: headers, body: Response.Body(string: body))
    }

    /// The answer for any error thrown in a Vapor app: AuthKit's own as AuthKit maps them, Vapor's (`Abort`, any
    /// `AbortError`) by their status, anything else a 500.
    public static func vapor(_ error: any Error) -> AuthKitHTTPError {
        if let known = AuthKitHTTPError(recognizing: error) { return known }
        if let error = error as? any AbortError {
            return .framework(
                statusCode: Int(error.status.code),
                message: error.reason,
                reasonPhrase: error.status.reasonPhrase,
                headerFields: error.headers.map { (name: $0.name, value: $0.value) }
            )
        }
        return .internalError(String(describing: error))
    }
}

extension AuthKitError: AbortError {
    /// The HTTP status AuthKit gives this error (see `AuthKitHTTPError`).
    public var status: HTTPResponseStatus { AuthKitHTTPError(self).status }

    /// The message, Vapor's `reason`.
    public var reason: String { AuthKitHTTPError(self).message }

    /// The headers AuthKit gives this error (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPHeaders { AuthKitHTTPError(self).headers }
}

extension Response {
    /// The Vapor response for one of AuthKit's endpoint answers (`AuthKitHTTPEndpoints`).
    public convenience init(_ answer: AuthKitHTTPResponse) {
        self.init(
            status: HTTPResponseStatus(statusCode: answer.statusCode),
            headers: HTTPHeaders(answer.headers),
            body: answer.body.map { Response.Body(string: $0) } ?? .empty
        )
    }
}

extension Request {
    /// The client's IP address, or an empty string when it is not known.
    var authKitClientAddress: String {
        remoteAddress?.ipAddress ?? ""
    }

    /// The collected body as text (empty when there is none).
    var authKitBody: String {
        body.string ?? ""
    }
}
#endif
