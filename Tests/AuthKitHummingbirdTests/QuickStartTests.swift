// Runs with the Hummingbird trait: swift test --traits Hummingbird. Without it the target is empty.
#if Hummingbird
import AuthKitHummingbird
import AuthKitTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The README's Hummingbird quick start: its lines are `app(users:)`'s body, word for word (a test below holds
/// them together), compiled and run here; only its last line, `runService`, is replaced by a router test.
@Suite("README quick start: Hummingbird")
struct HummingbirdQuickStartTests {
    // swift-format-ignore
    // README: hummingbird quick start, begin
    static func app(users: QuickStartUsers) async throws -> (app: some ApplicationProtocol, run: () async throws -> Void) {
        let auth = try await AuthKit(configuration: AuthKitConfiguration(
            issuer: "https://api.example.com", audience: "api", signingKeys: [try JWTKey.generate(.es256)]))
        let router = Router(context: BasicAuthKitRequestContext.self)
        router.add(middleware: AuthKitErrorMiddleware())
        router.addRoutes(AuthKitRoutes(auth) { login in
            try await users.check(login.username, login.password).map { LoginIdentity(userID: $0.id) }
        }.collection)
        router.group().add(middleware: AuthKitAuthenticator(auth))
            .get("orders") { _, context in "orders of \(try context.requirePrincipal().userID)" }
        let app = Application(router: router, services: [auth])
        // README: hummingbird quick start, end
        return (app, { try await app.runService() })
    }

    @Test func theQuickStartProtectsARoute() async throws {
        try await Self.app(users: QuickStartUsers()).app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/orders", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            let login = try await client.execute(
                uri: "/login",
                method: .post,
                body: ByteBuffer(string: #"{"username":"alice","password":"secret"}"#)
            )
            #expect(login.status == .ok)
            let token = try #require(
                try JSONValue(parsing: String(buffer: login.body)).objectValue?["access_token"]?.stringValue
            )
            let orders = try await client.execute(
                uri: "/orders",
                method: .get,
                headers: [.authorization: "Bearer \(token)"]
            )
            #expect(orders.status == .ok)
            #expect(String(buffer: orders.body) == "orders of alice")
        }
    }

    @Test func theReadmeShowsTheseLines() throws {
        try QuickStartText.expectReadmeBlock("hummingbird", matches: #filePath, lines: 15)
    }
}
#endif
