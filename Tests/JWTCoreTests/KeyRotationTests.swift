import AuthKitClock
import AuthKitTesting
import InMemoryLogging
import JWTCore
import Logging
import Synchronization
import Testing

/// Key rotation with ``JWTKeyRing`` and remote key sets with ``RemoteJWKS``.
@Suite("Key rotation")
struct KeyRotationTests {
    static func claims(_ clock: ManualClock) -> JWTClaims {
        JWTClaims(subject: "u", expiresAt: clock.now + .seconds(3600))
    }

    @Test("after rotation the new key signs, and the old key verifies until its not-after instant")
    func rotation() throws {
        let clock = ManualClock()
        var ring = JWTKeyRing()
        let old = try JWTKey.generate(.es256, kid: "2026-01")
        try ring.activate(old)
        let oldToken = try ring.signer().sign(Self.claims(clock))
        try ring.activate(try JWTKey.generate(.es256, kid: "2026-02"), previousAcceptedUntil: clock.now + .seconds(900))
        #expect(try ring.signingKey().kid == "2026-02")
        let newToken = try ring.signer().sign(Self.claims(clock))
        let verifier = try JWTVerifier(keys: try ring.verificationKeys, clock: clock.timeSource)
        #expect(try verifier.verify(oldToken).header.keyID == "2026-01")
        #expect(try verifier.verify(newToken).header.keyID == "2026-02")
        clock.advance(by: .seconds(900))
        let error = #expect(throws: JWTError.self) { try verifier.verify(oldToken) }
        #expect(error?.code == .unknownKey)
        #expect(try verifier.verify(newToken).header.keyID == "2026-02")
        let published = try ring.publicJWKSString(at: clock.now)
        #expect(published.contains("2026-02") && !published.contains("2026-01"))
        ring.prune(at: clock.now)
        #expect(try ring.verificationKeys.keys.count == 1)
    }

    @Test("one active key per purpose; a ring's keys always carry a kid and tokens must name one")
    func purposes() throws {
        var ring = JWTKeyRing()
        try ring.activate(try JWTKey.generate(.eddsa), purpose: "access")
        try ring.activate(try JWTKey.generate(.rs256, kid: "id"), purpose: "id-token")
        #expect(try ring.signingKey(purpose: "access").algorithm == .eddsa)
        #expect(try ring.signingKey(purpose: "access").kid == (try ring.signingKey(purpose: "access").thumbprint()))
        #expect(try ring.signingKey(purpose: "id-token").kid == "id")
        #expect(throws: JWTError.self) { try ring.signingKey(purpose: "other") }
        #expect(throws: JWTError.self) { try ring.activate(try JWTKey.generate(.es256).publicKey()) }
        #expect(throws: JWTError.self) { try ring.retire(kid: "id", at: UnixTime(seconds: 0)) }
        let keys = try ring.verificationKeys
        #expect(keys.requiresKeyID)
        let unnamed = try JWTSigner(key: try ring.signingKey(purpose: "id-token").withKeyID(nil))
            .sign(JWTClaims(expiresAt: UnixTime(seconds: 4_000_000_000)))
        let error = #expect(throws: JWTError.self) { try JWTVerifier(keys: keys).verify(unnamed) }
        #expect(error?.code == .unknownKey)
    }

    /// A fake JWKS endpoint that counts fetches and can be switched to another document or to failing.
    final class FakeEndpoint: Sendable {
        struct State {
            var text: String
            var maxAge: Duration?
            var failing = false
            var fetches = 0
        }
        let state: Mutex<State>

        init(_ text: String, maxAge: Duration? = nil) {
            state = Mutex(State(text: text, maxAge: maxAge))
        }

        var fetches: Int { state.withLock { $0.fetches } }

        func fetch() throws -> JWKSDocument {
            try state.withLock { state in
                state.fetches += 1
                if state.failing { throw JWTError(.cryptoFailure, "endpoint down") }
                return JWKSDocument(text: state.text, maxAge: state.maxAge)
            }
        }
    }

