import AuthKitClock
import Foundation

/// What AuthKit's HTTP routes do, without the framework: each method reads a request's parts, calls the facade, and
/// returns the answer or throws it as an ``AuthKitHTTPError`` (with the rate-limit fields of a charged request).
/// The Hummingbird and Vapor route groups are thin adapters over these methods, so both behave alike.
///
/// | Route | Method here | Answer |
/// | --- | --- | --- |
/// | `POST /login` `{"username","password","device"}` | ``login(body:clientAddress:userAgent:)`` | 200 token response; 401 `invalid_credentials` |
/// | `POST /refresh` `{"refresh_token"}` | ``refresh(body:clientAddress:)`` | 200 token response; 401 `invalid_token` |
/// | `POST /logout`, `POST /logout-everywhere` | ``logout(_:)``, ``logoutEverywhere(_:)`` | 204 |
/// | `GET /sessions`, `DELETE /sessions/{id}` | ``sessions(of:)``, ``endSession(_:of:)`` | 200 list; 204 or 404 |
/// | `POST /revoke` (RFC 7009) | ``revoke(body:clientAddress:)`` | 200, also for unknown tokens |
/// | `POST /introspect` (RFC 7662) | ``introspect(body:caller:)`` | 200 `{"active":…}` |
/// | `GET /.well-known/jwks.json` | ``jwks()`` | 200 the public keys |
public struct AuthKitHTTPEndpoints: Sendable {
    /// Checks a login's username and password: the application's one job in the login route. Returns the identity
    /// that logs in, or nil for an unknown username or a wrong password (answered 401 `invalid_credentials`).
    public typealias CredentialCheck = @Sendable (_ credentials: LoginCredentials) async throws -> LoginIdentity?
    /// Loads a user's permissions, for the introspection permission (nil: the user has none).
    public typealias PermissionLoader = @Sendable (_ userID: String) async throws -> PermissionSet?

    /// The issuer behind the routes.
    public let auth: AuthKit
    /// The limits and the introspection permission.
    public let configuration: AuthKitEndpointConfiguration
    private let credentials: CredentialCheck
    private let permissions: PermissionLoader?

    /// Creates the endpoints of `auth`; `credentials` checks logins, `permissions` (optional) lets callers holding
    /// ``AuthKitEndpointConfiguration/introspectionPermission`` introspect any user's tokens.
    public init(
        auth: AuthKit,
        configuration: AuthKitEndpointConfiguration = AuthKitEndpointConfiguration(),
        permissions: PermissionLoader? = nil,
        credentials: @escaping CredentialCheck
    ) {
        self.auth = auth
        self.configuration = configuration
        self.permissions = permissions
        self.credentials = credentials
    }

    // MARK: Tokens

    /// `POST /login`: counted per username (a body without one per client address) before the password is
    /// checked, so guessing one account's password stays slow from any number of addresses.
    public func login(body: String, clientAddress: String, userAgent: String) async throws -> AuthKitHTTPResponse {
        let fields = try? Self.jsonObject(body)
        let username = fields?["username"]?.stringValue
        if let username, username.utf8.count > configuration.maxUsernameBytes {
            throw AuthKitHTTPError.badRequest("the username is too long")
        }
        let key = username ?? "address:\(clientAddress)"
        return try await limited(configuration.loginPolicy, key: key) {
            guard let fields, let username, let password = fields["password"]?.stringValue else {
                throw AuthKitHTTPError.badRequest("the body must be a JSON object with \"username\" and \"password\"")
            }
            let device = fields["device"]?.stringValue ?? ""
            let login = LoginCredentials(username: username, password: password, device: device)
            guard let identity = try await credentials(login) else {
                throw AuthKitHTTPError(
                    statusCode: 401,
                    code: "invalid_credentials",
                    message: "the username or the password is wrong",
                    headerFields: [(name: "WWW-Authenticate", value: "Bearer")]
                )
            }
            let pair = try await auth.login(
                userID: identity.userID,
                device: DeviceInfo(name: device, ipAddress: clientAddress, userAgent: userAgent),
                claims: identity.claims
            )
            return .json(Self.tokenResponse(pair))
        }
    }

