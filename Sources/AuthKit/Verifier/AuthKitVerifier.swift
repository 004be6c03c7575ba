import AuthKitClock
import AuthKitPlatform
public import Logging
import Metrics
public import ServiceLifecycle

/// What a service that only checks tokens embeds: authentication, revocation, sessions, permissions and rate
/// limits exactly as the issuer applies them, with the issuer's public keys and the shared store, and no way to
/// mint a token.
///
/// ```swift
/// let orders = try await AuthKitVerifier(
///     configuration: .init(
///         issuer: "https://login.example.com", audiences: ["orders"],
///         keys: .remote(RemoteJWKS { try await http.jwks("https://login.example.com/.well-known/jwks.json") })),
///     store: .redis(url: "redis://10.0.0.5:6379"))       // the issuer's store, with the issuer's key prefix
/// let user = try await orders.authenticate(bearer: request.headers.authorization)
/// ```
///
/// An ``AuthKit`` issuer is built on one (``AuthKit/verifier``), so a framework integration that takes an
/// `AuthKitVerifier` serves the issuer and its resource servers alike. `authenticate` does the cheap local work
/// first (size cap, strict parse, signature, claims) and asks the store only about tokens that are already
/// cryptographically valid, in exactly one round trip, whose rules all live in the store's check
/// (`AccessCheck`). When the store cannot answer it throws ``AuthKitError/Code-swift.struct/storeUnavailable``,
/// and when the keys cannot be had ``AuthKitError/Code-swift.struct/keysUnavailable``: it never guesses.
///
/// An instance is a swift-service-lifecycle `Service`: run it in a service group (or call ``run()``) so store
/// connections and permission invalidations are serviced; ``shutdown()`` releases the store.
public final class AuthKitVerifier: Service, Sendable {
    /// The configuration the instance was created with.
    public let configuration: AuthKitVerifierConfiguration
    // The store, the limiter and the cache stay inside: a call straight to them would skip the verifier's events,
    // metrics and tracing. Apps reach them through the methods below.
    /// Revocation, refresh-token families and sessions.
    package let tokenStore: any TokenStore
    /// The rate limiter behind ``rateLimit(_:policy:cost:)``.
    package let rateLimiter: RateLimiter
    /// The permission cache behind ``permissions(for:load:)``.
    package let permissionCache: PermissionCache
    /// Where "now" comes from.
    public let clock: TimeSource

    let reader: AccessTokenReader
    let metrics: AuthKitMetrics
    let tracing = AuthKitTracing()
    private let backends: AuthKitStore.Backends
    /// The local revocation mirror, when the configuration asks for one and the store has a feed.
    private let mirror: (any AccessCheckMirror)?
    private let logger: Logger
    private let broadcaster = EventBroadcaster()
    /// The background writer of coalesced session touches, when ``AuthKitVerifierConfiguration/sessionTouch`` is
    /// ``SessionTouch/coalesced(interval:maximumTrackedSessions:)``.
    let sessionTouches: SessionTouchCoalescer?

    /// Opens `store` and prepares verification; refuses a configuration that cannot work.
    public convenience init(
        configuration: AuthKitVerifierConfiguration,
        store: AuthKitStore = .inMemory(),
        clock: TimeSource = .system,
        logger: Logger = Logger(label: "authkit")
    ) async throws {
        try await self.init(
            configuration: configuration,
            issuerAudiences: nil,
            store: store,
            clock: clock,
            logger: logger,
            metricsFactory: nil
        )
    }

    /// The designated initialiser; an ``AuthKit`` issuer passes every audience it mints for as `issuerAudiences`,
    /// and tests their own `metricsFactory`.
    init(
        configuration: AuthKitVerifierConfiguration,
        issuerAudiences: Set<String>?,
        store: AuthKitStore,
        clock: TimeSource,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?
    ) async throws {
        try configuration.validate()
        let metrics = AuthKitMetrics(factory: metricsFactory)
        self.metrics = metrics
        self.reader = try AccessTokenReader(
            configuration: configuration,
            issuerAudiences: issuerAudiences,
            clock: clock
        )
        let backends = try await store.open(configuration.keyPrefix, clock)
        self.backends = backends
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.tokenStore = backends.tokens
        self.mirror = try Self.mirror(configuration.revocationMirror, backends: backends, logger: logger)
        if case .coalesced(let interval, let tracked) = configuration.sessionTouch.mode {
            self.sessionTouches = SessionTouchCoalescer(
                interval: interval,
                maximumTrackedSessions: tracked,
                store: backends.tokens,
                clock: clock,
                logger: logger,
                metrics: metrics
            )
        } else {
            self.sessionTouches = nil
        }
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
        logger.info(
            "AuthKit verifier ready",
            metadata: ["store": "\(store.name)", "audiences": "\(configuration.audiences.sorted())"]
        )
    }

