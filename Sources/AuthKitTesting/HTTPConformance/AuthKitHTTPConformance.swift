public import AuthKit
import Synchronization

/// The HTTP contract every AuthKit framework integration must keep, as checks that run against any of them: the
/// route group's endpoints, the authenticator, the permission guard, the rate-limit middleware and the error
/// mapping, with every status, challenge and JSON body, over any store.
///
/// A framework adapter builds ``App`` as its documentation says and hands the suite a client; the store comes
/// from ``makeStore`` (in memory, or a real `redis-server`), whose outage the checks can bring about. Time moves
/// only through the check's `ManualClock`, which the Redis store reads as well.
///
/// ```swift
/// @Test(arguments: AuthKitHTTPConformance.checks)
/// func contract(_ check: AuthKitHTTPConformance.HTTPCheck) async throws {
///     try await check.run(AuthKitHTTPConformance(makeStore: AuthKitHTTPConformance.inMemory) { app, body in
///         try await buildApplication(app).test(.router) { client in try await body(Adapter(client)) }
///     })
/// }
/// ```
public struct AuthKitHTTPConformance: Sendable {
    /// Builds the framework app for `app`, and runs `body` with a client of it.
    public typealias Serve =
        @Sendable (
            _ app: App,
            _ body: @Sendable (any AuthKitHTTPTestClient) async throws -> Void
        ) async throws -> Void

    /// A store for one check, and how to take it away.
    public struct Store: Sendable {
        /// The store the check's AuthKit opens.
        public var store: AuthKitStore
        /// Makes the store unreachable (stops the server, or fails every call).
        public var outage: @Sendable () async -> Void
        /// Releases what the store holds (a server process) once the check is over.
        public var release: @Sendable () async -> Void

        /// Creates a store description.
        public init(
            store: AuthKitStore,
            outage: @escaping @Sendable () async -> Void,
            release: @escaping @Sendable () async -> Void = {}
        ) {
            self.store = store
            self.outage = outage
            self.release = release
        }
    }

    /// Makes the store of one check.
    public typealias MakeStore = @Sendable () async throws -> Store

    /// One named rule of the contract, with the code that checks it: `check.run(suite)`.
    public struct HTTPCheck: Sendable, CustomStringConvertible {
        /// A short name for test reports.
        public let name: String
        let body: @Sendable (Fixture) async throws -> Void

        /// Runs the check against the app `suite` serves; throws ``ConformanceFailure`` on a breach.
        public func run(_ suite: AuthKitHTTPConformance) async throws {
            let clock = ManualClock()
            let store = try await suite.makeStore()
            do {
                let auth = try await AuthKit(
                    configuration: AuthKitConfiguration(
                        issuer: "https://authkit.test",
                        audience: "api",
                        signingKeys: [try JWTKey.hs256(Array("a 32-byte secret for the tests!!".utf8), kid: "k1")]
                    ),
                    store: store.store,
                    clock: clock.timeSource
                )
                try await suite.serve(App(auth: auth)) { client in
                    try await body(Fixture(name: name, client: client, clock: clock, outage: store.outage))
                }
                await auth.shutdown()
            } catch {
                await store.release()
                throw error
            }
            await store.release()
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }
    }

    /// The stores the checks run against.
    public let makeStore: MakeStore
    /// The framework adapter.
    public let serve: Serve

    /// Creates a suite for the app `serve` builds, over the stores `makeStore` makes.
    public init(makeStore: @escaping MakeStore, serve: @escaping Serve) {
        self.makeStore = makeStore
        self.serve = serve
    }

    /// An in-memory store whose token store can be made to fail, as a store that cannot be reached.
    public static let inMemory: MakeStore = {
        let tokens = SwitchableTokens()
        let store = AuthKitStore(name: "in-memory, switchable") { _, clock in
            let store = tokens.open(clock)
            return AuthKitStore.Backends(
                tokens: store,
                rateLimits: InMemoryRateLimitStore(clock: clock),
                permissions: InMemoryPermissionStore(clock: clock),
                invalidations: InMemoryPermissionInvalidationBus()
            )
        }
        return Store(store: store, outage: { tokens.fail() })
    }

    /// A store in a `redis-server` started for the check, stopped by its outage and at the end; `open` makes the
    /// store for the server's URL (`{ AuthKitStore.redis(url: $0) }`: AuthKitTesting does not link the Redis store).
    public static func redis(_ open: @escaping @Sendable (_ url: String) -> AuthKitStore) -> MakeStore {
        {
            let server = try await RedisTestServer.start()
            return Store(store: open(server.url), outage: { await server.kill() }, release: { await server.stop() })
        }
    }

    /// Every check of the suite.
    public static let checks: [HTTPCheck] =
        tokenChecks + guardChecks + sessionChecks + revocationChecks
        + introspectionChecks + outageChecks
}

/// The token store of ``AuthKitHTTPConformance/inMemory``, made at the first open and failing once told to.
private final class SwitchableTokens: Sendable {
    private let store = Mutex<InstrumentedTokenStore?>(nil)

    func open(_ clock: TimeSource) -> InstrumentedTokenStore {
        store.withLock { store in
            if let store { return store }
            let opened = InstrumentedTokenStore(clock: clock)
            store = opened
            return opened
        }
    }

    func fail() {
        store.withLock { $0?.setFailing(true) }
    }
}
