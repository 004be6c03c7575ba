public import Hummingbird

/// The request context of every route: Hummingbird's core context, the client's address, and the user once
/// authenticated.
public struct AuthServerContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters).
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, or an empty string when it is not known (as in router tests).
    public let clientAddress: String
    /// The authenticated user; `nil` until ``BearerAuthenticationMiddleware`` has run.
    public var user: AuthenticatedUser?

    /// Creates the context of a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? ""
        user = nil
    }

    /// Request bodies here are small JSON documents.
    public var maxUploadSize: Int { 16 * 1024 }

    /// The authenticated user, or a 401 when the route was reached without ``BearerAuthenticationMiddleware``.
    public func requireUser() throws(APIError) -> AuthenticatedUser {
        guard let user else { throw APIError.missingCredentials }
        return user
    }
}
