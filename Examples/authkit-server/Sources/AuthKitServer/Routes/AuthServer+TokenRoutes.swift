import AuthKit
import Hummingbird

extension AuthServer {
    /// `POST /login`, `POST /refresh`, `POST /logout`, `POST /logout-everywhere`.
    func addTokenRoutes(to router: Router<AuthServerContext>) {
        router.group()
            .add(middleware: RateLimitMiddleware(configuration.loginPolicy, auth: auth, key: Self.loginKey))
            .post("login", use: login)
        router.group()
            .add(
                middleware: RateLimitMiddleware(configuration.refreshPolicy, auth: auth) { _, context in
                    "refresh:\(context.clientAddress)"
                }
            )
            .post("refresh", use: refresh)
        authenticatedGroup(router)
            .post("logout", use: logout)
            .post("logout-everywhere", use: logoutEverywhere)
    }

    /// Login attempts are counted per username, failed or not, so guessing one account's password is slow
    /// whatever the number of client addresses. A body without a username is counted against the address.
    @Sendable static func loginKey(_ request: inout Request, _ context: AuthServerContext) async throws -> String {
        _ = try await request.collectBody(upTo: context.maxUploadSize)
        guard let login = try? await request.decode(as: LoginRequest.self, context: context) else {
            return "login-address:\(context.clientAddress)"
        }
        guard login.username.utf8.count <= 128 else {
            throw APIError(.badRequest, code: "bad_request", message: "the username is too long")
        }
        return "login:\(login.username)"
    }

    @Sendable func login(_ request: Request, context: AuthServerContext) async throws -> TokenResponse {
        let login = try await request.decode(as: LoginRequest.self, context: context)
        guard let user = try await users.authenticate(username: login.username, password: login.password) else {
            throw APIError(
                .unauthorized,
                code: "invalid_credentials",
                message: "the username or the password is wrong",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let device = DeviceInfo(
            name: login.device ?? "",
            ipAddress: context.clientAddress,
            userAgent: request.headers[.userAgent] ?? ""
        )
        return TokenResponse(try await auth.login(userID: user.username, device: device))
    }

    /// A refresh token presented twice is taken as stolen: AuthKit ends that login, so both the thief and the
    /// user must log in again.
    @Sendable func refresh(_ request: Request, context: AuthServerContext) async throws -> TokenResponse {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        return TokenResponse(try await auth.refresh(body.refreshToken))
    }

    @Sendable func logout(_ request: Request, context: AuthServerContext) async throws -> HTTPResponse.Status {
        try await auth.logout(accessToken: try context.requireUser().accessToken)
        return .noContent
    }

    @Sendable func logoutEverywhere(
        _ request: Request,
        context: AuthServerContext
    ) async throws -> HTTPResponse.Status {
        try await auth.logoutEverywhere(userID: try context.requireUser().principal.userID)
        return .noContent
    }
}
