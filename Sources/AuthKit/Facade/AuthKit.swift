public import Logging
import Metrics
public import ServiceLifecycle

/// JWT authentication with the state that makes it safe: what the service that logs users in embeds.
///
/// ```swift
/// let auth = try await AuthKit(configuration: .init(
///     issuer: "https://api.example.com", audience: "api", signingKeys: [.hs256(secret, kid: "2026-11")]))
/// let pair = try await auth.login(userID: "42", device: DeviceInfo(name: "Pixel 9", ipAddress: ip))
/// let user = try await auth.authenticate(bearer: request.headers.authorization)
/// let next = try await auth.refresh(pair.refreshToken)
/// try await auth.logout(accessToken: pair.accessToken)
/// ```
///
/// The issuer holds the signing keys and mints: logins, refreshes, and tokens for every registered audience of
/// one session. Everything a token is checked against lives in its ``verifier``, an ``AuthKitVerifier`` like the
/// ones the services that only verify its tokens run: `authenticate`, permissions and rate limits here are that
/// verifier's. Signing keys rotate at run time when they come from a directory or a provider
/// (``SigningKeySource``), and ``publicJWKS()`` is what the issuer serves at `/.well-known/jwks.json`.
///
/// An instance is a swift-service-lifecycle `Service`: run it in a service group (or call ``run()``) so store
/// connections, permission invalidations and signing-key reloads are serviced; ``shutdown()`` releases the store.
public final class AuthKit: Service, Sendable {
    /// The configuration the instance was created with.
    public let configuration: AuthKitConfiguration
    /// The verification side of the issuer: what `authenticate`, permissions and rate limits run on, and what a
    /// framework integration takes to serve an issuer and a verify-only service alike.
    public let verifier: AuthKitVerifier
    // The store, the limiter and the cache are not handed out: a call straight to them would skip the facade's
    // events, metrics and tracing. Every use an app has for them is a method here.
    private var tokenStore: any TokenStore { verifier.tokenStore }
    /// Where "now" comes from.
    public var clock: TimeSource { verifier.clock }

    private let signingKeys: SigningKeys
    private var metrics: AuthKitMetrics { verifier.metrics }

    /// Opens `store`, loads the signing keys and prepares verification; refuses a configuration that cannot work,
    /// and a signing key that cannot sign (a service that only verifies tokens runs an ``AuthKitVerifier``).
    public init(
        configuration: AuthKitConfiguration,
        store: AuthKitStore = .inMemory(),
        clock: TimeSource = .system,
        logger: Logger = Logger(label: "authkit")
    ) async throws {
        try configuration.validate()
        let signingKeys = try await SigningKeys(
            source: configuration.signingKeys,
            tokenType: configuration.accessTokenType,
            tokenSpan: configuration.accessTokenLifetime + configuration.leeway,
            clock: clock,
            logger: logger
        )
        self.signingKeys = signingKeys
        self.configuration = configuration
        self.verifier = try await AuthKitVerifier(
            configuration: configuration.verifierConfiguration(keys: VerificationKeys(.signingKeys(signingKeys))),
            issuerAudiences: configuration.audiences,
            store: store,
            clock: clock,
            logger: logger,
            metricsFactory: nil
        )
        logger.info("AuthKit ready", metadata: ["store": "\(store.name)", "issuer": "\(configuration.issuer)"])
    }

    // MARK: Service

