public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// JWT authentication with the state that makes it safe: what a server application embeds.
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
/// `authenticate` does the cheap local work first (size cap, strict parse, signature, claims) and asks the store
/// only about tokens that are already cryptographically valid, in exactly one round trip. When the store cannot
/// answer, it throws ``AuthKitError/Code-swift.struct/storeUnavailable``: it never guesses "not revoked".
///
/// An instance is a swift-service-lifecycle `Service`: run it in a service group (or call ``run()``) so store
/// connections and permission invalidations are serviced; ``shutdown()`` releases the store.
public final class AuthKit: Service, Sendable {
    /// The configuration the instance was created with.
    public let configuration: AuthKitConfiguration
    /// Revocation, refresh-token families and sessions.
    public let tokenStore: any TokenStore
    /// The rate limiter behind ``rateLimit(_:policy:cost:)``.
    public let rateLimiter: RateLimiter
    /// The permission cache behind ``permissions(for:load:)``.
    public let permissionCache: PermissionCache
    /// Where "now" comes from.
    public let clock: WallClock

    private let backends: AuthKitStore.Backends
    private let verifier: JWTVerifier
    private let signer: JWTSigner
    private let logger: Logger
    private let broadcaster = EventBroadcaster()
    private let metrics = AuthKitMetrics()

    /// Opens `store` and prepares signing and verification; refuses a configuration that cannot work.
    public init(
        configuration: AuthKitConfiguration,
        store: AuthKitStore = .inMemory(),
        clock: WallClock = .system,
        logger: Logger = Logger(label: "authkit")
    ) async throws {
        try configuration.validate()
        let policy = JWTValidationPolicy(
            issuer: configuration.issuer,
            audiences: [configuration.audience],
            requiredClaims: ["exp", "iat", "sub", "jti", "sid"],
            expectedType: configuration.accessTokenType,
            leeway: configuration.leeway,
            maxTokenSize: configuration.maxTokenSize
        )
        do {
            self.verifier = try JWTVerifier(
                keys: try JWTKeySet(configuration.signingKeys),
                policy: policy,
                clock: clock
            )
            self.signer = try JWTSigner(key: configuration.signingKeys[0], type: configuration.accessTokenType)
        } catch {
            throw AuthKitError(.invalidConfiguration, error.description)
        }
        let backends = try await store.open(configuration, clock)
        self.backends = backends
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.tokenStore = backends.tokens
        self.rateLimiter = RateLimiter(
            store: backends.rateLimits,
            configuration: RateLimiterConfiguration(failureMode: configuration.rateLimitFailureMode),
            clock: clock
        )
        self.permissionCache = PermissionCache(
            store: backends.permissions,
            configuration: configuration.permissionCache,
            invalidationChannel: backends.invalidations,
            clock: clock
        )
        logger.info("AuthKit ready", metadata: ["store": "\(store.name)", "issuer": "\(configuration.issuer)"])
    }

    // MARK: Service

