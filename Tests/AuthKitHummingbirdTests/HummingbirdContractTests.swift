// Runs with the Hummingbird trait: swift test --traits Hummingbird. Without it the target is empty.
#if Hummingbird
import AuthKit
import AuthKitHummingbird
import AuthKitRedis
import AuthKitTesting
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import HummingbirdTesting
import Testing

/// AuthKit's HTTP contract (`AuthKitHTTPConformance`) through AuthKitHummingbird, with HummingbirdTesting, in memory
/// and against a real `redis-server` per check.
@Suite("AuthKitHummingbird: the HTTP contract")
struct HummingbirdContractTests {
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
        try await Application(router: router(app)).test(.router) { client in
            try await body(HummingbirdTestClient(client: client))
        }
    }

    /// The contract's app, as `AuthKitHTTPConformance.App` describes it.
    static func router(_ app: AuthKitHTTPConformance.App) -> Router<BasicAuthKitRequestContext> {
        typealias Context = BasicAuthKitRequestContext
        let auth = app.auth
        let router = Router(context: Context.self)
        router.add(middleware: AuthKitErrorMiddleware())
        router.addRoutes(AuthKitRoutes<Context>(app.endpoints).collection)
        let signedIn = router.group().add(middleware: AuthKitAuthenticator(auth))
        signedIn.group()
            .add(middleware: AuthKitRateLimitMiddleware(app.signedInPolicy, auth: auth))
            .get("me") { _, context in Response(AuthKitHTTPConformance.App.me(try context.requirePrincipal())) }
        signedIn.group()
            .add(
                middleware: AuthKitPermissionGuard(
                    AuthKitHTTPConformance.App.adminRequirement,
                    auth: auth,
                    load: AuthKitHTTPConformance.App.permissions
                )
            )
            .get("admin") { _, _ in Response(AuthKitHTTPConformance.App.ok) }
        signedIn.group()
            .add(
                middleware: AuthKitPermissionGuard(
                    AuthKitHTTPConformance.App.ordersRequirement,
                    auth: auth,
                    load: AuthKitHTTPConformance.App.permissions
                )
            )
            .get("orders") { _, _ in Response(AuthKitHTTPConformance.App.ok) }
        router.group()
            .add(
                middleware: AuthKitRateLimitMiddleware(
                    AuthKitHTTPConformance.App.addressPolicy,
                    key: .clientAddress,
                    auth: auth
                )
            )
            .get("public") { _, _ in Response(AuthKitHTTPConformance.App.ok) }
        return router
    }
}

/// HummingbirdTesting's client as the contract's.
struct HummingbirdTestClient: AuthKitHTTPTestClient {
    let client: any TestClientProtocol

    func send(_ request: AuthKitHTTPTestRequest) async throws -> AuthKitHTTPTestResponse {
        var headers = HTTPFields()
        for field in request.headers {
            if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        let response = try await client.execute(
            uri: request.path,
            method: HTTPRequest.Method(request.method) ?? .get,
            headers: headers,
            body: request.body.isEmpty ? nil : ByteBuffer(string: request.body)
        )
        return AuthKitHTTPTestResponse(
            status: response.status.code,
            headers: response.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: String(buffer: response.body)
        )
    }
}
#endif