    /// Services the store, permission invalidations and signing-key reloads until the task is cancelled or the
    /// service group shuts down, then releases the store.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.verifier.run() }
            group.addTask { try await AuthKitVerifier.runUntilShutdown { await self.signingKeys.run() } }
            try await group.waitForAll()
        }
    }

    /// Releases the store's resources and ends every ``events`` stream.
    public func shutdown() async {
        await verifier.shutdown()
    }

    /// Security events from now on (reuse detected, revoked tokens presented, limits exceeded, store outages).
    /// Each access returns a new stream; a slow reader loses the oldest events, never slows requests.
    public var events: AsyncStream<SecurityEvent> {
        verifier.events
    }

    // MARK: Keys

    /// The public JWKS of the signing keys (current, next and retiring; never an HMAC secret), to serve at
    /// `/.well-known/jwks.json`, with the publication lead as its max-age (`Cache-Control: max-age`), so that a
    /// verifier's cached copy always holds the next key before it signs.
    public func publicJWKS() -> JWKSDocument {
        signingKeys.publicJWKS()
    }

    /// Reads the signing-key source again now (as ``run()`` does every check interval) and installs the ring
    /// when it changed; a fixed source never changes.
    /// - Returns: Whether the ring changed.
    @discardableResult
    public func reloadSigningKeys() async throws -> Bool {
        try await signingKeys.reload()
    }

    // MARK: Tokens

    /// Logs a user in on a device: applies the session policy, creates the session, and returns the first
    /// access and refresh tokens. `claims` are added to the access token (registered names and `sid` refused) and
    /// kept with the session (at most 4 KiB of JSON), so that every access token
    /// a refresh of this login mints carries them too.
    /// `audience` names the registered audience the access token is for (default ``AuthKitConfiguration/audience``);
    /// tokens for the session's other audiences come from ``refresh(_:claims:audience:)``.
    public func login(
        userID: String,
        device: DeviceInfo = DeviceInfo(),
        claims: JSONObject = JSONObject(),
        audience: String? = nil
    ) async throws -> TokenPair {
        try await verifier.tracing.span("authkit.login") { span in
            span.set("enduser.id", userID)
            let pair = try await startSession(userID: userID, device: device, claims: claims, audience: audience)
            span.set("authkit.session_id", pair.session.id)
            return pair
        }
    }

    private func startSession(
        userID: String,
        device: DeviceInfo,
        claims: JSONObject,
        audience: String?
    ) async throws -> TokenPair {
        let claimsText = try Self.checkCustomClaims(claims)
        let audience = try registered(audience)
        let request = NewSession(
            userID: userID,
            device: device.truncated,
            lifetime: configuration.sessionLifetime,
            policy: configuration.sessionPolicy,
            claims: claims.isEmpty ? "" : claimsText
        )
        let grant: SessionGrant
        do {
            grant = try await tokenStore.createSession(request)
        } catch let error as TokenStoreError {
            throw try await map(error, operation: "create a session", userID: userID)
        } catch {
            throw verifier.storeUnavailable("create a session", error, userID: userID)
        }
        metrics.logins.increment()
        let access = try mintAccessToken(
            userID: userID,
            sessionID: grant.session.id,
            sessionEnds: grant.session.absoluteExpiresAt,
            audience: audience,
            claims: claims
        )
        return TokenPair(
            accessToken: access.token,
            refreshToken: grant.refreshToken.text,
            tokenType: "Bearer",
            accessTokenExpiresAt: access.expiresAt,
            expiresIn: access.lifetime,
            session: grant.session,
            endedSessionIDs: grant.endedSessionIDs
        )
    }

    /// Verifies an `Authorization` header value of the form `Bearer <token>`; see ``authenticate(token:)``.
    public func authenticate(bearer header: String) async throws -> Principal {
        try await verifier.authenticate(bearer: header)
    }

    /// Verifies an access token for this instance's own ``AuthKitConfiguration/audience``: structure, signature
    /// and claims locally, then one store round trip for revocation, the user's epoch and the session. Fails
    /// closed when the store cannot answer. See ``AuthKitVerifier/authenticate(token:)``.
    public func authenticate(token: String) async throws -> Principal {
        try await verifier.authenticate(token: token)
    }

    /// Exchanges a refresh token for a new pair. Presenting a token that was already rotated is reuse: the
    /// login is revoked, a ``SecurityEvent/Kind-swift.struct/refreshTokenReuse`` event is published, and
    /// ``AuthKitError/Code-swift.struct/refreshTokenReused`` is thrown.
    ///
    /// The new access token carries the claims given at login (kept with the session), so an app need not pass
    /// them again; `claims` are added on top (a name given here wins for this token only), and are checked as
    /// ``login(userID:device:claims:audience:)`` checks them, before the token is rotated.
    ///
    /// `audience` names the registered audience the new access token is for (default
    /// ``AuthKitConfiguration/audience``): one login holds tokens for several services through its one refresh
    /// family, and ending the session ends them all. A client that asks for several audiences at once refreshes
    /// one after the other (each refresh rotates the token), or allows a ``AuthKitConfiguration/refreshReuseGracePeriod``.
    public func refresh(
        _ refreshToken: String,
        claims: JSONObject = JSONObject(),
        audience: String? = nil
    ) async throws -> TokenPair {
        try await verifier.tracing.span("authkit.refresh") { span in
            try Self.checkCustomClaims(claims)
            let audience = try registered(audience)
            let outcome: RefreshOutcome
            do {
                outcome = try await tokenStore.rotate(refreshToken: refreshToken)
            } catch {
                throw verifier.storeUnavailable("rotate the refresh token", error, userID: nil)
            }
            switch outcome {
            case .rotated(let grant):
                span.set("enduser.id", grant.userID)
                span.set("authkit.session_id", grant.sessionID)
                span.set("authkit.refresh.outcome", "rotated")
                metrics.refreshes.increment()
                var merged = AuthKitVerifier.sessionClaims(grant.claims)
                for member in claims { merged[member.name] = member.value }
                let access = try mintAccessToken(
                    userID: grant.userID,
                    sessionID: grant.sessionID,
                    sessionEnds: grant.absoluteExpiresAt,
                    audience: audience,
                    claims: merged
                )
                let session = try? await tokenStore.session(userID: grant.userID, sessionID: grant.sessionID)
                return TokenPair(
                    accessToken: access.token,
                    refreshToken: grant.refreshToken.text,
                    tokenType: "Bearer",
                    accessTokenExpiresAt: access.expiresAt,
                    expiresIn: access.lifetime,
                    session: session ?? Self.placeholderSession(for: grant),
                    endedSessionIDs: []
                )
            case .reuseDetected(let userID, let sessionID):
                span.set("enduser.id", userID)
                span.set("authkit.session_id", sessionID)
                span.set("authkit.refresh.outcome", "reuse")
                metrics.refreshReuse.increment()
                verifier.emit(.refreshTokenReuse, userID: userID, sessionID: sessionID, detail: "login revoked")
                throw AuthKitError(
                    .refreshTokenReused,
                    "the refresh token was already used; the login has been revoked"
                )
            case .invalid:
                span.set("authkit.refresh.outcome", "invalid")
                metrics.refreshRejected.increment()
                throw AuthKitError(.invalidRefreshToken, "the refresh token is not valid")
            }
        }
    }

    /// Logs out the login an access token (for any registered audience) belongs to: denylists the token until
    /// it expires and ends its session and refresh-token family, and with them the tokens of every audience of
    /// that login. A legacy token without `jti` and `sid` cannot be logged out on its own: log the user out
    /// everywhere.
    public func logout(accessToken: String) async throws {
        try await logout(try await verifier.read(accessToken, scope: .issuer))
    }

    /// Logs out the login of an authenticated request, as ``logout(accessToken:)`` does with its token: what an
    /// HTTP integration calls with the principal its authenticator verified, without reading the token again.
    public func logout(_ principal: Principal) async throws {
        guard principal.tokenID != nil || principal.sessionID != nil else {
            throw AuthKitError(
                .invalidArgument,
                "the token has neither jti nor sid to log out; log the user out everywhere instead"
            )
        }
        do {
            if let jti = principal.tokenID {
                try await tokenStore.revoke(jti: jti, userID: principal.userID, expiresAt: principal.expiresAt)
            }
            if let sessionID = principal.sessionID {
                try await tokenStore.revokeSession(userID: principal.userID, sessionID: sessionID)
            }
        } catch {
            throw verifier.storeUnavailable("log out", error, userID: principal.userID)
        }
    }

    /// Revokes a token as RFC 7009 asks: an access token (of any registered audience) is denylisted until it
    /// expires; a refresh token ends its session and family, and so every access token of that login. A token
    /// that is malformed, unknown, expired, already revoked or never issued here is no error: there is nothing to
    /// revoke, and nil is returned (the endpoint still answers 200). Presenting the token is the proof of the
    /// right to revoke it, as for a public client (RFC 7009 §5), so no caller identity is asked for; a refresh
    /// token is only acted on when the store recognises its secret, so knowing a session id is not enough.
    ///
    /// `hint` only sets which kind is tried first. Throws ``AuthKitError/Code-swift.struct/storeUnavailable`` (or
    /// ``AuthKitError/Code-swift.struct/keysUnavailable``) when the store (or the keys) cannot answer: a revocation
    /// that may not have happened is never reported as done.
    @discardableResult
    public func revoke(token: String, hint: TokenTypeHint? = nil) async throws -> RevokedToken? {
        try await verifier.tracing.span("authkit.revoke") { span in
            let revoked = try await revokeOnce(token, hint: hint)
            switch revoked {
            case .accessToken(let userID, _):
                span.set("enduser.id", userID)
                span.set("authkit.token.type", TokenTypeHint.accessToken.rawValue)
            case .session(let userID, let sessionID):
                span.set("enduser.id", userID)
                span.set("authkit.session_id", sessionID)
                span.set("authkit.token.type", TokenTypeHint.refreshToken.rawValue)
            case nil:
                span.set("authkit.token.revoked", false)
            }
            return revoked
        }
    }

    private func revokeOnce(_ token: String, hint: TokenTypeHint?) async throws -> RevokedToken? {
        for kind in TokenTypeHint.order(hint) {
            switch kind {
            case .refreshToken:
                guard RefreshToken(parsing: token) != nil else { continue }
                guard case .active(let info) = try await verifier.inspect(refreshToken: token) else { return nil }
                do {
                    try await tokenStore.revokeSession(userID: info.userID, sessionID: info.sessionID)
                } catch {
                    throw verifier.storeUnavailable("revoke the refresh token", error, userID: info.userID)
                }
                return .session(userID: info.userID, sessionID: info.sessionID)
            case .accessToken:
                guard let principal = try await verifier.readIfValid(token) else { continue }
                guard let jti = principal.tokenID else {
                    guard let sessionID = principal.sessionID else {
                        throw AuthKitError(
                            .invalidArgument,
                            "the token has neither jti nor sid to revoke; log the user out everywhere instead"
                        )
                    }
                    try await logout(sessionID: sessionID, userID: principal.userID)
                    return .session(userID: principal.userID, sessionID: sessionID)
                }
                do {
                    try await tokenStore.revoke(jti: jti, userID: principal.userID, expiresAt: principal.expiresAt)
                } catch {
                    throw verifier.storeUnavailable("revoke the access token", error, userID: principal.userID)
                }
                return .accessToken(userID: principal.userID, tokenID: jti)
            }
        }
        return nil
    }

    /// Whether `token` is active now, and what it is (RFC 7662); see ``AuthKitVerifier/introspect(_:hint:)``.
    public func introspect(_ token: String, hint: TokenTypeHint? = nil) async throws -> TokenIntrospection {
        try await verifier.introspect(token, hint: hint)
    }

    /// Ends one session of a user ("log out that device"); its access tokens, for every audience, are refused
    /// from now on.
    /// - Returns: Whether the session was alive.
    @discardableResult
    public func logout(sessionID: String, userID: String) async throws -> Bool {
        do {
            return try await tokenStore.revokeSession(userID: userID, sessionID: sessionID)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            throw AuthKitError(.invalidArgument, error.message)
        } catch {
            throw verifier.storeUnavailable("end the session", error, userID: userID)
        }
    }

    /// Logs a user out everywhere: every session ends and every access token issued until now is refused.
    ///
    /// The epoch is kept as long as any token or session it ends could still be presented: the longer of an access
    /// token's lifetime (plus leeway) and a session's absolute lifetime, plus a minute. A session created at or
    /// before it stays refused all that time, even one that some server's clock kept out of reach of the logout.
    /// - Returns: The number of sessions ended.
    @discardableResult
    public func logoutEverywhere(userID: String) async throws -> Int {
        let tokens = configuration.accessTokenLifetime + configuration.leeway
        let retention = max(tokens, configuration.refreshTokenLifetime) + .seconds(60)
        do {
            return try await tokenStore.logOutEverywhere(userID: userID, retention: retention)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            throw AuthKitError(.invalidArgument, error.message)
        } catch {
            throw verifier.storeUnavailable("log out everywhere", error, userID: userID)
        }
    }

    /// The user's live sessions ("my devices"), oldest first.
    public func sessions(of userID: String) async throws -> [Session] {
        do {
            return try await tokenStore.sessions(userID: userID)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            throw AuthKitError(.invalidArgument, error.message)
        } catch {
            throw verifier.storeUnavailable("list sessions", error, userID: userID)
        }
    }

    // MARK: Permissions and rate limits

    /// The user's permissions from the cache, or from `load` (called once per miss, even under concurrency).
    /// An unknown user (`load` returns nil) has no permissions.
    public func permissions(
        for userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws -> PermissionSet {
        try await verifier.permissions(for: userID, load: load)
    }

    /// Throws ``AuthKitError/Code-swift.struct/forbidden`` unless the user holds `permission`
    /// (wildcards such as `orders:*` in the user's set match).
    public func require(
        _ permission: String,
        of userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws {
        try await verifier.require(permission, of: userID, load: load)
    }

    /// Throws ``AuthKitError/Code-swift.struct/forbidden`` unless the user's permissions meet `requirement`; see
    /// ``AuthKitVerifier/require(_:of:load:)-(PermissionRequirement,_,_)``.
    public func require(
        _ requirement: PermissionRequirement,
        of userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws {
        try await verifier.require(requirement, of: userID, load: load)
    }

    /// Forgets the cached permissions of a user (here and, through the invalidation channel, elsewhere).
    public func invalidatePermissions(of userID: String) async throws {
        try await verifier.invalidatePermissions(of: userID)
    }

    /// Charges one request of `cost` to `key` under `policy`; a refusal publishes
    /// ``SecurityEvent/Kind-swift.struct/rateLimitExceeded``. The decision carries the standard headers.
    public func rateLimit(_ key: String, policy: RateLimitPolicy, cost: Int = 1) async throws -> RateLimitDecision {
        try await verifier.rateLimit(key, policy: policy, cost: cost)
    }

    /// Charges `key` under several policies at once; no policy is charged when another refuses.
    public func rateLimit(_ key: String, policies: [RateLimitPolicy], cost: Int = 1) async throws -> RateLimitDecision {
        try await verifier.rateLimit(key, policies: policies, cost: cost)
    }

    /// What ``rateLimit(_:policies:cost:)`` would decide for `key` now, charging nothing; see
    /// ``AuthKitVerifier/rateLimitStatus(_:policies:cost:)``.
    public func rateLimitStatus(
        _ key: String,
        policies: [RateLimitPolicy],
        cost: Int = 1
    ) async throws -> RateLimitDecision {
        try await verifier.rateLimitStatus(key, policies: policies, cost: cost)
    }

    /// Forgets `key`'s rate-limit state under every policy; see ``AuthKitVerifier/resetRateLimit(_:)``.
    public func resetRateLimit(_ key: String) async throws {
        try await verifier.resetRateLimit(key)
    }

    // MARK: Internals

    /// `audience`, or the default one, provided it is registered.
    private func registered(_ audience: String?) throws(AuthKitError) -> String {
        guard let audience else { return configuration.audience }
        guard configuration.audiences.contains(audience) else {
            throw AuthKitError(.invalidArgument, "the audience \"\(audience)\" is not registered")
        }
        return audience
    }

    /// The check every call that mints an access token runs on the caller's claims before anything is written:
    /// registered names and `sid` are AuthKit's to set, and every value must be writable as JSON (no NaN or
    /// infinity), so that signing cannot fail on them after a session was created or a refresh token rotated.
    /// - Returns: The claims as JSON text, as a session keeps them.
    @discardableResult
    private static func checkCustomClaims(_ claims: JSONObject) throws(AuthKitError) -> String {
        for member in claims where JWTClaims.registeredNames.contains(member.name) || member.name == "sid" {
            throw AuthKitError(.invalidArgument, "the claim \"\(member.name)\" is set by AuthKit")
        }
        do {
            return try JSONValue.object(claims).jsonText()
        } catch {
            throw AuthKitError(.invalidArgument, "the claims cannot be written as JSON: \(error.message)")
        }
    }

    /// Signs an access token of the session; it never outlives the session's absolute end (`sessionEnds`, taken to
    /// the whole second before it), which a revocation mirror relies on (`RevocationMirrorPolicy`).
    private func mintAccessToken(
        userID: String,
        sessionID: String,
        sessionEnds: UnixTime,
        audience: String,
        claims: JSONObject
    ) throws(AuthKitError) -> (token: String, expiresAt: UnixTime, lifetime: Duration) {
        let instant = clock.now()
        let now = UnixTime(seconds: instant.seconds)
        let expiresAt = min(now + configuration.accessTokenLifetime, UnixTime(seconds: sessionEnds.seconds))
        var custom = JSONObject()
        custom["sid"] = .string(sessionID)
        for member in claims { custom[member.name] = member.value }
        let accessClaims = JWTClaims(
            issuer: configuration.issuer,
            subject: userID,
            audience: [audience],
            expiresAt: expiresAt,
            issuedAt: now,
            id: Base64URL.encode(SecureRandom.bytes(16)),
            custom: custom
        )
        do {
            return (
                try signingKeys.signer(at: instant).sign(accessClaims), UnixTime(seconds: expiresAt.seconds),
                expiresAt - now
            )
        } catch {
            throw AuthKitError(.invalidArgument, "the access token could not be signed: \(error)")
        }
    }

    private func map(_ error: TokenStoreError, operation: String, userID: String) async throws -> AuthKitError {
        switch error.code {
        case .sessionLimitReached:
            verifier.emit(.sessionLimitReached, userID: userID, detail: error.message)
            return AuthKitError(.sessionLimitReached, error.message)
        case .invalidArgument:
            return AuthKitError(.invalidArgument, error.message)
        case .invalidConfiguration, .unsafeStoreConfiguration:
            return AuthKitError(.invalidConfiguration, error.message)
        default:
            return verifier.storeUnavailable(operation, error, userID: userID)
        }
    }

    private static func placeholderSession(for grant: RefreshGrant) -> Session {
        Session(
            id: grant.sessionID,
            userID: grant.userID,
            device: DeviceInfo(),
            createdAt: grant.expiresAt,
            lastSeenAt: grant.expiresAt,
            expiresAt: grant.expiresAt,
            absoluteExpiresAt: grant.absoluteExpiresAt
        )
    }
}
