import Logging
import Metrics
import Synchronization

/// The issuer's live signing keys: a ``SigningKeyState`` behind a mutex, loaded from a ``SigningKeySource`` at
/// start and, for a directory or a provider, again every check interval while ``run()`` runs.
///
/// Minting and verifying read the state under the lock (a copy of a signer or a key set, no I/O), so a reload
/// swaps the whole ring at once between two requests and no request ever sees half a ring. A fixed source's keys
/// never change, and verifiers hold them (``fixedVerificationKeys``).
final class SigningKeys: Sendable {
    let source: SigningKeySource
    private let clock: TimeSource
    private let logger: Logger
    /// A named struct, never a tuple: the ThreadSanitizer suppression of `Mutex` matches `withLock` closures over
    /// `inout sending` values, which a tuple's mangling lacks (Tests/sanitizers/tsan.supp).
    private struct Locked {
        var keys: SigningKeyState
        var fingerprint: [String]
    }
    private let state: Mutex<Locked>
    /// The keys that verify, when the source is fixed: its ring never changes (``reload()`` installs nothing), so they
    /// are read without the lock, which every check took (and whose word both cores of a busy server wrote).
    let fixedVerificationKeys: JWTKeySet?
    private let reloadsChanged = Counter(
        label: "authkit_signing_key_reloads_total",
        dimensions: [("result", "changed")]
    )
    private let reloadsFailed = Counter(label: "authkit_signing_key_reloads_total", dimensions: [("result", "failed")])

    /// Loads the first ring; a source that cannot be read or a ring that cannot sign is refused.
    init(
        source: SigningKeySource,
        tokenType: String,
        tokenSpan: Duration,
        clock: TimeSource,
        logger: Logger
    ) async throws(AuthKitError) {
        let ring = try await Self.load(source)
        let keys = try SigningKeyState(
            ring: ring,
            at: clock.now(),
            tokenType: tokenType,
            publicationLead: source.publicationLead,
            tokenSpan: tokenSpan
        )
        self.source = source
        self.clock = clock
        self.logger = logger
        self.state = Mutex(Locked(keys: keys, fingerprint: Self.fingerprint(ring)))
        if case .fixed = source.origin {
            self.fixedVerificationKeys = keys.verificationKeys
        } else {
            self.fixedVerificationKeys = nil
        }
    }

    /// The signer for a token minted at `now`.
    func signer(at now: UnixTime) -> JWTSigner {
        state.withLock { $0.keys.signer(at: now) }
    }

    /// Every key that verifies now, each until its not-after instant.
    var verificationKeys: VerificationKeySnapshot {
        state.withLock { $0.keys.verification }
    }

    /// The public JWKS, with the publication lead as its max-age.
    func publicJWKS() -> JWKSDocument {
        let now = clock.now()
        return JWKSDocument(text: state.withLock { $0.keys.publicJWKS(at: now) }, maxAge: source.publicationLead)
    }

    /// Loads the source again and installs the ring if it changed; returns whether it did.
    @discardableResult
    func reload() async throws(AuthKitError) -> Bool {
        // A fixed source holds the keys it was created with: nothing to read again, and nothing may change
        // (``fixedVerificationKeys``).
        if case .fixed = source.origin { return false }
        let ring: SigningKeyRing
        do {
            ring = try await Self.load(source)
        } catch {
            reloadsFailed.increment()
            throw error
        }
        let fingerprint = Self.fingerprint(ring)
        let now = clock.now()
        let outcome = try state.withLock { (state) throws(AuthKitError) -> SigningKeyState.Outcome? in
            guard state.fingerprint != fingerprint else { return nil }
            let outcome = try state.keys.install(ring, at: now)
            state.fingerprint = fingerprint
            return outcome
        }
        guard let outcome else { return false }
        reloadsChanged.increment()
        var metadata: Logger.Metadata = ["current": "\(ring.current.kid ?? "-")", "next": "\(ring.next?.kid ?? "-")"]
        switch outcome {
        case .currentSigns:
            logger.info("signing keys reloaded", metadata: metadata)
        case .previousSignsUntil(let instant):
            metadata["signs_from"] = "\(instant.seconds)"
            logger.notice(
                "signing keys reloaded; the current key signs once it has been published long enough",
                metadata: metadata
            )
        case .currentSignsBeforeItsLead:
            logger.warning(
                "signing keys reloaded; the current key signs before verifiers may have it (the key that signed before left the ring)",
                metadata: metadata
            )
        }
        return true
    }

    /// Reloads every check interval until cancelled; a fixed source returns at once. Failures are logged and
    /// counted, and the ring in use stays.
    func run() async {
        if case .fixed = source.origin { return }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: source.checkInterval)
            } catch {
                return
            }
            do {
                try await reload()
            } catch {
                logger.error("could not reload the signing keys; the keys in use stay", metadata: ["error": "\(error)"])
            }
        }
    }

    private static func load(_ source: SigningKeySource) async throws(AuthKitError) -> SigningKeyRing {
        switch source.origin {
        case .fixed(let keys):
            guard let first = keys.first else {
                throw AuthKitError(.invalidConfiguration, "at least one signing key is needed")
            }
            return SigningKeyRing(
                current: first,
                retiring: keys.dropFirst().map { SigningKeyRing.RetiringKey($0, notAfter: nil) }
            )
        case .directory(let path):
            return try KeyDirectory.load(path)
        case .provider(let load):
            do {
                return try await load()
            } catch {
                throw AuthKitError(.keysUnavailable, "the signing-key provider failed: \(AuthKitError.describe(error))")
            }
        }
    }

    /// What identifies a ring: each key's role, `kid`, not-after instant and thumbprint.
    private static func fingerprint(_ ring: SigningKeyRing) -> [String] {
        func entry(_ role: String, _ key: JWTKey, _ notAfter: UnixTime?) -> String {
            "\(role) \(key.kid ?? "") \(notAfter.map { "\($0.sinceEpoch)" } ?? "-") \((try? key.thumbprint()) ?? "")"
        }
        var entries = [entry("current", ring.current, nil)]
        if let next = ring.next { entries.append(entry("next", next, nil)) }
        for retiring in ring.retiring { entries.append(entry("retiring", retiring.key, retiring.notAfter)) }
        return entries
    }
}