    /// `POST /refresh`: counted per client address. A refresh token presented twice is taken as stolen: AuthKit
    /// ends that login, so both the thief and the user must log in again.
    public func refresh(body: String, clientAddress: String) async throws -> AuthKitHTTPResponse {
        try await limited(configuration.refreshPolicy, key: clientAddress) {
            guard let token = (try? Self.jsonObject(body))?["refresh_token"]?.stringValue else {
                throw AuthKitHTTPError.badRequest("the body must be a JSON object with \"refresh_token\"")
            }
            return .json(Self.tokenResponse(try await auth.refresh(token)))
        }
    }

    /// `POST /logout`: the caller's access token is denylisted and its session ended.
    public func logout(_ principal: Principal) async throws -> AuthKitHTTPResponse {
        try await mapped { try await auth.logout(principal) }
        return .noContent
    }

    /// `POST /logout-everywhere`: every session of the caller's user ends, and every token issued until now.
    public func logoutEverywhere(_ principal: Principal) async throws -> AuthKitHTTPResponse {
        try await mapped { try await auth.logoutEverywhere(userID: principal.userID) }
        return .noContent
    }

    // MARK: Sessions

    /// `GET /sessions`: the caller's live sessions, oldest first, the caller's own marked `current`.
    public func sessions(of principal: Principal) async throws -> AuthKitHTTPResponse {
        let sessions = try await mapped { try await auth.sessions(of: principal.userID) }
        return .json(.array(sessions.map { Self.sessionEntry($0, current: principal.sessionID) }))
    }

    /// `DELETE /sessions/{id}`: ends one of the caller's own sessions; the id is looked up under the caller's user
    /// id, so no one can end another user's session by guessing its id (404 for no live session of the caller's).
    public func endSession(_ sessionID: String, of principal: Principal) async throws -> AuthKitHTTPResponse {
        let ended = try await mapped {
            try await auth.logout(sessionID: sessionID, userID: principal.userID)
        }
        guard ended else {
            throw AuthKitHTTPError(statusCode: 404, code: "not_found", message: "no live session has this id")
        }
        return .noContent
    }

    // MARK: RFC 7009 and RFC 7662

    /// `POST /revoke` (RFC 7009): `token` and an optional `token_type_hint`, form-encoded. 200 with no body whether
    /// or not there was anything to revoke (§2.2: "invalid tokens do not cause an error response"); 400
    /// `invalid_request` without a token; 503 when the store cannot confirm the revocation. Counted per client
    /// address. Presenting the token is the proof of the right to revoke it (see ``AuthKit/revoke(token:hint:)``).
    public func revoke(body: String, clientAddress: String) async throws -> AuthKitHTTPResponse {
        try await limited(configuration.revocationPolicy, key: clientAddress) {
            let (token, hint) = try Self.tokenParameters(body)
            try await auth.revoke(token: token, hint: hint)
            return AuthKitHTTPResponse(statusCode: 200, headers: [(name: "Cache-Control", value: "no-store")])
        }
    }

    /// `POST /introspect` (RFC 7662) by an authenticated `caller`: `token` and an optional `token_type_hint`,
    /// form-encoded. A token of another user is reported only to a caller holding
    /// ``AuthKitEndpointConfiguration/introspectionPermission``; to anyone else it is `{"active":false}`, so a
    /// user's token cannot be used to learn about another's.
    public func introspect(body: String, caller: Principal) async throws -> AuthKitHTTPResponse {
        let (token, hint) = try Self.tokenParameters(body)
        var answer = try await mapped { try await auth.introspect(token, hint: hint) }
        if answer.isActive, answer.userID != caller.userID, try await !mayIntrospectAnyToken(caller) {
            answer = .inactive
        }
        return .json(.object(answer.jsonObject), headers: [(name: "Cache-Control", value: "no-store")])
    }

