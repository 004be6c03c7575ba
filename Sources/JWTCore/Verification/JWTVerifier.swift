public import AuthKitClock
import Foundation

/// Verifies compact JWTs: the cheap, strict structural checks first, then the signature, then the claims.
///
/// A verifier is an immutable value: share one across tasks and threads; verifying takes no lock beyond
/// OpenSSL context reuse and makes no actor hop.
public struct JWTVerifier: Sendable {
    /// Everything a verifier holds, in one shared immutable box: verifying hands the verifier to helpers and
    /// closures, and copying one reference costs one retain where copying the key set, the policy's sets, the clock
    /// and the cache cost a score of them on every call.
    private final class Storage: Sendable {
        let keys: JWTKeySet
        let policy: JWTValidationPolicy
        let clock: TimeSource
        /// The policy's required claims, sorted once so failures name the same claim every time, each with its
        /// registered claim looked up once.
        let requiredClaims: [(name: String, registered: JWTClaims.Registered?)]
        /// The required registered claims as bits (``JWTClaims/Registered/bit``): one mask test against
        /// ``JWTClaims/registeredPresence`` checks every one of them.
        let requiredRegistered: UInt8
        /// The required claims that are not registered ones (such as `sid`), each looked for by name.
        let requiredCustom: [String]
        /// The policy's audiences as a list when there are few: comparing a handful of short strings is cheaper
        /// than hashing the token's audience.
        let fewAudiences: [String]?
        /// Header segments already accepted under this (immutable) policy.
        let headerCache = HeaderCache()

        init(keys: JWTKeySet, policy: JWTValidationPolicy, clock: TimeSource) {
            self.keys = keys
            self.policy = policy
            self.clock = clock
            let requiredClaims = policy.requiredClaims.sorted().map { ($0, JWTClaims.Registered($0)) }
            self.requiredClaims = requiredClaims
            self.requiredRegistered = requiredClaims.reduce(0) { $0 | ($1.1?.bit ?? 0) }
            self.requiredCustom = requiredClaims.filter { $0.1 == nil }.map(\.0)
            self.fewAudiences = policy.audiences.count <= 4 ? Array(policy.audiences) : nil
        }

        func isAccepted(audience: String) -> Bool {
            if let fewAudiences { return fewAudiences.contains(audience) }
            return policy.audiences.contains(audience)
        }
    }

    private let storage: Storage

    /// The keys tokens may be signed with.
    public var keys: JWTKeySet { storage.keys }
    /// The rules tokens must satisfy.
    public var policy: JWTValidationPolicy { storage.policy }
    /// Where "now" comes from for `exp`, `nbf` and `iat`.
    public var clock: TimeSource { storage.clock }
    /// Header segments already accepted under this (immutable) policy; shared by copies of the verifier.
    var headerCache: HeaderCache { storage.headerCache }

    /// Creates a verifier; an invalid policy (such as a leeway above five minutes) is refused.
    public init(
        keys: JWTKeySet,
        policy: JWTValidationPolicy = JWTValidationPolicy(),
        clock: TimeSource = .system
    )
        throws(JWTError)
    {
        try policy.validate()
        self.storage = Storage(keys: keys, policy: policy, clock: clock)
    }

