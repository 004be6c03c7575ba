public import Hummingbird

/// The answer to `GET /admin`, reached only with an `admin:` permission.
public struct AdminResponse: ResponseEncodable, Sendable {
    /// A greeting for the administrator.
    public let message: String
}