    // MARK: Service

    /// Services the store, permission invalidations and coalesced session touches until the task is cancelled or
    /// the service group shuts down, then releases the store.
    ///
    /// A graceful shutdown first writes the session touches still pending (for at most
    /// ``SessionTouch/flushTimeout``), while the store is still open, then stops the rest.
    public func run() async throws {
        let touches = sessionTouches
        let work: @Sendable () async throws -> Void = {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.backends.run() }
                group.addTask { try await self.permissionCache.run() }
                if let mirror = self.mirror {
                    group.addTask { try await mirror.run() }
                }
                if let touches {
                    group.addTask { await touches.run() }
                }
                try await group.waitForAll()
            }
        }
        try await Self.runUntilShutdown(
            drainingFirst: { await touches?.flush(within: SessionTouch.flushTimeout) },
            work
        )
        await shutdown()
    }

    private static func mirror(
        _ policy: RevocationMirrorPolicy?,
        backends: AuthKitStore.Backends,
        logger: Logger
    ) throws(AuthKitError) -> (any AccessCheckMirror)? {
        guard let policy else {
            return nil
        }
        guard let make = backends.revocationMirror else {
            logger.info("the store checks tokens locally already; the revocation mirror is not used")
            return nil
        }
        do {
            return try make(policy, logger)
        } catch let error as TokenStoreError {
            throw AuthKitError(.invalidConfiguration, error.message)
        } catch {
            throw AuthKitError(.invalidConfiguration, "the revocation mirror could not start: \(error)")
        }
    }

    /// Runs `work` until it ends, the task is cancelled or the service group shuts down gracefully; on a graceful
    /// shutdown, `drain` runs to its end before `work` is cancelled, so it can still use what `work` services.
    static func runUntilShutdown(
        drainingFirst drain: @escaping @Sendable () async -> Void,
        _ work: @escaping @Sendable () async throws -> Void
    ) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await gracefulShutdown()
                    await drain()
                }
                // The first to end decides: `work` ended by itself, or the shutdown drained. The other is cancelled,
                // and its error, if any, is one of that cancellation.
                _ = try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // Cancelled by the caller: a normal end.
        }
    }

    /// Runs `work` until it ends, the task is cancelled or the service group shuts down gracefully.
    static func runUntilShutdown(_ work: @escaping @Sendable () async throws -> Void) async throws {
        // Graceful shutdown cancels this work: the permission-invalidation subscription waits for messages that
        // an in-memory bus never ends, and would otherwise hold the service group open forever.
        do {
            try await cancelWhenGracefulShutdown { try await work() }
        } catch is CancellationError {
            // Cancelled by the shutdown itself (or by the caller): a normal end.
        }
    }

    /// Writes the coalesced session touches still pending (for at most ``SessionTouch/flushTimeout``), releases the
    /// store's resources and ends every ``events`` stream.
    public func shutdown() async {
        await sessionTouches?.flush(within: SessionTouch.flushTimeout)
        await backends.shutdown()
        broadcaster.finish()
    }

    /// Security events from now on (revoked tokens presented, limits exceeded, store outages; on an issuer also
    /// refresh-token reuse). Each access returns a new stream; a slow reader loses the oldest events, never
    /// slows requests.
    public var events: AsyncStream<SecurityEvent> {
        broadcaster.subscribe()
    }

    // MARK: Authentication

    /// Verifies an `Authorization` header value of the form `Bearer <token>` (read by ``BearerToken/token(in:)``);
    /// see ``authenticate(token:)``.
    public func authenticate(bearer header: String) async throws -> Principal {
        guard let token = BearerToken.token(in: header) else {
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
    /// revocation, the user's epoch and the session. Fails closed when the store or the keys cannot answer.
    @inline(__always)
    public func authenticate(token: String) async throws -> Principal {
        let timer = metrics.authenticateDuration
        let started = timer == nil ? 0 : Platform.monotonicNanoseconds()
        defer { timer?.recordNanoseconds(Int64(Platform.monotonicNanoseconds() &- started)) }
        guard tracing.isEnabled else {
            // Without a tracer, no span to run inside: keys held here and a mirror that answers make the whole
            // check one call that never suspends.
            guard reader.readsLocally else {
                return try await check(try await read(token, scope: .service))
            }
            let principal = try readLocally(token, scope: .service)
            let mirrored = try mirroredStatus(of: principal)
            if sessionTouches == nil, let mirrored {
                try conclude(principal, mirrored)
                return principal
            }
            return try await check(principal, mirrored: mirrored)
        }
        return try await tracing.span("authkit.authenticate") { span in
            let principal = try await read(token, scope: .service)
            span.set("enduser.id", principal.userID)
            span.set("authkit.session_id", principal.sessionID)
            return try await check(principal)
        }
    }

    /// The store half of authentication: revocation, the user's epoch and the session, from the mirror when it
    /// answers, else in one round trip.
    private func check(_ principal: Principal) async throws -> Principal {
        try await check(principal, mirrored: try mirroredStatus(of: principal))
    }

    /// ``check(_:)`` once the mirror has been asked: `mirrored` is its verdict, or nil for the store's.
    private func check(_ principal: Principal, mirrored: AccessStatus?) async throws -> Principal {
        let status: AccessStatus
        if let mirrored {
            status = mirrored
        } else {
            do {
                status = try await tokenStore.check(accessCheck(of: principal))
            } catch {
                throw checkFailure(error, of: principal)
            }
        }
        try conclude(principal, status)
        if let sessionTouches, let sessionID = principal.sessionID {
            await sessionTouches.record(userID: principal.userID, sessionID: sessionID)
        }
        return principal
    }

    /// The access check of a principal's token, touching its session when the configuration says so.
    private func accessCheck(of principal: Principal) -> AccessCheck {
        guard configuration.sessionTouch == .everyRequest else { return principal.check }
        var check = principal.check
        check.touchSession = true
        return check
    }

    /// The mirror's verdict on a principal's token, or nil for the store to give it: without a mirror, for a check
    /// that touches the session (which writes), and for one the mirror refers. The principal's own check is asked
    /// about, not a copy: copying it retained and released each of its strings.
    private func mirroredStatus(of principal: Principal) throws(AuthKitError) -> AccessStatus? {
        // The stored mirror is asked through `self.mirror`, not a local binding of it, which retained and released
        // it on every request.
        guard mirror != nil, configuration.sessionTouch != .everyRequest else {
            return nil
        }
        do {
            try principal.check.validate()
        } catch {
            throw checkFailure(error, of: principal)
        }
        switch mirror?.verdict(for: principal.check, expiresAt: principal.expiresAt, at: principal.checkedAt) {
        case .status(let status)?:
            metrics.mirrorServed?.increment()
            return status
        case .refer(let referral)?:
            metrics.mirrorReferred[referral]?.increment()
            return nil
        case nil:
            return nil
        }
    }

    /// The error for a check that failed: a token the store calls invalid, or a store that could not answer.
    private func checkFailure(_ error: any Error, of principal: Principal) -> AuthKitError {
        if let error = error as? TokenStoreError, error.code == .invalidArgument {
            metrics.authenticateRejected.increment()
            return AuthKitError(.invalidToken, error.message, jwtCode: .invalidClaim)
        }
        metrics.authenticateUnavailable.increment()
        return storeUnavailable("check the token", error, userID: principal.userID)
    }

    /// Nothing, if the check's `status` accepts the principal; else the error that says why not, with its event. The
    /// caller returns the principal itself: returning it from here copied it.
    private func conclude(_ principal: Principal, _ status: AccessStatus) throws(AuthKitError) {
        if principal.isLegacy {
            (status == .valid ? metrics.legacyAccepted : metrics.legacyRefused).increment()
        }
        switch status {
        case .valid:
            metrics.authenticateAccepted?.increment()
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

    // MARK: Introspection

    /// Whether `token` is active now, and what it is (RFC 7662): an access token of any audience of the issuer that
    /// passes every check of ``authenticate(token:)`` (without marking its session as used), or a refresh token a
    /// refresh would accept (nothing is rotated). Anything else (malformed, expired, revoked, of an ended session,
    /// forged) is ``TokenIntrospection/inactive``; `hint` only sets which kind is tried first.
    ///
    /// Throws ``AuthKitError/Code-swift.struct/storeUnavailable`` or ``AuthKitError/Code-swift.struct/keysUnavailable``
    /// when it cannot know: an outage is never answered "inactive" (nor "active").
    public func introspect(_ token: String, hint: TokenTypeHint? = nil) async throws -> TokenIntrospection {
        try await tracing.span("authkit.introspect") { span in
            let answer = try await lookUp(token, hint: hint)
            span.set("authkit.token.active", answer.isActive)
            span.set("authkit.token.type", answer.tokenType?.rawValue)
            return answer
        }
    }

    private func lookUp(_ token: String, hint: TokenTypeHint?) async throws -> TokenIntrospection {
        for kind in TokenTypeHint.order(hint) {
            switch kind {
            case .refreshToken:
                guard RefreshToken(parsing: token) != nil else { continue }
                guard case .active(let info) = try await inspect(refreshToken: token) else { return .inactive }
                return TokenIntrospection(
                    isActive: true,
                    tokenType: .refreshToken,
                    userID: info.userID,
                    sessionID: info.sessionID,
                    expiresAt: info.expiresAt,
                    claims: Self.sessionClaims(info.claims)
                )
            case .accessToken:
                guard let principal = try await readIfValid(token) else { continue }
                let check = AccessCheck(
                    userID: principal.userID,
                    jti: principal.tokenID,
                    issuedAt: principal.issuedAt,
                    sessionID: principal.sessionID,
                    touchSession: false
                )
                let status: AccessStatus
                do {
                    status = try await tokenStore.check(check)
                } catch let error as TokenStoreError where error.code == .invalidArgument {
                    return .inactive
                } catch {
                    throw storeUnavailable("introspect the token", error, userID: principal.userID)
                }
                guard status == .valid else { return .inactive }
                var claims = principal.claims.custom
                claims["sid"] = nil
                return TokenIntrospection(
                    isActive: true,
                    tokenType: .accessToken,
                    userID: principal.userID,
                    sessionID: principal.sessionID,
                    issuer: principal.claims.issuer,
                    audience: principal.claims.audience ?? [],
                    tokenID: principal.tokenID,
                    issuedAt: principal.issuedAt,
                    expiresAt: principal.expiresAt,
                    claims: claims
                )
            }
        }
        return .inactive
    }

    /// The principal of an access token that passes the local checks for any audience of the issuer, nil for one
    /// that does not; throws only when the keys cannot be had.
    func readIfValid(_ token: String) async throws(AuthKitError) -> Principal? {
        do {
            return try await reader.read(token, scope: .issuer)
        } catch  where error.code == .keySourceUnavailable {
            throw AuthKitError(.keysUnavailable, "the keys to verify the token cannot be had: \(error.message)")
        } catch {
            return nil
        }
    }

    /// What the store says of a refresh token, read without changing anything.
    func inspect(refreshToken: String) async throws(AuthKitError) -> RefreshTokenStatus {
        do {
            return try await tokenStore.inspect(refreshToken: refreshToken)
        } catch {
            throw storeUnavailable("inspect the refresh token", error, userID: nil)
        }
    }

    /// The claims kept with a session, as the object they were written from (empty for none or unreadable text).
    static func sessionClaims(_ text: String) -> JSONObject {
        guard !text.isEmpty, let object = (try? JSONValue(parsing: text))?.objectValue else { return JSONObject() }
        return object
    }

    /// The token's principal from the local checks alone (no store), counting a refusal.
    func read(_ token: String, scope: AccessTokenReader.Scope) async throws(AuthKitError) -> Principal {
        do {
            return try await reader.read(token, scope: scope)
        } catch {
            throw refusal(error)
        }
    }

    /// ``read(_:scope:)`` without suspending, for keys held here (``AccessTokenReader/readsLocally``).
    private func readLocally(_ token: String, scope: AccessTokenReader.Scope) throws(AuthKitError) -> Principal {
        do {
            return try reader.readLocally(token, scope: scope)
        } catch {
            throw refusal(error)
        }
    }

    /// The error for a token the local checks refused, counted.
    private func refusal(_ error: JWTError) -> AuthKitError {
        guard error.code != .keySourceUnavailable else {
            metrics.authenticateKeysUnavailable.increment()
            return AuthKitError(.keysUnavailable, "the keys to verify the token cannot be had: \(error.message)")
        }
        metrics.authenticateRejected.increment()
        return AuthKitError.invalidToken(error)
    }

    // MARK: Permissions and rate limits

    /// The user's permissions from the cache, or from `load` (called once per miss, even under concurrency).
    /// An unknown user (`load` returns nil) has no permissions.
    public func permissions(
        for userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws -> PermissionSet {
        try await tracing.span("authkit.permissions") { span in
            span.set("enduser.id", userID)
            let permissions = try await permissionCache.permissions(for: userID, load: load) ?? .empty
            span.set("authkit.permissions.count", permissions.grants.count)
            return permissions
        }
    }

    /// Throws ``AuthKitError/Code-swift.struct/forbidden`` unless the user holds `permission`
    /// (wildcards such as `orders:*` in the user's set match).
    public func require(
        _ permission: String,
        of userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws {
        try await require(PermissionRequirement(stringLiteral: permission), of: userID, load: load)
    }

    /// Throws ``AuthKitError/Code-swift.struct/forbidden``, with the permissions asked for as its
    /// ``AuthKitError/requiredScope``, unless the user's permissions meet `requirement` (one permission, all or
    /// any of a set; wildcards in the user's set match).
    public func require(
        _ requirement: PermissionRequirement,
        of userID: String,
        load: @escaping @Sendable (_ userID: String) async throws -> PermissionSet?
    ) async throws {
        guard requirement.isMet(by: try await permissions(for: userID, load: load)) else {
            let what = requirement.permissions.count == 1 ? "the permission" : "\(requirement.mode) of the permissions"
            throw AuthKitError(
                .forbidden,
                "\(what) \(requirement.permissions.map { "\"\($0)\"" }.joined(separator: ", ")) is required",
                requiredScope: requirement.scope
            )
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
        try await tracing.span("authkit.rate_limit") { span in
            span.set("authkit.rate_limit.policies", policies.map(\.name).joined(separator: ","))
            let decision = try await rateLimiter.check(key, policies: policies, cost: cost)
            span.set("authkit.rate_limit.allowed", decision.isAllowed)
            span.set("authkit.rate_limit.remaining", decision.remaining)
            if !decision.isAllowed {
                metrics.rateLimited.increment()
                emit(.rateLimitExceeded, detail: "key=\(key) policy=\(decision.policy)")
            }
            return decision
        }
    }

    /// What ``rateLimit(_:policies:cost:)`` would decide for `key` now, charging nothing: for a login form that
    /// shows how many attempts are left, or an endpoint that refuses early without spending the quota.
    public func rateLimitStatus(
        _ key: String,
        policies: [RateLimitPolicy],
        cost: Int = 1
    ) async throws -> RateLimitDecision {
        try await tracing.span("authkit.rate_limit.status") { span in
            span.set("authkit.rate_limit.policies", policies.map(\.name).joined(separator: ","))
            let decision = try await rateLimiter.status(key, policies: policies, cost: cost)
            span.set("authkit.rate_limit.allowed", decision.isAllowed)
            span.set("authkit.rate_limit.remaining", decision.remaining)
            return decision
        }
    }

    /// Forgets `key`'s rate-limit state under every policy, as after a successful login that ends a run of failed
    /// attempts. Throws when the store cannot do it (the local fallback state is reset either way).
    public func resetRateLimit(_ key: String) async throws {
        try await tracing.span("authkit.rate_limit.reset") { _ in
            try await rateLimiter.reset(key)
        }
    }

    // MARK: Events

    /// The error for a store that could not answer, published as a ``SecurityEvent/Kind-swift.struct/storeUnavailable``.
    func storeUnavailable(_ operation: String, _ error: any Error, userID: String?) -> AuthKitError {
        emit(.storeUnavailable, userID: userID, detail: "could not \(operation)")
        return AuthKitError.storeUnavailable(operation, error)
    }

    /// Logs and publishes a security event.
    func emit(_ kind: SecurityEvent.Kind, userID: String? = nil, sessionID: String? = nil, detail: String = "") {
        let event = SecurityEvent(kind: kind, userID: userID, sessionID: sessionID, detail: detail, at: clock.now())
        var metadata: Logger.Metadata = ["event": "\(kind.name)"]
        if let userID { metadata["user"] = "\(userID)" }
        if let sessionID { metadata["session"] = "\(sessionID)" }
        if !detail.isEmpty { metadata["detail"] = "\(detail)" }
        logger.warning("security event", metadata: metadata)
        broadcaster.publish(event)
    }
}