    /// Verifies `token` and returns its header and claims.
    public func verify(_ token: String) throws(JWTError) -> VerifiedJWT {
        var text = token
        let result = text.withUTF8 { buffer -> Result<VerifiedJWT, JWTError> in
            do throws(JWTError) {
                return .success(try verify(bytes: UnsafeRawBufferPointer(buffer), key: nil, text: token))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Verifies `token` and decodes its payload into `Claims`, for applications with their own claim types.
    public func verify<Claims: Decodable>(_ token: String, as type: Claims.Type) throws(JWTError) -> Claims {
        let verified = try verify(token)
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode(Claims.self, from: Data(verified.payload))
        } catch {
            throw JWTError(.claimsDecodingFailed, "the claims do not decode as \(Claims.self): \(error)")
        }
    }

    /// Verifies the signature of a compact JWS whose payload need not be JSON (webhooks, detached data),
    /// under the same structural and key rules; no claims are checked.
    public func verifySignature(_ token: String) throws(JWTError) -> (header: JWTHeader, payload: [UInt8]) {
        var text = token
        let result = text.withUTF8 { buffer -> Result<(JWTHeader, [UInt8]), JWTError> in
            do throws(JWTError) {
                let bytes = UnsafeRawBufferPointer(buffer)
                let (header, algorithm, layout) = try checkedHeader(bytes)
                let key = try storage.keys.key(for: header.keyID, now: storage.clock.now)
                try checkSignature(bytes, layout, algorithm, with: key)
                return .success((header, try CompactJWS.decode(bytes, layout.payloadRange, what: "payload")))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Verifies a token given as UTF-8 bytes.
    public func verify(bytes token: UnsafeRawBufferPointer) throws(JWTError) -> VerifiedJWT {
        try verify(bytes: token, key: nil)
    }

    /// Verifies with `key` when given (already chosen by the token's `kid`), otherwise with the key the verifier's own
    /// ``keys`` hold for the token's `kid`. `text`, when given, is the string whose UTF-8 `token` is: the result then
    /// reads its payload from it rather than from a copy.
    ///
    /// The payload is decoded and parsed only once the signature over it has verified, so the JSON parser never
    /// sees bytes the key holder did not sign.
    func verify(bytes token: UnsafeRawBufferPointer, key: JWTKey?, text: String? = nil) throws(JWTError) -> VerifiedJWT
    {
        let (header, algorithm, layout) = try checkedHeader(token)
        let chosen: JWTKey
        if let key {
            chosen = key
        } else {
            chosen = try storage.keys.key(for: header.keyID, now: storage.clock.now)
        }
        try checkSignature(token, layout, algorithm, with: chosen)
        return try verified(token, header: header, layout: layout, text: text)
    }

    /// ``verify(bytes:key:text:)`` with the key `set` holds for the token's `kid`. The set is borrowed, not passed
    /// as an optional: wrapping it copied it, a retain and a release of each of its buffers on every call.
    func verify(
        bytes token: UnsafeRawBufferPointer,
        keys set: borrowing JWTKeySet,
        text: String
    ) throws(JWTError) -> VerifiedJWT {
        let (header, algorithm, layout) = try checkedHeader(token)
        try checkSignature(token, layout, algorithm, with: try set.key(for: header.keyID, now: storage.clock.now))
        return try verified(token, header: header, layout: layout, text: text)
    }

    /// The verified token, once its signature has verified: the payload parsed, the claims checked.
    private func verified(
        _ token: UnsafeRawBufferPointer,
        header: JWTHeader,
        layout: CompactJWS.Layout,
        text: String?
    ) throws(JWTError) -> VerifiedJWT {
        let depth = storage.policy.maxNestingDepth
        let claims: JWTClaims
        let source: VerifiedJWT.PayloadSource
        if let text {
            // The payload is decoded into a temporary buffer for the parser; the result keeps the token instead.
            claims = try CompactJWS.withPayload(token, layout) { (payload) throws(JWTError) in
                try JSONParser.parseClaims(payload, maxDepth: depth)
            }
            source = .segment(token: text, range: layout.payloadRange)
        } else {
            let payload = try CompactJWS.decode(token, layout.payloadRange, what: "payload")
            claims = try JSONParser.parseClaims(payload, maxDepth: depth)
            source = .decoded(payload)
        }
        let checkedAt = try check(claims)
        return VerifiedJWT(
            header: header,
            claims: claims,
            checkedAt: checkedAt,
            payloadSource: source,
            maxNestingDepth: depth
        )
    }

    /// The token's checked header: structure, header rules, and an algorithm AuthKit implements and the
    /// policy allows.
    func checkedHeader(
        _ token: UnsafeRawBufferPointer
    ) throws(JWTError) -> (header: JWTHeader, algorithm: JWTAlgorithm, layout: CompactJWS.Layout) {
        let layout = try CompactJWS.layout(token, maxTokenSize: storage.policy.maxTokenSize)
        let segment = UnsafeRawBufferPointer(rebasing: token[layout.headerRange])
        if let (header, algorithm) = storage.headerCache.lookup(segment) {
            return (header, algorithm, layout)
        }
        let policy = storage.policy
        let headerObject = try CompactJWS.headerObject(token, layout, maxNestingDepth: policy.maxNestingDepth)
        let header = try JWTHeader(members: headerObject, policy: policy)
        guard let algorithm = JWTAlgorithm(name: header.algorithm) else {
            let shown = JSONParser.printable(header.algorithm)
            throw JWTError(.unsupportedAlgorithm, "the algorithm \"\(shown)\" is not accepted")
        }
        if let allowed = policy.allowedAlgorithms, !allowed.contains(algorithm) {
            throw JWTError(.unsupportedAlgorithm, "the algorithm \(algorithm.name) is not allowed by the policy")
        }
        storage.headerCache.insert(segment, header: header, algorithm: algorithm)
        return (header, algorithm, layout)
    }

    /// The signature, checked last: the key's own algorithm must be exactly the token's, so an asymmetric key never
    /// meets an HMAC `alg`.
    private func checkSignature(
        _ token: UnsafeRawBufferPointer,
        _ layout: CompactJWS.Layout,
        _ algorithm: JWTAlgorithm,
        with key: JWTKey
    ) throws(JWTError) {
        guard key.canVerify else {
            throw JWTError(.invalidKey, "the key's \"key_ops\" do not allow verification")
        }
        guard key.algorithm == algorithm else {
            throw JWTError(
                .algorithmMismatch,
                "the token says \(algorithm.name) but its key is for \(key.algorithm.name)"
            )
        }
        let backing = key.backing
        let valid = try CompactJWS.withSignature(token, layout, expectedLength: backing.signatureLength) { signature in
            backing.verify(signature: signature, input: UnsafeRawBufferPointer(rebasing: token[0..<layout.secondDot]))
        }
        guard valid else { throw JWTError(.invalidSignature, "the signature does not match") }
    }

    /// Checks required claims, time claims, issuer and audience against the policy.
    public func validate(_ claims: JWTClaims) throws(JWTError) {
        _ = try check(claims)
    }

    /// ``validate(_:)``, returning the instant the time claims were checked at.
    private func check(_ claims: JWTClaims) throws(JWTError) -> UnixTime {
        let required = storage.requiredRegistered
        // Usually every required claim is present: one mask test shows it for the registered ones, and the few
        // others are looked up by name. Otherwise each is looked for in order, so a failure names the first
        // missing one.
        if claims.registeredPresence & required != required
            || !storage.requiredCustom.allSatisfy({ claims.containsCustom($0) })
        {
            for (name, registered) in storage.requiredClaims {
                let present: Bool
                if let registered {
                    present = claims.contains(registered)
                } else {
                    present = claims.contains(name)
                }
                guard present else {
                    throw JWTError(.missingClaim, "the required claim \"\(JSONParser.printable(name))\" is missing")
                }
            }
        }
        let now = storage.clock.now()
        let leeway = storage.policy.leeway
        if let expiresAt = claims.expiresAt, now >= expiresAt + leeway {
            throw JWTError(.expired, "the token expired at \(expiresAt.seconds)")
        }
        if let notBefore = claims.notBefore, now + leeway < notBefore {
            throw JWTError(.notYetValid, "the token is not valid before \(notBefore.seconds)")
        }
        if let issuedAt = claims.issuedAt, issuedAt > now + leeway {
            throw JWTError(.issuedInFuture, "the token claims to be issued at \(issuedAt.seconds), in the future")
        }
        // Compared in place: binding the policy's issuer, or passing the storage's method as a closure, retained
        // objects every thread shares, whose counts then bounce between cores.
        if storage.policy.issuer != nil, claims.issuer != storage.policy.issuer {
            throw JWTError(.invalidIssuer, "the issuer is not \"\(storage.policy.issuer ?? "")\"")
        }
        if !storage.policy.audiences.isEmpty {
            guard claims.containsAudience(where: { storage.isAccepted(audience: $0) }) else {
                throw JWTError(.invalidAudience, "the token is not meant for this audience")
            }
        }
        return now
    }
}
