public import AuthKitClock
public import JWTCore

/// AuthKit's side of the JWT comparison: one signer and one verifier (issuer, audience, required claims and
/// time claims checked) for an algorithm.
public struct AuthKitJWT: Sendable {
    /// The signing key; its PEM (asymmetric) or secret (HMAC) is handed to jwt-kit so both use the same key.
    public let key: JWTKey
    /// The signer every `sign` goes through.
    public let signer: JWTSigner
    /// The verifier every `verify` goes through.
    public let verifier: JWTVerifier

    /// Generates a key for `algorithm` (HMAC uses ``BenchClaims/hmacSecret``) and builds both halves.
    public init(_ algorithm: BenchAlgorithm) throws {
        let key: JWTKey
        switch algorithm {
        case .hs256: key = try JWTKey.hs256(BenchClaims.hmacSecret)
        case .rs256: key = try JWTKey.generate(.rs256).withKeyID(nil)
        case .es256: key = try JWTKey.generate(.es256).withKeyID(nil)
        case .eddsa: key = try JWTKey.generate(.eddsa).withKeyID(nil)
        }
        self.key = key
        self.signer = try JWTSigner(key: key)
        let policy = JWTValidationPolicy(
            issuer: BenchClaims.issuer,
            audiences: [BenchClaims.audience],
            requiredClaims: ["exp", "iat", "sub", "jti"]
        )
        self.verifier = try JWTVerifier(keys: try JWTKeySet([key]), policy: policy)
    }

    /// The claim set issued at `now`.
    public static func claims(now: UnixTime = TimeSource.system.now()) -> JWTClaims {
        let issued = UnixTime(seconds: now.seconds)
        return JWTClaims(
            issuer: BenchClaims.issuer,
            subject: BenchClaims.subject,
            audience: [BenchClaims.audience],
            expiresAt: issued + .seconds(BenchClaims.lifetimeSeconds),
            issuedAt: issued,
            id: BenchClaims.tokenID,
            custom: [BenchClaims.customName: .string(BenchClaims.customValue)]
        )
    }

    /// Signs `claims`.
    public func sign(_ claims: JWTClaims) throws -> String {
        try signer.sign(claims)
    }

    /// Verifies `token` with its claims and returns the custom claim, so the work cannot be optimised away.
    public func verify(_ token: String) throws -> String? {
        try verifier.verify(token).claims[BenchClaims.customName]?.stringValue
    }

    /// The private key as PEM for jwt-kit; nil for HMAC.
    public func privatePEM() throws -> String? {
        key.isAsymmetric ? try key.pem(includePrivate: true) : nil
    }
}
