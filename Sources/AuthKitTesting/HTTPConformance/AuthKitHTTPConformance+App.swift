public import AuthKit

extension AuthKitHTTPConformance {
    /// The app every framework adapter builds for the suite, around ``auth``:
    ///
    /// 1. `AuthKitErrorMiddleware` first;
    /// 2. AuthKit's route group over ``endpoints``, at the root;
    /// 3. `GET /me` behind the authenticator and the per-user limit ``signedInPolicy`` (key `.principal`), answering
    ///    ``me(_:)``;
    /// 4. `GET /admin` behind the authenticator and a permission guard for ``adminRequirement`` (loaded by
    ///    ``permissions``), answering ``ok``;
    /// 5. `GET /orders`, the same with ``ordersRequirement``;
    /// 6. `GET /public` behind a rate limit on the client's address under ``addressPolicy``, answering ``ok``.
    public struct App: Sendable {
        /// The issuer behind the routes.
        public let auth: AuthKit
        /// AuthKit's route group: demo users `alice`/`alice-password` (`admin:*`, `orders:*`, login claim
        /// `tenant=acme`), `bob`/`bob-password` (`orders:read`), `carol`/`carol-password` (the introspection
        /// permission).
        public let endpoints: AuthKitHTTPEndpoints

        /// The permission of `GET /admin`.
        public static let adminRequirement: PermissionRequirement = "admin:dashboard"
        /// The requirement of `GET /orders`: any of two permissions.
        public static let ordersRequirement: PermissionRequirement = .any(["orders:write", "orders:admin"])
        /// The limit of `GET /public`, per client address. A sliding window: a Redis store decides at the server's
        /// `TIME`, which the check's manual clock does not move, and a fixed window would start its count again if
        /// the server's minute turned between the check's three requests (the third would then be allowed).
        public static let addressPolicy = RateLimitPolicy(
            limit: 2,
            window: .seconds(60),
            algorithm: .slidingWindow,
            name: "public"
        )
        /// The limit of `GET /me`, per user (the route group's signed-in limit).
        public var signedInPolicy: RateLimitPolicy { endpoints.configuration.signedInPolicy ?? .perMinute(600) }

        /// The demo users' permissions.
        public static let permissions: AuthKitHTTPEndpoints.PermissionLoader = { userID in
            switch userID {
            case "alice": ["admin:*", "orders:*"]
            case "bob": ["orders:read"]
            case "carol": ["authkit:introspect"]
            default: nil
            }
        }

        /// Creates the app state around `auth`.
        init(auth: AuthKit) {
            self.auth = auth
            self.endpoints = AuthKitHTTPEndpoints(auth: auth, permissions: Self.permissions) { credentials in
                guard credentials.password == "\(credentials.username)-password",
                    ["alice", "bob", "carol"].contains(credentials.username)
                else { return nil }
                return LoginIdentity(
                    userID: credentials.username,
                    claims: credentials.username == "alice" ? ["tenant": "acme"] : [:]
                )
            }
        }

        /// The answer of `GET /me`: `{"sub","sid","tenant"}`.
        public static func me(_ principal: Principal) -> AuthKitHTTPResponse {
            var body = "{\"sub\":\"\(principal.userID)\",\"sid\":\"\(principal.sessionID ?? "")\""
            if let tenant = principal.claims["tenant"]?.stringValue { body += ",\"tenant\":\"\(tenant)\"" }
            return AuthKitHTTPResponse(
                statusCode: 200,
                headers: [(name: "Content-Type", value: "application/json")],
                body: body + "}"
            )
        }

        /// The answer of the guarded and limited routes: `{"ok":true}`.
        public static let ok = AuthKitHTTPResponse(
            statusCode: 200,
            headers: [(name: "Content-Type", value: "application/json")],
            body: #"{"ok":true}"#
        )
    }
}
