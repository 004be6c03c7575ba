/// The local half of authentication: an access token's structure, signature and claims, checked with the keys
/// of a ``VerificationKeys`` source under the configured rules (and the ``LegacyTokenPolicy`` while it is in
/// force), read into a ``Principal``. No store is asked here.
struct AccessTokenReader: Sendable {
    /// Which audiences a token may name.
    enum Scope {
        /// The service's own audiences: what ``AuthKitVerifier/authenticate(token:)`` accepts.
        case service
        /// Every audience the issuer mints for: what logging a token out accepts.
        case issuer
    }

    private let keys: VerificationKeys.Source
    /// The signing keys of ``keys`` when it holds them and they may change, apart: switching over ``keys`` copied its
    /// payload (a retain of an object every thread shares) on every read.
    private let signingKeys: SigningKeys?
    /// Whether the keys never change (a fixed set, or signing keys from a fixed source), so the verifiers hold them.
    private let holdsKeySet: Bool
    private let service: JWTVerifier
    private let issuer: JWTVerifier
    private let legacy: (verifier: JWTVerifier, until: UnixTime)?
    private let accessTokenType: String?
    private let clock: TimeSource

    /// Creates a reader; `issuerAudiences` are the audiences of ``Scope/issuer`` (the service's own when nil).
    init(
        configuration: AuthKitVerifierConfiguration,
        issuerAudiences: Set<String>?,
        clock: TimeSource
    ) throws(AuthKitError) {
        // Keys that never change are held by the verifiers: a fixed set, or signing keys from a fixed source (read
        // without their lock). Signing keys that may change are read at each check; a provider's are fetched.
        let held: JWTKeySet?
        switch configuration.keys.source {
        case .keySet(let set):
            held = set
            signingKeys = nil
        case .signingKeys(let keys):
            held = keys.fixedVerificationKeys
            signingKeys = held == nil ? keys : nil
        case .provider:
            held = nil
            signingKeys = nil
        }
        holdsKeySet = held != nil
        do {
            let fixed = if let held { held } else { try JWTKeySet() }
            service = try JWTVerifier(
                keys: fixed,
                policy: configuration.policy(audiences: configuration.audiences),
                clock: clock
            )
            issuer = try JWTVerifier(
                keys: fixed,
                policy: configuration.policy(audiences: issuerAudiences ?? configuration.audiences),
                clock: clock
            )
            legacy = try configuration.legacyTokens.map { (policy) throws(JWTError) in
                (
                    try JWTVerifier(keys: policy.keys, policy: configuration.legacyPolicy(policy), clock: clock),
                    policy.acceptedUntil
                )
            }
        } catch {
            throw AuthKitError(.invalidConfiguration, error.description)
        }
        self.keys = configuration.keys.source
        self.accessTokenType = configuration.accessTokenType
        self.clock = clock
    }

    /// The principal of `token`, or the JWT rule it broke.
    func read(_ token: String, scope: Scope) async throws(JWTError) -> Principal {
        if readsLocally {
            return try readLocally(token, scope: scope)
        }
        guard case .provider(let provider) = keys else {
            throw JWTError(.keySourceUnavailable, "no verification keys")
        }
        let verified: VerifiedJWT
        do {
            verified =
                try await scope == .service
                ? service.verify(token, keyProvider: provider) : issuer.verify(token, keyProvider: provider)
        } catch {
            return try readLegacy(token, after: error)
        }
        return try principal(of: verified)
    }

    /// Whether the keys are held here (signing keys or a fixed set), so ``readLocally(_:scope:)`` reads tokens
    /// without suspending; else they come from a provider, which may have to fetch them.
    var readsLocally: Bool { signingKeys != nil || holdsKeySet }

    /// ``read(_:scope:)`` without suspending, for keys held here (``readsLocally``). Keys from a provider are not
    /// fetched: without keys held here, every token is refused.
    func readLocally(_ token: String, scope: Scope) throws(JWTError) -> Principal {
        let verified: VerifiedJWT
        do {
            // The stored verifiers themselves, not copies: copying the struct retained and released each of its
            // references on every call.
            if let snapshot = signingKeys?.verificationKeys {
                verified =
                    try scope == .service ? snapshot.verify(token, with: service) : snapshot.verify(token, with: issuer)
            } else {
                verified = try scope == .service ? service.verify(token) : issuer.verify(token)
            }
        } catch {
            return try readLegacy(token, after: error)
        }
        return try principal(of: verified)
    }

    /// A token the current rules refused with `error`, read by the legacy policy while it is in force; else `error`.
    private func readLegacy(_ token: String, after error: JWTError) throws(JWTError) -> Principal {
        guard error.code != .keySourceUnavailable, let legacy, clock.now() < legacy.until,
            let principal = try? readLegacy(token, with: legacy.verifier)
        else {
            throw error
        }
        return principal
    }

    private func principal(of verified: VerifiedJWT) throws(JWTError) -> Principal {
        let claims = verified.claims
        guard let userID = claims.subject, let issuedAt = claims.issuedAt, let expiresAt = claims.expiresAt else {
            throw JWTError(.missingClaim, "the token lacks sub, iat or exp")
        }
        let sessionID = try Self.sessionID(claims)
        return Principal(
            userID: userID,
            tokenID: claims.id,
            issuedAt: issuedAt,
            sessionID: sessionID,
            expiresAt: expiresAt,
            claims: claims,
            isLegacy: false,
            checkedAt: verified.checkedAt
        )
    }

    /// A token the legacy policy accepts: signed by a legacy key, meeting its claims, and lacking `jti`, `sid`
    /// or the access-token `typ` (a token with all three is a current one, held to the current rules).
    private func readLegacy(_ token: String, with verifier: JWTVerifier) throws(JWTError) -> Principal {
        let verified = try verifier.verify(token)
        let claims = verified.claims
        let hasType =
            accessTokenType.map { expected in
                verified.header.type.map { JWTHeader.sameMediaType($0, expected) } ?? false
            } ?? true
        guard claims.id == nil || claims["sid"] == nil || !hasType else {
            throw JWTError(.invalidClaim, "a token with jti, sid and typ is not a legacy token")
        }
        guard let userID = claims.subject, let expiresAt = claims.expiresAt else {
            throw JWTError(.missingClaim, "a legacy token lacks sub or exp")
        }
        let sessionID = try Self.sessionID(claims)
        let issuedAt = claims.issuedAt ?? UnixTime(seconds: 0)
        return Principal(
            userID: userID,
            tokenID: claims.id,
            issuedAt: issuedAt,
            sessionID: sessionID,
            expiresAt: expiresAt,
            claims: claims,
            isLegacy: true,
            checkedAt: verified.checkedAt
        )
    }

    private static func sessionID(_ claims: JWTClaims) throws(JWTError) -> String? {
        guard let value = claims["sid"] else { return nil }
        guard let sessionID = value.stringValue else {
            throw JWTError(.invalidClaim, "the claim \"sid\" is not a string")
        }
        return sessionID
    }
}
