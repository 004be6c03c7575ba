#if Hummingbird
public import AuthKit
public import Hummingbird
public import HummingbirdAuth

/// Lets a request through only when its principal's permissions meet a requirement (`"orders:write"`, all or any
/// of a set; wildcards such as `orders:*` in the user's grants match); otherwise a 403 with an RFC 6750
/// `insufficient_scope` challenge naming the permissions. Goes after ``AuthKitAuthenticator``.
///
/// Permissions come from AuthKit's permission cache, which calls `load` only on a miss.
public struct AuthKitPermissionGuard<Context: AuthRequestContext>: RouterMiddleware
where Context.Identity == Principal {
    private let verifier: AuthKitVerifier
    private let requirement: PermissionRequirement
    private let load: @Sendable (_ userID: String) async throws -> PermissionSet?

    /// Creates a guard for `requirement` over a verify-only service.
    public init(
        _ requirement: PermissionRequirement,
        verifier: AuthKitVerifier,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) {
        self.requirement = requirement
        self.verifier = verifier
        self.load = load
    }

    /// Creates a guard for `requirement` over an issuer's verifier.
    public init(
        _ requirement: PermissionRequirement,
        auth: AuthKit,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) {
        self.init(requirement, verifier: auth.verifier, load: load)
    }

    /// Passes the request on only when the principal meets the requirement.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await verifier.require(requirement, of: principal.userID, load: load)
        return try await next(request, context)
    }
}
#endif
