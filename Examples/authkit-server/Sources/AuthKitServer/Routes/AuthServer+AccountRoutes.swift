import AuthKit
import Hummingbird

extension AuthServer {
    /// `GET /me`, `GET /sessions`, `DELETE /sessions/{id}` and `GET /admin`.
    func addAccountRoutes(to router: Router<AuthServerContext>) {
        let signedIn = authenticatedGroup(router)
        signedIn.get("me", use: me)
        signedIn.get("sessions", use: sessions)
        signedIn.delete("sessions/{id}", use: endSession)
        signedIn.group()
            .add(middleware: PermissionGuardMiddleware("admin:dashboard", auth: auth, users: users))
            .get("admin", use: admin)
    }

    @Sendable func me(_ request: Request, context: AuthServerContext) async throws -> MeResponse {
        let principal = try context.requireUser().principal
        let users = self.users
        let permissions = try await auth.permissions(for: principal.userID) { users.permissions(of: $0) }
        return MeResponse(sub: principal.userID, sid: principal.sessionID, permissions: permissions.grants.sorted())
    }

    @Sendable func sessions(_ request: Request, context: AuthServerContext) async throws -> [SessionResponse] {
        let principal = try context.requireUser().principal
        return try await auth.sessions(of: principal.userID).map {
            SessionResponse($0, currentSessionID: principal.sessionID)
        }
    }

    /// Ends one of the caller's own sessions: the id is looked up under the caller's user id, so no one can
    /// end another user's session by guessing its id.
    @Sendable func endSession(_ request: Request, context: AuthServerContext) async throws -> HTTPResponse.Status {
        let principal = try context.requireUser().principal
        let id = try context.parameters.require("id")
        guard try await auth.logout(sessionID: id, userID: principal.userID) else {
            throw APIError(.notFound, code: "not_found", message: "no live session has this id")
        }
        return .noContent
    }

    @Sendable func admin(_ request: Request, context: AuthServerContext) async throws -> AdminResponse {
        AdminResponse(message: "welcome, \(try context.requireUser().principal.userID)")
    }
}
