public import AuthKitClock
public import Logging

/// A key set fetched from elsewhere (an identity provider's `jwks_uri`) through a closure the application
/// supplies, cached for its max-age and refreshed on an unknown `kid` at most once per cooldown.
///
/// AuthKit makes no HTTP request itself: `fetch` does, with the application's client, timeouts and TLS
/// policy. Concurrent callers share one fetch in flight. An actor, so it is safe to share.
///
/// A fetched document is read as a ``PublishedKeySet``: keys it cannot use (encryption keys, unsupported curves,
/// key types or algorithms) are skipped, each logged once and listed in ``skippedKeys``, and the document is
/// refused only when no usable key is left.
public actor RemoteJWKS: JWTKeyProvider {
    /// The caching rules.
    public nonisolated let configuration: RemoteJWKSConfiguration
    private let clock: TimeSource
    private let fetch: @Sendable () async throws -> JWKSDocument
    private let logger: Logger
    /// The keys the last document loaded did not give the set, because they cannot be used to verify signatures.
    public private(set) var skippedKeys: [PublishedKeySet.SkippedKey] = []

    private var cached: JWTKeySet?
    private var expiresAt: UnixTime?
    private var lastFetch: UnixTime?
    private var lastError: JWTError?
    private var inFlight: Task<Result<JWKSDocument, any Error>, Never>?
    /// How many fetches have been started, for tests and metrics.
    public private(set) var fetchCount = 0

    /// Creates a source that calls `fetch` to obtain the JWKS; nothing is fetched until a key is needed. Skipped
    /// keys are logged to `logger` as warnings, once each.
    public init(
        configuration: RemoteJWKSConfiguration = RemoteJWKSConfiguration(),
        clock: TimeSource = .system,
        logger: Logger = Logger(label: "authkit.jwks"),
        fetch: @escaping @Sendable () async throws -> JWKSDocument
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.fetch = fetch
    }

    /// The key of `kid`: from the cache while it is fresh; an unknown `kid` triggers one refresh unless one
    /// happened within the cooldown (a refresh still in flight is waited for), and is then rejected with
    /// `unknownKey`.
    public func key(for kid: String?, at now: UnixTime) async throws(JWTError) -> JWTKey {
        if let cached, let expiresAt, now < expiresAt {
            do {
                return try cached.key(for: kid, at: now)
            } catch  where error.code == .unknownKey {
                // A refresh in flight may bring the kid (the first tokens of a rotated key arrive together):
                // wait for it rather than refuse because it started within the cooldown.
                guard cooldownOver(at: now) || inFlight != nil else { throw error }
            }
        }
        // After a failed fetch, wait out the cooldown before asking again, so an outage is not hammered either.
        if let lastError, !cooldownOver(at: now) {
            guard let cached, let expiresAt, now < expiresAt + configuration.staleIfError else { throw lastError }
            return try cached.key(for: kid, at: now)
        }
        let keys = try await refresh(at: now)
        return try keys.key(for: kid, at: now)
    }

    /// Fetches now (sharing a fetch already in flight), whatever the cache holds.
    @discardableResult
    public func refresh() async throws(JWTError) -> JWTKeySet {
        try await refresh(at: clock.now())
    }

    private func cooldownOver(at now: UnixTime) -> Bool {
        guard let lastFetch else { return true }
        return now >= lastFetch + configuration.refreshCooldown
    }

    private func refresh(at now: UnixTime) async throws(JWTError) -> JWTKeySet {
        let task: Task<Result<JWKSDocument, any Error>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let fetch = self.fetch
            task = Task {
                do {
                    return .success(try await fetch())
                } catch {
                    return .failure(error)
                }
            }
            inFlight = task
            fetchCount += 1
            lastFetch = now
        }
        let outcome = await task.value
        if inFlight == task { inFlight = nil }
        do throws(JWTError) {
            let document: JWKSDocument
            switch outcome {
            case .success(let value): document = value
            case .failure(let error):
                throw JWTError(.keySourceUnavailable, "fetching the JWKS failed: \(error)")
            }
            let published = try parse(document)
            let keys = published.keys
            record(published.skipped)
            cached = keys
            expiresAt = clock.now() + clamp(document.maxAge)
            lastError = nil
            return keys
        } catch {
            lastError = error
            if let cached, let expiresAt, clock.now() < expiresAt + configuration.staleIfError {
                return cached
            }
            throw error
        }
    }

    private func parse(_ document: JWKSDocument) throws(JWTError) -> PublishedKeySet {
        do throws(JWTError) {
            return try PublishedKeySet(jwks: document.text, algorithm: configuration.algorithm)
        } catch {
            throw JWTError(.keySourceUnavailable, "the fetched JWKS is not usable: \(error.description)")
        }
    }

    /// Keeps the skipped keys and logs those the previous document did not already skip, so a key is logged once
    /// however often the same document is fetched.
    private func record(_ skipped: [PublishedKeySet.SkippedKey]) {
        let known = Set(skippedKeys)
        skippedKeys = skipped
        for key in skipped where !known.contains(key) {
            logger.warning(
                "a key of the fetched JWKS cannot be used and is ignored",
                metadata: ["jwks.key": "\(key)", "jwks.skipped_keys": "\(skipped.count)"]
            )
        }
    }

    private func clamp(_ maxAge: Duration?) -> Duration {
        let value = maxAge ?? configuration.defaultMaxAge
        return min(max(value, configuration.minimumMaxAge), configuration.maximumMaxAge)
    }
}
