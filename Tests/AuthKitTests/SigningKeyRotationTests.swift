import AuthKitTesting
import Foundation
import Synchronization
import Testing

@testable import AuthKit

/// Signing keys that rotate at run time: loaded from a directory or a provider, reloaded without a restart.
@Suite("Signing-key rotation")
struct SigningKeyRotationTests {
    private static func configuration(_ keys: SigningKeySource) -> AuthKitConfiguration {
        AuthKitConfiguration(issuer: "https://login.example.com", audience: "api", signingKeys: keys)
    }

    private static func kid(_ pair: TokenPair) throws -> String? {
        try UnverifiedJWTDecoder.decode(pair.accessToken).header["kid"]?.stringValue
    }

    private static func published(_ auth: AuthKit) throws -> Set<String> {
        Set(try JWTKeySet(jwks: auth.publicJWKS().text).keys.compactMap(\.kid))
    }

    private static func write(_ text: String, _ directory: String, _ name: String) throws {
        try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
    }

    @Test func aDirectoryRingRotatesWithoutARestart() async throws {
        try await withTemporaryDirectory { directory in
            let clock = ManualClock()
            let k1 = try JWTKey.generate(.es256, kid: "k1")
            let k2 = try JWTKey.generate(.es256, kid: "k2")
            try Self.write(try k1.pem(includePrivate: true), directory, "k1.pem")
            try Self.write(try k2.jwkString(includePrivate: true), directory, "k2.jwk")
            try Self.write(#"{"current": "k1"}"#, directory, "keyring.json")
            let auth = try await AuthKit(
                configuration: Self.configuration(.directory(directory, publicationLead: .seconds(60))),
                clock: clock.timeSource
            )
            #expect(auth.publicJWKS().maxAge == .seconds(60))
            let first = try await auth.login(userID: "42")
            #expect(try Self.kid(first) == "k1")
            #expect(try Self.published(auth) == ["k1"])
            #expect(try await auth.reloadSigningKeys() == false)

            // The next key is published (and accepted) before it signs anything.
            try Self.write(#"{"current": "k1", "next": "k2"}"#, directory, "keyring.json")
            #expect(try await auth.reloadSigningKeys())
            #expect(try await auth.reloadSigningKeys() == false)
            #expect(try Self.published(auth) == ["k1", "k2"])
            #expect(try Self.kid(try await auth.login(userID: "42")) == "k1")

            // Promoted once published for the lead: new tokens carry k2, k1's still verify.
            clock.advance(by: .seconds(60))
            let notAfter = clock.now.seconds + 900
            try Self.write(#"{"current": "k2", "retiring": {"k1": \#(notAfter)}}"#, directory, "keyring.json")
            #expect(try await auth.reloadSigningKeys())
            let second = try await auth.login(userID: "42")
            #expect(try Self.kid(second) == "k2")
            _ = try await auth.authenticate(token: first.accessToken)
            _ = try await auth.authenticate(token: second.accessToken)
            #expect(try Self.published(auth) == ["k1", "k2"])
            clock.advance(by: .seconds(900))
            #expect(try Self.published(auth) == ["k2"])

            // A reload that fails changes nothing.
            try Self.write(#"{"current": "k3"}"#, directory, "keyring.json")
            await expectAuthKitError(.keysUnavailable) { _ = try await auth.reloadSigningKeys() }
            try Self.write(#"{"current": "../k2"}"#, directory, "keyring.json")
            await expectAuthKitError(.keysUnavailable) { _ = try await auth.reloadSigningKeys() }
            try Self.write(#"{"current": "k2", "#, directory, "keyring.json")
            await expectAuthKitError(.keysUnavailable) { _ = try await auth.reloadSigningKeys() }
            try Self.write(try JWTKey.generate(.es256, kid: "k4").jwkString(includePrivate: false), directory, "k4.jwk")
            try Self.write(#"{"current": "k4"}"#, directory, "keyring.json")
            await expectAuthKitError(.invalidConfiguration) { _ = try await auth.reloadSigningKeys() }
            #expect(try Self.kid(try await auth.login(userID: "42")) == "k2")
            #expect(try Self.published(auth) == ["k2"])
        }
    }

    /// A fixed ring is held by the verifiers themselves (read without the keys' lock): every key of it verifies, the
    /// current one signs, a reload changes nothing, and a key outside it is refused.
    @Test func aFixedRingVerifiesEveryKeyItHoldsAndNeverReloads() async throws {
        let k1 = try JWTKey.generate(.es256, kid: "k1")
        let k2 = try JWTKey.generate(.es256, kid: "k2")
        let stranger = try JWTKey.generate(.es256, kid: "k3")
        let store = AuthKitStore.inMemory()
        let before = try await AuthKit(configuration: Self.configuration([k1]), store: store)
        let auth = try await AuthKit(configuration: Self.configuration([k2, k1]), store: store)
        let outside = try await AuthKit(configuration: Self.configuration([stranger]), store: store)
        let signedBefore = try await before.login(userID: "41")
        let signedNow = try await auth.login(userID: "42")
        let signedOutside = try await outside.login(userID: "43")
        #expect(try Self.kid(signedNow) == "k2")
        #expect(try Self.published(auth) == ["k1", "k2"])
        for _ in 0..<2 {
            #expect(try await auth.authenticate(token: signedBefore.accessToken).userID == "41")
            #expect(try await auth.authenticate(token: signedNow.accessToken).userID == "42")
            await expectAuthKitError(.invalidToken) {
                _ = try await auth.authenticate(token: signedOutside.accessToken)
            }
            #expect(try await auth.reloadSigningKeys() == false)
        }
    }

    @Test func aDirectoryThatCannotBeReadIsRefusedAtStart() async throws {
        try await withTemporaryDirectory { directory in
            await expectAuthKitError(.keysUnavailable) {
                _ = try await AuthKit(configuration: Self.configuration(.directory(directory)))
            }
            let key = try JWTKey.generate(.es256, kid: "other")
            try Self.write(try key.pem(includePrivate: true), directory, "k1.pem")
            try Self.write(#"{"current": "k1"}"#, directory, "keyring.json")
            let auth = try await AuthKit(configuration: Self.configuration(.directory(directory)))
            // A PEM carries no kid: the file's name is the kid.
            #expect(try Self.kid(try await auth.login(userID: "42")) == "k1")
        }
    }

    @Test func aProviderRingIsReloadedOnItsSchedule() async throws {
        let k1 = try JWTKey.generate(.es256, kid: "k1")
        let k2 = try JWTKey.generate(.es256, kid: "k2")
        let ring = Mutex(SigningKeyRing(current: k1))
        let auth = try await AuthKit(
            configuration: Self.configuration(
                .provider(checkInterval: .milliseconds(20), publicationLead: .zero) { ring.withLock { $0 } }
            )
        )
        let running = Task { try await auth.run() }
        defer { running.cancel() }
        ring.withLock { $0 = SigningKeyRing(current: k1, next: k2) }
        // A liveness bound, not a speed assertion: the loop must pick the change up without being asked. Counted
        // checks as well as time, so a cooperative pool starved by other suites does not use the bound up.
        #expect(try await TestTiming.eventually(limit: .seconds(30)) { try Self.published(auth) == ["k1", "k2"] })
        ring.withLock { $0 = SigningKeyRing(current: k2, retiring: [.init(k1, notAfter: nil)]) }
        #expect(
            try await TestTiming.eventually(limit: .seconds(30)) {
                try Self.kid(try await auth.login(userID: "42")) == "k2"
            }
        )
    }

    @Test func aProviderThatFailsKeepsTheRingInUse() async throws {
        let k1 = try JWTKey.generateHMAC(.hs256, kid: "k1")
        struct Outage: Error {}
        let failing = Mutex(false)
        let auth = try await AuthKit(
            configuration: Self.configuration(
                .provider {
                    if failing.withLock({ $0 }) { throw Outage() }
                    return SigningKeyRing(current: k1)
                }
            )
        )
        failing.withLock { $0 = true }
        await expectAuthKitError(.keysUnavailable) { _ = try await auth.reloadSigningKeys() }
        let pair = try await auth.login(userID: "42")
        _ = try await auth.authenticate(token: pair.accessToken)
        // An HMAC secret is never published.
        #expect(try Self.published(auth).isEmpty)
    }
}