    @Test("RemoteJWKS caches for max-age and refetches after it")
    func maxAge() async throws {
        let clock = ManualClock()
        let key = try JWTKey.generate(.es256, kid: "a")
        let endpoint = FakeEndpoint(try JWTKeySet([key]).publicJWKSString(), maxAge: .seconds(120))
        let remote = RemoteJWKS(clock: clock.timeSource) { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        let token = try JWTSigner(key: key).sign(Self.claims(clock))
        for _ in 0..<5 { _ = try await verifier.verify(token, keyProvider: remote) }
        #expect(endpoint.fetches == 1)
        clock.advance(by: .seconds(121))
        _ = try await verifier.verify(token, keyProvider: remote)
        #expect(endpoint.fetches == 2)
    }

    @Test("an unknown kid refreshes at most once per cooldown, so forged kids cannot hammer the source")
    func unknownKidCooldown() async throws {
        let clock = ManualClock()
        let first = try JWTKey.generate(.es256, kid: "first")
        let endpoint = FakeEndpoint(try JWTKeySet([first]).publicJWKSString(), maxAge: .seconds(3600))
        let remote = RemoteJWKS(
            configuration: RemoteJWKSConfiguration(refreshCooldown: .seconds(60)),
            clock: clock.timeSource
        ) { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        _ = try await verifier.verify(try JWTSigner(key: first).sign(Self.claims(clock)), keyProvider: remote)
        #expect(endpoint.fetches == 1)
        clock.advance(by: .seconds(61))
        for index in 0..<50 {
            let forged = try JWTSigner(key: first.withKeyID("forged-\(index)")).sign(Self.claims(clock))
            let error = await #expect(throws: JWTError.self) { try await verifier.verify(forged, keyProvider: remote) }
            #expect(error?.code == .unknownKey)
        }
        #expect(endpoint.fetches == 2)
        // The provider publishes a new key: a token with its kid is accepted once the cooldown has passed.
        let second = try JWTKey.generate(.es256, kid: "second")
        endpoint.state.withLock { $0.text = (try? JWTKeySet([first, second]).publicJWKSString()) ?? "" }
        let secondToken = try JWTSigner(key: second).sign(Self.claims(clock))
        await #expect(throws: JWTError.self) { try await verifier.verify(secondToken, keyProvider: remote) }
        clock.advance(by: .seconds(60))
        #expect(try await verifier.verify(secondToken, keyProvider: remote).header.keyID == "second")
        #expect(endpoint.fetches == 3)
    }

    @Test("concurrent unknown kids share one fetch")
    func concurrentShareFetch() async throws {
        let clock = ManualClock()
        let key = try JWTKey.generate(.eddsa, kid: "k")
        let endpoint = FakeEndpoint(try JWTKeySet([key]).publicJWKSString())
        let remote = RemoteJWKS(clock: clock.timeSource) { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        let forged = try JWTSigner(key: key.withKeyID("nope")).sign(Self.claims(clock))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<32 {
                group.addTask { _ = try? await verifier.verify(forged, keyProvider: remote) }
            }
        }
        #expect(endpoint.fetches == 1)
        #expect(await remote.fetchCount == 1)
    }

    /// Counts tasks that have finished.
    final class FinishedCount: Sendable {
        private let state = Mutex(0)
        var count: Int { state.withLock { $0 } }
        func add() { state.withLock { $0 += 1 } }
    }

    @Test("a token whose kid is unknown while a refresh is in flight waits for that refresh instead of failing")
    func unknownKidJoinsTheRefreshInFlight() async throws {
        let clock = ManualClock()
        let first = try JWTKey.generate(.es256, kid: "first")
        let second = try JWTKey.generate(.es256, kid: "second")
        let endpoint = FakeEndpoint(try JWTKeySet([first]).publicJWKSString(), maxAge: .seconds(3600))
        let (gate, open) = AsyncStream<Void>.makeStream()
        let gated = Mutex(false)
        let remote = RemoteJWKS(clock: clock.timeSource) {
            if gated.withLock({ $0 }) {
                for await _ in gate { break }
            }
            return try endpoint.fetch()
        }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        _ = try await verifier.verify(try JWTSigner(key: first).sign(Self.claims(clock)), keyProvider: remote)
        // The issuer rotates: the new key is published, and the first token signed by it arrives after the
        // cooldown. Its refresh is held in flight while more tokens of the new key arrive.
        clock.advance(by: .seconds(61))
        endpoint.state.withLock { $0.text = (try? JWTKeySet([first, second]).publicJWKSString()) ?? "" }
        gated.withLock { $0 = true }
        let token = try JWTSigner(key: second).sign(Self.claims(clock))
        let leader = Task { try await verifier.verify(token, keyProvider: remote) }
        #expect(try await TestTiming.eventually(limit: .seconds(30)) { await remote.fetchCount >= 2 })
        #expect(await remote.fetchCount == 2)
        let finished = FinishedCount()
        let followers = (0..<8).map { _ in
            Task {
                defer { finished.add() }
                return try await verifier.verify(token, keyProvider: remote)
            }
        }
        // Give a follower that would refuse at once the time to do it; one that waits for the refresh cannot
        // finish before the gate opens, so this pause never fails correct code.
        try await Task.sleep(for: .milliseconds(200) * TestTiming.scale)
        #expect(finished.count == 0, "a token of the new key was refused while the refresh bringing it was in flight")
        open.yield()
        open.finish()
        #expect(try await leader.value.header.keyID == "second")
        for follower in followers {
            #expect(try await follower.value.header.keyID == "second")
        }
        #expect(endpoint.fetches == 2)
    }

    @Test("a failing source fails closed with keySourceUnavailable, or serves stale keys within staleIfError")
    func failures() async throws {
        let clock = ManualClock()
        let key = try JWTKey.generate(.es256, kid: "k")
        let endpoint = FakeEndpoint(try JWTKeySet([key]).publicJWKSString(), maxAge: .seconds(60))
        endpoint.state.withLock { $0.failing = true }
        let strict = RemoteJWKS(clock: clock.timeSource) { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        let token = try JWTSigner(key: key).sign(Self.claims(clock))
        let error = await #expect(throws: JWTError.self) { try await verifier.verify(token, keyProvider: strict) }
        #expect(error?.code == .keySourceUnavailable)
        // Within the cooldown after a failure the source is not asked again.
        await #expect(throws: JWTError.self) { try await verifier.verify(token, keyProvider: strict) }
        #expect(endpoint.fetches == 1)
        endpoint.state.withLock { $0.failing = false }
        let lenient = RemoteJWKS(
            configuration: RemoteJWKSConfiguration(staleIfError: .seconds(600)),
            clock: clock.timeSource
        ) { try endpoint.fetch() }
        _ = try await verifier.verify(token, keyProvider: lenient)
        endpoint.state.withLock { $0.failing = true }
        clock.advance(by: .seconds(120))
        #expect(try await verifier.verify(token, keyProvider: lenient).header.keyID == "k")
        let fetchesDuringOutage = endpoint.fetches
        #expect(try await verifier.verify(token, keyProvider: lenient).header.keyID == "k")
        #expect(endpoint.fetches == fetchesDuringOutage)
        clock.advance(by: .seconds(600))
        await #expect(throws: JWTError.self) { try await verifier.verify(token, keyProvider: lenient) }
    }

    /// Identity providers (Keycloak among them) publish encryption keys and keys on other curves next to their
    /// signing keys. RFC 7517 §5: keys that are not understood are ignored, not fatal to the set.
    static func providerJWKS(signingKey: JWTKey) throws -> String {
        var encryption = try JWTKey.generate(.rs256, kid: "enc-1").jwk(includePrivate: false)
        encryption["use"] = "enc"
        encryption["alg"] = "RSA-OAEP"
        let otherCurve = #"{"kty":"EC","kid":"k1","crv":"secp256k1","x":"AAAA","y":"AAAA","use":"sig"}"#
        let agreement = #"{"kty":"OKP","kid":"x1","crv":"X25519","x":"AAAA","use":"enc"}"#
        let unknownType = #"{"kty":"AKP","kid":"pq","alg":"ML-DSA-44","pub":"AAAA"}"#
        let signing = try signingKey.jwkString(includePrivate: false)
        return #"{"keys":[\#(try JSONValue.object(encryption).jsonText()),\#(otherCurve),\#(signing),"#
            + #"\#(agreement),\#(unknownType)]}"#
    }

    @Test("a remote JWKS with keys AuthKit cannot use still verifies tokens of the keys it can")
    func remoteSetSkipsUnusableKeys() async throws {
        let clock = ManualClock()
        let key = try JWTKey.generate(.es256, kid: "sig-1")
        let endpoint = FakeEndpoint(try Self.providerJWKS(signingKey: key))
        let remote = RemoteJWKS(clock: clock.timeSource) { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet(), clock: clock.timeSource)
        let token = try JWTSigner(key: key).sign(Self.claims(clock))
        #expect(try await verifier.verify(token, keyProvider: remote).header.keyID == "sig-1")
        for kid in ["enc-1", "k1", "x1", "pq"] {
            let forged = try JWTSigner(key: key.withKeyID(kid)).sign(Self.claims(clock))
            let error = await #expect(throws: JWTError.self) { try await verifier.verify(forged, keyProvider: remote) }
            #expect(error?.code == .unknownKey, "a skipped key's kid is unknown, never tried: \(kid)")
        }
    }

    @Test("RemoteJWKS lists the keys it skipped and logs each once, however often the set is fetched")
    func remoteSetReportsSkippedKeysOnce() async throws {
        let key = try JWTKey.generate(.es256, kid: "sig-1")
        let endpoint = FakeEndpoint(try Self.providerJWKS(signingKey: key))
        let handler = InMemoryLogHandler()
        let remote = RemoteJWKS(logger: Logger(label: "test", factory: { _ in handler })) { try endpoint.fetch() }
        try await remote.refresh()
        try await remote.refresh()
        #expect(endpoint.fetches == 2)
        #expect(await remote.skippedKeys.map(\.kid) == ["enc-1", "k1", "x1", "pq"])
        let warnings = handler.entries.filter { $0.level == .warning }
        #expect(warnings.count == 4)
        let another = try JWTKey.generate(.rs256, kid: "sig-2")
        var encryption = try another.jwk(includePrivate: false)
        encryption["use"] = "enc"
        let text =
            #"{"keys":[\#(try key.jwkString(includePrivate: false)),\#(try JSONValue.object(encryption).jsonText())]}"#
        endpoint.state.withLock { $0.text = text }
        try await remote.refresh()
        #expect(await remote.skippedKeys.map(\.kid) == ["sig-2"])
        #expect(handler.entries.filter { $0.level == .warning }.count == 5)
    }

    @Test("a remote JWKS without a usable key is refused: keySourceUnavailable")
    func remoteSetWithoutUsableKeys() async throws {
        var encryption = try JWTKey.generate(.es256, kid: "enc").jwk(includePrivate: false)
        encryption["use"] = "enc"
        for text in [#"{"keys":[\#(try JSONValue.object(encryption).jsonText())]}"#, #"{"keys":[]}"#] {
            let remote = RemoteJWKS { JWKSDocument(text: text) }
            let error = await #expect(throws: JWTError.self) { try await remote.refresh() }
            #expect(error?.code == .keySourceUnavailable)
        }
    }

    @Test("a malformed token never causes a fetch")
    func malformedNoFetch() async throws {
        let endpoint = FakeEndpoint(#"{"keys":[]}"#)
        let remote = RemoteJWKS { try endpoint.fetch() }
        let verifier = try JWTVerifier(keys: try JWTKeySet())
        await #expect(throws: JWTError.self) { try await verifier.verify("not.a.token", keyProvider: remote) }
        await #expect(throws: JWTError.self) {
            try await verifier.verify("eyJhbGciOiJub25lIn0.e30.", keyProvider: remote)
        }
        #expect(endpoint.fetches == 0)
    }
}
