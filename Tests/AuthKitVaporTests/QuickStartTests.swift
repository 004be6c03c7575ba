// Runs with the Vapor trait: swift test --traits Vapor. Without it the target is empty.
#if Vapor
import AuthKitTesting
import AuthKitVapor
import Testing
import Vapor
import VaporTesting

/// The README's Vapor quick start: its lines are `app(users:)`'s body, word for word (a test below holds them
/// together), compiled and run here; only its last line, `execute`, is replaced by VaporTesting's client.
@Suite("README quick start: Vapor")
struct VaporQuickStartTests {
    // swift-format-ignore
    // README: vapor quick start, begin
    static func app(users: QuickStartUsers) async throws -> (app: Application, run: () async throws -> Void) {
        let auth = try await AuthKit(configuration: AuthKitConfiguration(
            issuer: "https://api.example.com", audience: "api", signingKeys: [try JWTKey.generate(.es256)]))
        let app = try await Application.make()
        app.middleware.use(AuthKitErrorMiddleware())
        app.lifecycle.use(AuthKitLifecycleHandler(auth))
        try app.register(collection: AuthKitRoutes(auth) { login in
            try await users.check(login.username, login.password).map { LoginIdentity(userID: $0.id) }
        })
        app.grouped(AuthKitBearerAuthenticator(auth))
            .get("orders") { request in "orders of \(try request.principal.userID)" }
        // README: vapor quick start, end
        return (app, { try await app.execute() })
    }

    @Test func theQuickStartProtectsARoute() async throws {
        let app = try await Self.app(users: QuickStartUsers()).app
        do {
            let anonymous = try await app.testing().sendRequest(.GET, "/orders")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers.first(name: .wwwAuthenticate) == "Bearer")
            let login = try await app.testing().sendRequest(
                .POST,
                "/login",
                headers: ["Content-Type": "application/json"],
                body: ByteBuffer(string: #"{"username":"alice","password":"secret"}"#)
            )
            #expect(login.status == .ok)
            let token = try #require(
                try JSONValue(parsing: String(buffer: login.body)).objectValue?["access_token"]?.stringValue
            )
            let orders = try await app.testing().sendRequest(
                .GET,
                "/orders",
                headers: ["Authorization": "Bearer \(token)"]
            )
            #expect(orders.status == .ok)
            #expect(String(buffer: orders.body) == "orders of alice")
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test func theReadmeShowsTheseLines() throws {
        try QuickStartText.expectReadmeBlock("vapor", matches: #filePath, lines: 15)
    }
}
#endif
