#if Hummingbird
public import AuthKit
public import Hummingbird
public import HummingbirdAuth
public import NIOCore

/// A ready-made request context for AuthKit's middleware: hummingbird-auth's `AuthRequestContext` with AuthKit's
/// `Principal` as its identity, and the client's address (for per-address rate limits and the device of a login).
///
/// An app's own context works as well: conform it to `AuthRequestContext` with `var identity: Principal?` (and to
/// `RemoteAddressRequestContext` for the client's address).
public struct BasicAuthKitRequestContext: AuthRequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage (logger, route parameters).
    public var coreContext: CoreRequestContextStorage
    /// The verified principal, set by ``AuthKitAuthenticator``.
    public var identity: Principal?
    /// The peer's address; nil when not known (as in router tests).
    public let remoteAddress: SocketAddress?

    /// Creates the context of a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
        identity = nil
    }
}

extension RequestContext {
    /// The client's IP address when the context knows it (`RemoteAddressRequestContext`), else an empty string.
    var authKitClientAddress: String {
        (self as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? ""
    }
}

extension AuthRequestContext where Identity == Principal {
    /// The principal ``AuthKitAuthenticator`` verified, or a 401 (`missing_credentials`, `WWW-Authenticate: Bearer`)
    /// on a route reached without one.
    public func requirePrincipal() throws(AuthKitHTTPError) -> Principal {
        guard let identity else { throw AuthKitHTTPError.missingCredentials }
        return identity
    }
}
#endif
