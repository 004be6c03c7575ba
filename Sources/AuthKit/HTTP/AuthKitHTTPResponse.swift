/// A successful answer of one of AuthKit's HTTP endpoints, before a framework puts it on the wire: the status, the
/// headers and the JSON body (none for a 204 or an RFC 7009 revocation).
public struct AuthKitHTTPResponse: Sendable {
    /// The HTTP status code.
    public var statusCode: Int
    /// The headers, `Content-Type` included when there is a body.
    public var headers: [(name: String, value: String)]
    /// The body, JSON text; nil for none.
    public var body: String?

    /// Creates an answer.
    public init(statusCode: Int, headers: [(name: String, value: String)] = [], body: String? = nil) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    /// A 200 with `object` as its JSON body, and any `headers` after `Content-Type`.
    static func json(_ value: JSONValue, headers: [(name: String, value: String)] = []) -> AuthKitHTTPResponse {
        AuthKitHTTPResponse(
            statusCode: 200,
            headers: [(name: "Content-Type", value: "application/json")] + headers,
            body: value.jsonTextOrEmpty
        )
    }

    /// A 204 with no body.
    static let noContent = AuthKitHTTPResponse(statusCode: 204)
}
