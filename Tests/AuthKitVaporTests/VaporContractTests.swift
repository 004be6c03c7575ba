// Runs with the Vapor trait: swift test --traits Vapor. Without it the target is empty.
#if Vapor
import AuthKit
import AuthKitRedis
import AuthKitTesting
import AuthKitVapor
import Testing
import Vapor
import VaporTesting

/// AuthKit's HTTP contract (`AuthKitHTTPConformance`) through AuthKitVapor, with VaporTesting, in memory and
/// against a real `redis-server` per check.
@Suite("AuthKitVapor: the HTTP contract")
struct VaporContractTests {
    @Test("in memory", arguments: AuthKitHTTPConformance.checks)
    func inMemory(_ check: AuthKitHTTPConformance.HTTPCheck) async throws {
        try await check.run(AuthKitHTTPConformance(makeStore: AuthKitHTTPConformance.inMemory, serve: Self.serve))
    }

    @Test("on Redis", arguments: AuthKitHTTPConformance.checks)
    func onRedis(_ check: AuthKitHTTPConformance.HTTPCheck) async throws {
        let makeStore = AuthKitHTTPConformance.redis { AuthKitStore.redis(url: $0) }
        try await check.run(AuthKitHTTPConformance(makeStore: makeStore, serve: Self.serve))
    }

    static let serve: AuthKitHTTPConformance.Serve = { app, body in
        let setUp: (Application) async throws -> Void = { application in try configure(application, app) }
        try await withApp(configure: setUp) { application in
            try await body(VaporTestClient(application: application))
        }
    }

    /// The contract's app, as `AuthKitHTTPConformance.App` describes it.
    static func configure(_ application: Application, _ app: AuthKitHTTPConformance.App) throws {
        typealias App = AuthKitHTTPConformance.App
        let auth = app.auth
        application.middleware = Middlewares()
        application.middleware.use(AuthKitErrorMiddleware())
        try application.register(collection: AuthKitRoutes(app.endpoints))
        let signedIn = application.grouped(AuthKitBearerAuthenticator(auth))
        signedIn.grouped(AuthKitRateLimitMiddleware(app.signedInPolicy, auth: auth))
            .get("me") { request in Response(App.me(try request.principal)) }
        signedIn.grouped(AuthKitPermissionMiddleware(App.adminRequirement, auth: auth, load: App.permissions))
            .get("admin") { _ in Response(App.ok) }
        signedIn.grouped(AuthKitPermissionMiddleware(App.ordersRequirement, auth: auth, load: App.permissions))
            .get("orders") { _ in Response(App.ok) }
        application.grouped(AuthKitRateLimitMiddleware(App.addressPolicy, key: .clientAddress, auth: auth))
            .get("public") { _ in Response(App.ok) }
    }
}

/// VaporTesting's in-memory client as the contract's.
struct VaporTestClient: AuthKitHTTPTestClient {
    let application: Application

    func send(_ request: AuthKitHTTPTestRequest) async throws -> AuthKitHTTPTestResponse {
        let response = try await application.testing().sendRequest(
            HTTPMethod(rawValue: request.method),
            request.path,
            headers: HTTPHeaders(request.headers),
            body: request.body.isEmpty ? nil : ByteBuffer(string: request.body)
        )
        return AuthKitHTTPTestResponse(
            status: Int(response.status.code),
            headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: String(buffer: response.body)
        )
    }
}
#endif
