/// The issuer's signing keys as a plain value: which key signs at a given instant, which keys verify until when,
/// and what is published. ``SigningKeys`` holds one behind a mutex and installs each ring it loads.
///
/// Two rules on top of the ring as loaded (see ``SigningKeySource``): a key signs only once it has been published
/// for the publication lead (until then the key that signed before keeps signing, if the ring still holds it),
/// and a key this instance signed with is accepted until the last token it signed expires.
struct SigningKeyState {
    /// What an install changed about signing, for the log.
    enum Outcome: Equatable {
        /// The ring's current key signs from now on (or already did).
        case currentSigns
        /// The key that signed before keeps signing until the current key's publication lead has passed.
        case previousSignsUntil(UnixTime)
        /// The current key signs at once although it was published less than the lead ago, because the key that
        /// signed before is no longer in the ring.
        case currentSignsBeforeItsLead
    }

    private struct Held {
        var signer: JWTSigner
        var until: UnixTime
    }

    let tokenType: String
    let publicationLead: Duration
    /// How long a token lives after it is signed: the access-token lifetime plus leeway.
    let tokenSpan: Duration
    private(set) var ring: SigningKeyRing
    /// Every key of the ring, each accepted until its (possibly extended) not-after instant.
    private(set) var verification: VerificationKeySnapshot
    /// The keys of ``verification``.
    var verificationKeys: JWTKeySet { verification.keys }
    private var signer: JWTSigner
    private var held: Held?
    /// When this instance first published each key of the ring.
    private var firstPublished: [String: UnixTime]
    /// Until when this instance signed with each key of the ring that no longer signs.
    private var lastSigned: [String: UnixTime]

    /// The state after loading the first ring at `now`: every key is published from now, the current one signs.
    init(
        ring: SigningKeyRing,
        at now: UnixTime,
        tokenType: String,
        publicationLead: Duration,
        tokenSpan: Duration
    ) throws(AuthKitError) {
        self.tokenType = tokenType
        self.publicationLead = publicationLead
        self.tokenSpan = tokenSpan
        self.ring = ring
        self.signer = try Self.signer(for: ring.current, type: tokenType)
        self.held = nil
        self.firstPublished = [:]
        self.lastSigned = [:]
        self.verification = VerificationKeySnapshot(
            try Self.verificationKeys(ring, lastSigned: [:], tokenSpan: tokenSpan)
        )
        _ = try install(ring, at: now)
    }

    /// The signer for a token minted at `now`.
    func signer(at now: UnixTime) -> JWTSigner {
        if let held, now < held.until {
            return held.signer
        }
        return signer
    }

    /// The public JWKS of the ring's asymmetric keys still accepted at `now`.
    func publicJWKS(at now: UnixTime) -> String {
        // The set was built from keys that each produced a JWK when loaded; no public half can fail to print.
        (try? verificationKeys.publicJWKSString(at: now)) ?? #"{"keys":[]}"#
    }

    /// Replaces the ring; on a refused ring (a current key that cannot sign, two keys with one `kid`) nothing
    /// changes.
    mutating func install(_ ring: SigningKeyRing, at now: UnixTime) throws(AuthKitError) -> Outcome {
        let kids = Set(Self.keys(of: ring).map(Self.name))
        var published = firstPublished.filter { kids.contains($0.key) }
        for kid in kids where published[kid] == nil {
            published[kid] = now
        }
        var signed = lastSigned.filter { kids.contains($0.key) }
        let newSigner = try Self.signer(for: ring.current, type: tokenType)
        let currentKid = Self.name(ring.current)
        let signingKid = Self.name(signer(at: now).key)
        var newHeld: Held?
        var outcome = Outcome.currentSigns
        if currentKid != signingKid {
            let ready = (published[currentKid] ?? now) + publicationLead
            if kids.contains(signingKid) {
                // The previous key signs on as the new ring holds it (a private half, still accepted), so what it
                // signs is what the ring verifies.
                if now < ready, Self.isAccepted(signingKid, in: ring, at: now),
                    let previous = Self.keys(of: ring).first(where: { Self.name($0) == signingKid && $0.canSign })
                {
                    newHeld = Held(signer: try Self.signer(for: previous, type: tokenType), until: ready)
                    outcome = .previousSignsUntil(ready)
                }
                signed[signingKid] = max(signed[signingKid] ?? now, newHeld?.until ?? now)
            }
            if newHeld == nil, now < ready {
                outcome = .currentSignsBeforeItsLead
            }
        }
        let keys = try Self.verificationKeys(ring, lastSigned: signed, tokenSpan: tokenSpan)
        self.ring = ring
        self.verification = VerificationKeySnapshot(keys)
        self.signer = newSigner
        self.held = newHeld
        self.firstPublished = published
        self.lastSigned = signed
        return outcome
    }

    private static func signer(for key: JWTKey, type: String) throws(AuthKitError) -> JWTSigner {
        guard key.canSign else {
            throw AuthKitError(
                .invalidConfiguration,
                "the current signing key cannot sign (it is a public key); a service that only verifies tokens runs an AuthKitVerifier"
            )
        }
        do {
            return try JWTSigner(key: key, type: type)
        } catch {
            throw AuthKitError(.invalidConfiguration, "the current signing key cannot sign: \(error)")
        }
    }

    private static func verificationKeys(
        _ ring: SigningKeyRing,
        lastSigned: [String: UnixTime],
        tokenSpan: Duration
    ) throws(AuthKitError) -> JWTKeySet {
        do {
            var set = try JWTKeySet([ring.current])
            if let next = ring.next {
                try set.add(next)
            }
            for retiring in ring.retiring {
                var until = retiring.notAfter
                if let notAfter = until, let signed = lastSigned[name(retiring.key)] {
                    until = max(notAfter, signed + tokenSpan)
                }
                try set.add(retiring.key, acceptedUntil: until)
            }
            return set
        } catch {
            throw AuthKitError(.invalidConfiguration, "the signing-key ring is not usable: \(error.description)")
        }
    }

    private static func isAccepted(_ kid: String, in ring: SigningKeyRing, at now: UnixTime) -> Bool {
        guard let retiring = ring.retiring.first(where: { name($0.key) == kid }) else {
            return true
        }
        return retiring.notAfter.map { now < $0 } ?? true
    }

    private static func keys(of ring: SigningKeyRing) -> [JWTKey] {
        [ring.current] + (ring.next.map { [$0] } ?? []) + ring.retiring.map(\.key)
    }

    private static func name(_ key: JWTKey) -> String {
        key.kid ?? ""
    }
}

/// A set of verification keys as one immutable reference: reading it from behind ``SigningKeys``' lock, on every
/// authenticate, copies one reference instead of each of the set's buffers.
final class VerificationKeySnapshot: Sendable {
    let keys: JWTKeySet

    init(_ keys: JWTKeySet) {
        self.keys = keys
    }

    /// `token` verified by `verifier` with these keys, which are lent to it in place rather than copied out of the
    /// snapshot (a retain and a release of each of the set's buffers).
    func verify(_ token: String, with verifier: JWTVerifier) throws(JWTError) -> VerifiedJWT {
        try verifier.verify(token, keys: keys)
    }
}
