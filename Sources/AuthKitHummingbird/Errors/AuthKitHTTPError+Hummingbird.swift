#if Hummingbird
public import AuthKit
public import HTTPTypes
public import Hummingbird
import NIOCore

extension AuthKitHTTPError: HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    /// The headers this answer carries (`WWW-Authenticate`, `Retry-After`, rate-limit fields).
    public var headers: HTTPFields { HTTPFields(authKit: headerFields) }

    /// The JSON answer `{"error","message"}` with this error's status and headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: HTTPFields(authKit: [(name: "Content-Type", value: "application/json")] + headerFields),
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// The answer for any error thrown in a Hummingbird app: AuthKit's own as AuthKit maps them, Hummingbird's
    /// (`HTTPError`, any `HTTPResponseError`) by their status, anything else a 500.
    public static func hummingbird(_ error: any Error) -> AuthKitHTTPError {
        if let known = AuthKitHTTPError(recognizing: error) { return known }
        switch error {
        case let error as HTTPError:
            return .framework(
                statusCode: error.status.code,
                message: error.body,
                reasonPhrase: error.status.reasonPhrase,
                headerFields: error.headers.map { (name: $0.name.rawName, value: $0.value) }
            )
        case let error as any HTTPResponseError:
            return .framework(statusCode: error.status.code, message: nil, reasonPhrase: error.status.reasonPhrase)
        default:
            return .internalError(String(describing: error))
        }
    }
}

extension AuthKitError: HTTPResponseError {
    /// The HTTP status AuthKit gives this error (see `AuthKitHTTPError`).
    public var status: HTTPResponse.Status { AuthKitHTTPError(self).status }

    /// The headers AuthKit gives this error (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields { AuthKitHTTPError(self).headers }

    /// The JSON answer `{"error","message"}` with this error's status and headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try AuthKitHTTPError(self).response(from: request, context: context)
    }
}

extension HTTPFields {
    /// Fields from AuthKit's (name, value) pairs; a name that is not a valid field name is skipped.
    init(authKit fields: [(name: String, value: String)]) {
        self.init()
        for field in fields {
            if let name = HTTPField.Name(field.name) { append(HTTPField(name: name, value: field.value)) }
        }
    }
}

extension Response {
    /// The Hummingbird response for one of AuthKit's endpoint answers (`AuthKitHTTPEndpoints`).
    public init(_ answer: AuthKitHTTPResponse) {
        self.init(
            status: HTTPResponse.Status(code: answer.statusCode),
            headers: HTTPFields(authKit: answer.headers),
            body: answer.body.map { ResponseBody(byteBuffer: ByteBuffer(string: $0)) } ?? ResponseBody()
        )
    }
}
#endif
