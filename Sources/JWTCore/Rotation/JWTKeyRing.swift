public import AuthKitClock

/// Keys under rotation: one active signing key per purpose, and older keys still accepted for verification
/// until a not-after instant.
///
/// Every key in a ring has a `kid` (its RFC 7638 thumbprint when none is given), and the ring's
/// ``verificationKeys`` require tokens to name one: a token with an unknown or missing `kid` is rejected,
/// never tried against a default key.
///
/// ```swift
/// var ring = JWTKeyRing()
/// try ring.activate(try .generate(.es256))                       // signs from now on
/// // later: the old key keeps verifying for one access-token lifetime
/// try ring.activate(try .generate(.es256), previousAcceptedUntil: clock.now() + .seconds(900))
/// let signer = try ring.signer()
/// let verifier = try JWTVerifier(keys: ring.verificationKeys, clock: clock)
/// ```
public struct JWTKeyRing: Sendable {
    /// The purpose keys are activated for unless another is named.
    public static let defaultPurpose = "default"

    private struct Entry: Sendable {
        var key: JWTKey
        var acceptedUntil: UnixTime?
    }

    private var entries: [Entry]
    private var active: [String: String]

    /// Creates an empty ring.
    public init() {
        entries = []
        active = [:]
    }

    /// Makes `key` the signing key for `purpose`. The key that was active for that purpose stays accepted for
    /// verification until `previousAcceptedUntil` (typically now plus the longest token lifetime); with `nil`
    /// it stays accepted until it is retired or removed.
    public mutating func activate(
        _ key: JWTKey,
        purpose: String = defaultPurpose,
        previousAcceptedUntil: UnixTime? = nil
    ) throws(JWTError) {
        guard key.canSign else {
            throw JWTError(.invalidKey, "an active key must be able to sign; add public keys for verification only")
        }
        let named = try Self.named(key)
        let kid = named.kid ?? ""
        if let index = index(of: kid) {
            guard entries[index].key.backing === named.backing else {
                throw JWTError(
                    .invalidConfiguration,
                    "another key already has the kid \"\(JSONParser.printable(kid))\""
                )
            }
            entries[index].acceptedUntil = nil
        } else {
            entries.append(Entry(key: named, acceptedUntil: nil))
        }
        if let previous = active[purpose], previous != kid, let index = index(of: previous) {
            entries[index].acceptedUntil = previousAcceptedUntil
        }
        active[purpose] = kid
    }

    /// Adds a key that only verifies (such as another service's public key, or a key from before a restart),
    /// accepted until `acceptedUntil` when given.
    public mutating func addVerificationKey(_ key: JWTKey, acceptedUntil: UnixTime? = nil) throws(JWTError) {
        let named = try Self.named(key)
        guard index(of: named.kid ?? "") == nil else {
            throw JWTError(
                .invalidConfiguration,
                "another key already has the kid \"\(JSONParser.printable(named.kid ?? ""))\""
            )
        }
        entries.append(Entry(key: named, acceptedUntil: acceptedUntil))
    }

    /// Stops accepting the key of `kid` from `instant` on; an active key cannot be retired.
    public mutating func retire(kid: String, at instant: UnixTime) throws(JWTError) {
        guard let index = index(of: kid) else {
            throw JWTError(.unknownKey, "no key has the kid \"\(JSONParser.printable(kid))\"")
        }
        guard !active.values.contains(kid) else {
            throw JWTError(
                .invalidConfiguration,
                "the key \"\(JSONParser.printable(kid))\" is active; activate another first"
            )
        }
        entries[index].acceptedUntil = instant
    }

    /// Forgets keys whose acceptance ended at or before `now`.
    public mutating func prune(at now: UnixTime) {
        entries.removeAll { entry in entry.acceptedUntil.map { now >= $0 } ?? false }
    }

    /// The active signing key for `purpose`, or `unknownKey` when none was activated.
    public func signingKey(purpose: String = defaultPurpose) throws(JWTError) -> JWTKey {
        guard let kid = active[purpose], let index = index(of: kid) else {
            throw JWTError(.unknownKey, "no key is active for \"\(JSONParser.printable(purpose))\"")
        }
        return entries[index].key
    }

    /// A signer with the active key for `purpose`; its tokens carry the key's `kid`.
    public func signer(purpose: String = defaultPurpose, type: String? = "JWT") throws(JWTError) -> JWTSigner {
        try JWTSigner(key: try signingKey(purpose: purpose), type: type)
    }

    /// Every key the ring accepts, with its not-after instant, as a set that requires a `kid`.
    public var verificationKeys: JWTKeySet {
        get throws(JWTError) {
            var set = try JWTKeySet(requiresKeyID: true)
            for entry in entries {
                try set.add(entry.key, acceptedUntil: entry.acceptedUntil)
            }
            return set
        }
    }

    /// The public JWKS of the ring's asymmetric keys still accepted at `now`, for `/.well-known/jwks.json`.
    public func publicJWKSString(at now: UnixTime) throws(JWTError) -> String {
        try verificationKeys.publicJWKSString(at: now)
    }

    private func index(of kid: String) -> Int? {
        entries.firstIndex { $0.key.kid == kid }
    }

    private static func named(_ key: JWTKey) throws(JWTError) -> JWTKey {
        if key.kid != nil { return key }
        return key.withKeyID(try key.thumbprint())
    }
}
