public import AuthKit
public import Hummingbird

/// Lets a request through only when the authenticated user holds `permission` (wildcards such as `admin:*`
/// in the user's grants match); otherwise a 403. Goes after ``BearerAuthenticationMiddleware``.
///
/// Permissions come from AuthKit's permission cache, which asks the ``UserDirectory`` only on a miss.
public struct PermissionGuardMiddleware: RouterMiddleware {
    /// The request context this middleware reads the user from.
    public typealias Context = AuthServerContext

    private let auth: AuthKit
    private let users: UserDirectory
    private let permission: String

    /// Creates a guard for `permission`.
    public init(_ permission: String, auth: AuthKit, users: UserDirectory) {
        self.permission = permission
        self.auth = auth
        self.users = users
    }

    /// Passes the request on only when the authenticated user holds the required permission.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let user = try context.requireUser()
        let users = self.users
        try await auth.require(permission, of: user.principal.userID) { users.permissions(of: $0) }
        return try await next(request, context)
    }
}
