/// A request sent by ``AuthKitHTTPConformance`` through a framework's test client.
public struct AuthKitHTTPTestRequest: Sendable {
    /// `GET`, `POST`, `DELETE`.
    public var method: String
    /// The path, from `/`.
    public var path: String
    /// The header fields.
    public var headers: [(name: String, value: String)]
    /// The body (empty for none).
    public var body: String

    /// Creates a request.
    public init(_ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: String = "") {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// The answer to an ``AuthKitHTTPTestRequest``.
public struct AuthKitHTTPTestResponse: Sendable, CustomStringConvertible {
    /// The status code.
    public var status: Int
    /// The header fields.
    public var headers: [(name: String, value: String)]
    /// The body as text.
    public var body: String

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first field named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(status) \(body.prefix(300))" }
}

/// What a framework adapter hands the suite: a way to send requests to the app it built.
public protocol AuthKitHTTPTestClient: Sendable {
    /// Sends `request` to the app and returns its answer.
    func send(_ request: AuthKitHTTPTestRequest) async throws -> AuthKitHTTPTestResponse
}