    /// Services the store and permission invalidations until the task is cancelled or the service group
    /// shuts down, then releases the store.
    public func run() async throws {
        // Graceful shutdown cancels this work: the permission-invalidation subscription waits for messages that
        // an in-memory bus never ends, and would otherwise hold the service group open forever.
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.backends.run() }
                    group.addTask { try await self.permissionCache.run() }
                    try await group.waitForAll()
                }
            }
        } catch is CancellationError {
            // Cancelled by the shutdown itself (or by the caller): a normal end.
        }
        await shutdown()
    }

    /// Releases the store's resources and ends every ``events`` stream.
    public func shutdown() async {
        await backends.shutdown()
        broadcaster.finish()
    }

    /// Security events from now on (reuse detected, revoked tokens presented, limits exceeded, store outages).
    /// Each access returns a new stream; a slow reader loses the oldest events, never slows requests.
    public var events: AsyncStream<SecurityEvent> {
        broadcaster.subscribe()
    }

    // MARK: Tokens

    /// Logs a user in on a device: applies the session policy, creates the session, and returns the first
    /// access and refresh tokens. `claims` are added to the access token (registered names and `sid` refused).
    public func login(
        userID: String,
        device: DeviceInfo = DeviceInfo(),
        claims: JSONObject = JSONObject()
    ) async throws -> TokenPair {
        try Self.checkCustomClaims(claims)
        let request = NewSession(
            userID: userID,
            device: device.truncated,
            lifetime: configuration.sessionLifetime,
            policy: configuration.sessionPolicy
        )
        let grant: SessionGrant
        do {
            grant = try await tokenStore.createSession(request)
        } catch let error as TokenStoreError {
            throw try await map(error, operation: "create a session", userID: userID)
        } catch {
            throw await storeUnavailable("create a session", error, userID: userID)
        }
        metrics.logins.increment()
        let access = try mintAccessToken(userID: userID, sessionID: grant.session.id, claims: claims)
        return TokenPair(
            accessToken: access.token,
            refreshToken: grant.refreshToken.text,
            tokenType: "Bearer",
            accessTokenExpiresAt: access.expiresAt,
            expiresIn: configuration.accessTokenLifetime,
            session: grant.session,
            endedSessionIDs: grant.endedSessionIDs
        )
    }

    /// Verifies an `Authorization` header value of the form `Bearer <token>`; see ``authenticate(token:)``.
    public func authenticate(bearer header: String) async throws -> Principal {
        guard let token = BearerToken.extract(from: header) else {
            metrics.authenticateRejected.increment()
            throw AuthKitError(
                .invalidToken,
                "the Authorization header does not carry a Bearer token",
                jwtCode: .malformed
            )
        }
        return try await authenticate(token: token)
    }

    /// Verifies an access token: structure, signature and claims locally, then one store round trip for
    /// revocation, the user's epoch and the session. Fails closed when the store cannot answer.
    public func authenticate(token: String) async throws -> Principal {
        let started = ContinuousClock.now
        defer { metrics.authenticateDuration.recordNanoseconds(Self.nanoseconds(since: started)) }
        let principal = try verifyLocally(token)
        // Access tokens carry whole-second `iat`s, and "log out everywhere" records its instant precisely. The
        // check treats the token as issued at the end of its second so a login in the same second as a logout
        // everywhere is not refused; tokens issued before the logout in that second are still refused, because
        // the logout ended their session, which the same check verifies.
        let check = AccessCheck(
            userID: principal.userID,
            jti: principal.tokenID,
            issuedAt: principal.issuedAt + .milliseconds(999),
            sessionID: principal.sessionID,
            touchSession: configuration.touchSessionOnAuthenticate
        )
        let status: AccessStatus
        do {
            status = try await tokenStore.check(check)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            metrics.authenticateRejected.increment()
            throw AuthKitError(.invalidToken, error.message, jwtCode: .invalidClaim)
        } catch {
            metrics.authenticateUnavailable.increment()
            throw await storeUnavailable("check the token", error, userID: principal.userID)
        }
        switch status {
        case .valid:
            metrics.authenticateAccepted.increment()
            return principal
        case .revoked, .predatesEpoch:
            metrics.authenticateRevoked.increment()
            let reason = status == .revoked ? "logged out" : "issued before the user logged out everywhere"
            emit(.revokedTokenPresented, userID: principal.userID, sessionID: principal.sessionID, detail: reason)
            throw AuthKitError(.tokenRevoked, "the token was \(reason)")
        case .sessionEnded:
            metrics.authenticateRevoked.increment()
            emit(
                .revokedTokenPresented,
                userID: principal.userID,
                sessionID: principal.sessionID,
                detail: "session ended"
            )
            throw AuthKitError(.sessionEnded, "the token's session has ended")
        }
    }

    /// Exchanges a refresh token for a new pair. Presenting a token that was already rotated is reuse: the
    /// login is revoked, a ``SecurityEvent/Kind-swift.struct/refreshTokenReuse`` event is published, and
    /// ``AuthKitError/Code-swift.struct/refreshTokenReused`` is thrown.
    /// `claims` are checked as ``login(userID:device:claims:)`` checks them, before the token is rotated.
    public func refresh(_ refreshToken: String, claims: JSONObject = JSONObject()) async throws -> TokenPair {
        try Self.checkCustomClaims(claims)
        let outcome: RefreshOutcome
        do {
            outcome = try await tokenStore.rotate(refreshToken: refreshToken)
        } catch {
            throw await storeUnavailable("rotate the refresh token", error, userID: nil)
        }
        switch outcome {
        case .rotated(let grant):
            metrics.refreshes.increment()
            let access = try mintAccessToken(userID: grant.userID, sessionID: grant.sessionID, claims: claims)
            let session = try? await tokenStore.session(userID: grant.userID, sessionID: grant.sessionID)
            return TokenPair(
                accessToken: access.token,
                refreshToken: grant.refreshToken.text,
                tokenType: "Bearer",
                accessTokenExpiresAt: access.expiresAt,
                expiresIn: configuration.accessTokenLifetime,
                session: session ?? Self.placeholderSession(for: grant),
                endedSessionIDs: []
            )
        case .reuseDetected(let userID, let sessionID):
            metrics.refreshReuse.increment()
            emit(.refreshTokenReuse, userID: userID, sessionID: sessionID, detail: "login revoked")
            throw AuthKitError(.refreshTokenReused, "the refresh token was already used; the login has been revoked")
        case .invalid:
            metrics.refreshRejected.increment()
            throw AuthKitError(.invalidRefreshToken, "the refresh token is not valid")
        }
    }

    /// Logs out the login an access token belongs to: denylists the token until it expires and ends its
    /// session (and refresh-token family).
    public func logout(accessToken: String) async throws {
        let principal = try verifyLocally(accessToken)
        do {
            try await tokenStore.revoke(
                jti: principal.tokenID,
                userID: principal.userID,
                expiresAt: principal.expiresAt
            )
            try await tokenStore.revokeSession(userID: principal.userID, sessionID: principal.sessionID)
        } catch {
            throw await storeUnavailable("log out", error, userID: principal.userID)
        }
    }

    /// Ends one session of a user ("log out that device"); its access tokens are refused from now on.
    /// - Returns: Whether the session was alive.
    @discardableResult
    public func logout(sessionID: String, userID: String) async throws -> Bool {
        do {
            return try await tokenStore.revokeSession(userID: userID, sessionID: sessionID)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            throw AuthKitError(.invalidArgument, error.message)
        } catch {
            throw await storeUnavailable("end the session", error, userID: userID)
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
            throw await storeUnavailable("log out everywhere", error, userID: userID)
        }
    }

    /// The user's live sessions ("my devices"), oldest first.
    public func sessions(of userID: String) async throws -> [Session] {
        do {
            return try await tokenStore.sessions(userID: userID)
        } catch let error as TokenStoreError where error.code == .invalidArgument {
            throw AuthKitError(.invalidArgument, error.message)
        } catch {
            throw await storeUnavailable("list sessions", error, userID: userID)
        }
    }

    // MARK: Permissions and rate limits

    /// The user's permissions from the cache, or from `load` (called once per miss, even under concurrency).
    /// An unknown user (`load` returns nil) has no permissions.
    public func permissions(
        for userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws -> PermissionSet {
        try await permissionCache.permissions(for: userID, load: load) ?? .empty
    }

    /// Throws ``AuthKitError/Code-swift.struct/forbidden`` unless the user holds `permission`
    /// (wildcards such as `orders:*` in the user's set match).
    public func require(
        _ permission: String,
        of userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws {
        guard try await permissions(for: userID, load: load).contains(permission) else {
            throw AuthKitError(.forbidden, "the permission \"\(permission)\" is required")
        }
    }

    /// Forgets the cached permissions of a user (here and, through the invalidation channel, elsewhere).
    public func invalidatePermissions(of userID: String) async throws {
        try await permissionCache.invalidate(userID)
    }

    /// Charges one request of `cost` to `key` under `policy`; a refusal publishes
    /// ``SecurityEvent/Kind-swift.struct/rateLimitExceeded``. The decision carries the standard headers.
    public func rateLimit(_ key: String, policy: RateLimitPolicy, cost: Int = 1) async throws -> RateLimitDecision {
        try await rateLimit(key, policies: [policy], cost: cost)
    }

    /// Charges `key` under several policies at once; no policy is charged when another refuses.
    public func rateLimit(_ key: String, policies: [RateLimitPolicy], cost: Int = 1) async throws -> RateLimitDecision {
        let decision = try await rateLimiter.check(key, policies: policies, cost: cost)
        if !decision.isAllowed {
            metrics.rateLimited.increment()
            emit(.rateLimitExceeded, detail: "key=\(key) policy=\(decision.policy)")
        }
        return decision
    }

    // MARK: Internals

    private func verifyLocally(_ token: String) throws(AuthKitError) -> Principal {
        let verified: VerifiedJWT
        do {
            verified = try verifier.verify(token)
        } catch {
            metrics.authenticateRejected.increment()
            throw AuthKitError.invalidToken(error)
        }
        let claims = verified.claims
        guard let userID = claims.subject, let tokenID = claims.id, let issuedAt = claims.issuedAt,
            let expiresAt = claims.expiresAt, let sessionID = claims["sid"]?.stringValue
        else {
            metrics.authenticateRejected.increment()
            throw AuthKitError(.invalidToken, "the token lacks sub, jti, sid, iat or exp", jwtCode: .missingClaim)
        }
        return Principal(
            userID: userID,
            sessionID: sessionID,
            tokenID: tokenID,
            issuedAt: issuedAt,
            expiresAt: expiresAt,
            claims: claims
        )
    }

    /// The check every call that mints an access token runs on the caller's claims before anything is written:
    /// registered names and `sid` are AuthKit's to set, and every value must be writable as JSON (no NaN or
    /// infinity), so that signing cannot fail on them after a session was created or a refresh token rotated.
    private static func checkCustomClaims(_ claims: JSONObject) throws(AuthKitError) {
        for member in claims where JWTClaims.registeredNames.contains(member.name) || member.name == "sid" {
            throw AuthKitError(.invalidArgument, "the claim \"\(member.name)\" is set by AuthKit")
        }
        do {
            _ = try JSONValue.object(claims).jsonText()
        } catch {
            throw AuthKitError(.invalidArgument, "the claims cannot be written as JSON: \(error.message)")
        }
    }

    private func mintAccessToken(
        userID: String,
        sessionID: String,
        claims: JSONObject
    ) throws(AuthKitError) -> (token: String, expiresAt: UnixTime) {
        let now = UnixTime(seconds: clock.now().seconds)
        let expiresAt = now + configuration.accessTokenLifetime
        var custom = JSONObject()
        custom["sid"] = .string(sessionID)
        for member in claims { custom[member.name] = member.value }
        let accessClaims = JWTClaims(
            issuer: configuration.issuer,
            subject: userID,
            audience: [configuration.audience],
            expiresAt: expiresAt,
            issuedAt: now,
            id: Base64URL.encode(SecureRandom.bytes(16)),
            custom: custom
        )
        do {
            return (try signer.sign(accessClaims), UnixTime(seconds: expiresAt.seconds))
        } catch {
            throw AuthKitError(.invalidArgument, "the access token could not be signed: \(error)")
        }
    }

    private func map(_ error: TokenStoreError, operation: String, userID: String) async throws -> AuthKitError {
        switch error.code {
        case .sessionLimitReached:
            emit(.sessionLimitReached, userID: userID, detail: error.message)
            return AuthKitError(.sessionLimitReached, error.message)
        case .invalidArgument:
            return AuthKitError(.invalidArgument, error.message)
        case .invalidConfiguration, .unsafeStoreConfiguration:
            return AuthKitError(.invalidConfiguration, error.message)
        default:
            return await storeUnavailable(operation, error, userID: userID)
        }
    }

    private func storeUnavailable(_ operation: String, _ error: any Error, userID: String?) async -> AuthKitError {
        emit(.storeUnavailable, userID: userID, detail: "could not \(operation)")
        return AuthKitError.storeUnavailable(operation, error)
    }

    private func emit(_ kind: SecurityEvent.Kind, userID: String? = nil, sessionID: String? = nil, detail: String = "")
    {
        let event = SecurityEvent(kind: kind, userID: userID, sessionID: sessionID, detail: detail, at: clock.now())
        var metadata: Logger.Metadata = ["event": "\(kind.name)"]
        if let userID { metadata["user"] = "\(userID)" }
        if let sessionID { metadata["session"] = "\(sessionID)" }
        if !detail.isEmpty { metadata["detail"] = "\(detail)" }
        logger.warning("security event", metadata: metadata)
        broadcaster.publish(event)
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

    private static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