    /// `GET /.well-known/jwks.json`: the public halves of the signing keys (an HMAC secret is never published), with
    /// AuthKit's publication lead as the max-age, so a verifier's cached copy holds a new key before it signs.
    public func jwks() -> AuthKitHTTPResponse {
        let jwks = auth.publicJWKS()
        return AuthKitHTTPResponse(
            statusCode: 200,
            headers: [
                (name: "Content-Type", value: "application/json"),
                (name: "Cache-Control", value: "max-age=\(max(0, (jwks.maxAge ?? .zero).wholeUnits(in: .seconds)))"),
            ],
            body: jwks.text
        )
    }

    // MARK: Internals

    /// Charges `"<policy name>:<key>"` under `policy` (none: no charge), runs `body`, and puts the policy's fields on
    /// its answer, whether a response or an error.
    private func limited(
        _ policy: RateLimitPolicy?,
        key: String,
        _ body: () async throws -> AuthKitHTTPResponse
    ) async throws -> AuthKitHTTPResponse {
        guard let policy else { return try await mapped(body) }
        let fields = try await mapped { try await auth.verifier.chargeRequest(policy, counting: key) }
        do {
            var response = try await body()
            response.headers += fields
            return response
        } catch {
            throw AuthKitHTTPError(error).adding(fields)
        }
    }

    /// `body`, with any error it throws as an ``AuthKitHTTPError``.
    @discardableResult
    private func mapped<Value>(_ body: () async throws -> Value) async throws(AuthKitHTTPError) -> Value {
        do {
            return try await body()
        } catch {
            throw AuthKitHTTPError(error)
        }
    }

    private func mayIntrospectAnyToken(_ caller: Principal) async throws -> Bool {
        guard let permissions else { return false }
        return try await mapped {
            try await auth.permissions(for: caller.userID, load: permissions)
                .contains(configuration.introspectionPermission)
        }
    }

    private static func jsonObject(_ body: String) throws -> JSONObject {
        guard let object = try JSONValue(parsing: body).objectValue else {
            throw AuthKitHTTPError.badRequest("the body must be a JSON object")
        }
        return object
    }

    /// The `token` and `token_type_hint` of an RFC 7009 or RFC 7662 request. An unknown hint is ignored, as both
    /// RFCs allow.
    private static func tokenParameters(_ body: String) throws(AuthKitHTTPError) -> (String, TokenTypeHint?) {
        let form = try FormBody(body)
        guard let token = form["token"], !token.isEmpty else {
            throw AuthKitHTTPError.invalidRequest("the form parameter \"token\" is missing")
        }
        return (token, form["token_type_hint"].flatMap(TokenTypeHint.init(rawValue:)))
    }

    /// An OAuth 2.0 token response (RFC 6749 §5.1).
    static func tokenResponse(_ pair: TokenPair) -> JSONValue {
        var object = JSONObject()
        object["access_token"] = .string(pair.accessToken)
        object["refresh_token"] = .string(pair.refreshToken)
        object["token_type"] = .string(pair.tokenType)
        object["expires_in"] = .number(Double(max(0, pair.expiresIn.wholeUnits(in: .seconds))))
        return .object(object)
    }

    /// One entry of `GET /sessions`.
    static func sessionEntry(_ session: Session, current: String?) -> JSONValue {
        var object = JSONObject()
        object["id"] = .string(session.id)
        object["device"] = .string(session.device.name)
        object["ip"] = .string(session.device.ipAddress)
        object["created_at"] = .string(timestamp(session.createdAt))
        object["last_seen"] = .string(timestamp(session.lastSeenAt))
        object["current"] = .bool(session.id == current)
        return .object(object)
    }

    /// RFC 3339 in UTC, to the second.
    private static func timestamp(_ time: UnixTime) -> String {
        Date(timeIntervalSince1970: Double(time.seconds)).formatted(.iso8601)
    }
}
