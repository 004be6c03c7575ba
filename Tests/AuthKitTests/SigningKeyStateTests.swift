import AuthKitTesting
import Testing

@testable import AuthKit

/// The signing-key state machine, install by install: what signs, what verifies until when, what is published.
@Suite("SigningKeyState")
struct SigningKeyStateTests {
    private static let start = UnixTime(seconds: 1_767_225_600)
    private static let lead = Duration.seconds(300)
    private static let span = Duration.seconds(900)

    private let k1: JWTKey
    private let k2: JWTKey
    private let k3: JWTKey

    init() throws {
        k1 = try JWTKey.generate(.es256, kid: "k1")
        k2 = try JWTKey.generate(.es256, kid: "k2")
        k3 = try JWTKey.generate(.es256, kid: "k3")
    }

    private func state(_ ring: SigningKeyRing, at instant: UnixTime = start) throws -> SigningKeyState {
        try SigningKeyState(
            ring: ring,
            at: instant,
            tokenType: "at+jwt",
            publicationLead: Self.lead,
            tokenSpan: Self.span
        )
    }

    private static func published(_ state: SigningKeyState, at instant: UnixTime) throws -> Set<String> {
        let set = try JWTKeySet(jwks: state.publicJWKS(at: instant))
        return Set(set.keys.compactMap(\.kid))
    }

    @Test func theNextKeyIsPublishedAndAcceptedButSignsNothing() throws {
        let keys = try state(SigningKeyRing(current: k1, next: k2))
        #expect(keys.signer(at: Self.start).key.kid == "k1")
        #expect(keys.signer(at: Self.start + .seconds(86_400)).key.kid == "k1")
        #expect(try Self.published(keys, at: Self.start) == ["k1", "k2"])
        #expect(try keys.verificationKeys.key(for: "k2", at: Self.start).kid == "k2")
    }

    @Test func aNextKeyPublishedForTheLeadSignsAtOnceWhenPromoted() throws {
        var keys = try state(SigningKeyRing(current: k1, next: k2))
        let promoted = Self.start + Self.lead
        let outcome = try keys.install(
            SigningKeyRing(current: k2, retiring: [.init(k1, notAfter: promoted + .seconds(3_600))]),
            at: promoted
        )
        #expect(outcome == .currentSigns)
        #expect(keys.signer(at: promoted).key.kid == "k2")
        #expect(keys.verificationKeys.acceptedUntil(kid: "k1") == promoted + .seconds(3_600))
    }

    @Test func aKeyPromotedBeforeItsLeadWaitsWhileThePreviousKeyKeepsSigning() throws {
        var keys = try state(SigningKeyRing(current: k1))
        let now = Self.start + .seconds(60)
        let retiring = SigningKeyRing.RetiringKey(k1, notAfter: now + .seconds(60))
        let outcome = try keys.install(SigningKeyRing(current: k2, retiring: [retiring]), at: now)
        let ready = now + Self.lead
        #expect(outcome == .previousSignsUntil(ready))
        #expect(keys.signer(at: now).key.kid == "k1")
        #expect(keys.signer(at: ready - .milliseconds(1)).key.kid == "k1")
        #expect(keys.signer(at: ready).key.kid == "k2")
        #expect(try Self.published(keys, at: now) == ["k1", "k2"])
        // k1 keeps verifying past its configured not-after: until the last token it signed has expired.
        #expect(keys.verificationKeys.acceptedUntil(kid: "k1") == ready + Self.span)
        #expect(try Self.published(keys, at: ready + Self.span - .seconds(1)) == ["k1", "k2"])
        #expect(try Self.published(keys, at: ready + Self.span) == ["k2"])
        // A reload of the same ring later keeps both the wait and the extension.
        _ = try keys.install(SigningKeyRing(current: k2, next: k3, retiring: [retiring]), at: now + .seconds(10))
        #expect(keys.signer(at: now + .seconds(10)).key.kid == "k1")
        #expect(keys.verificationKeys.acceptedUntil(kid: "k1") == ready + Self.span)
    }

    @Test func aPreviousKeyPastItsNotAfterIsNotHeld() throws {
        var keys = try state(SigningKeyRing(current: k1))
        let now = Self.start + .seconds(60)
        let outcome = try keys.install(SigningKeyRing(current: k2, retiring: [.init(k1, notAfter: now)]), at: now)
        #expect(outcome == .currentSignsBeforeItsLead)
        #expect(keys.signer(at: now).key.kid == "k2")
        // k1 signed until now on this instance, so its tokens verify until they expire.
        #expect(keys.verificationKeys.acceptedUntil(kid: "k1") == now + Self.span)
    }

    @Test func aPreviousKeyKeptOnlyAsItsPublicHalfIsNotHeld() throws {
        var keys = try state(SigningKeyRing(current: k1))
        let now = Self.start + .seconds(60)
        let retiring = SigningKeyRing.RetiringKey(try k1.publicKey(), notAfter: now + .seconds(3_600))
        let outcome = try keys.install(SigningKeyRing(current: k2, retiring: [retiring]), at: now)
        #expect(outcome == .currentSignsBeforeItsLead)
        #expect(keys.signer(at: now).key.kid == "k2")
        #expect(try keys.verificationKeys.key(for: "k1", at: now).kid == "k1")
    }

    @Test func aKeyRemovedFromTheRingIsRefusedAtOnce() throws {
        var keys = try state(SigningKeyRing(current: k1, next: k2))
        let now = Self.start + .seconds(10)
        let outcome = try keys.install(SigningKeyRing(current: k2), at: now)
        #expect(outcome == .currentSignsBeforeItsLead)
        #expect(keys.signer(at: now).key.kid == "k2")
        #expect(throws: JWTError.self) { try keys.verificationKeys.key(for: "k1", at: now) }
        #expect(try Self.published(keys, at: now) == ["k2"])
    }

    @Test func aRetiringKeyIsRefusedFromItsNotAfterInstant() throws {
        let notAfter = Self.start + .seconds(3_600)
        let keys = try state(SigningKeyRing(current: k2, retiring: [.init(k1, notAfter: notAfter)]))
        #expect(try keys.verificationKeys.key(for: "k1", at: notAfter - .seconds(1)).kid == "k1")
        #expect(throws: JWTError.self) { try keys.verificationKeys.key(for: "k1", at: notAfter) }
        #expect(try Self.published(keys, at: notAfter) == ["k2"])
    }

    @Test func aRingThatCannotWorkChangesNothing() throws {
        var keys = try state(SigningKeyRing(current: k1))
        #expect(throws: AuthKitError.self) {
            _ = try keys.install(SigningKeyRing(current: try k2.publicKey()), at: Self.start)
        }
        #expect(throws: AuthKitError.self) {
            _ = try keys.install(SigningKeyRing(current: k2, next: try k2.publicKey()), at: Self.start)
        }
        #expect(keys.signer(at: Self.start).key.kid == "k1")
        #expect(try Self.published(keys, at: Self.start) == ["k1"])
        #expect(throws: AuthKitError.self) { _ = try state(SigningKeyRing(current: try k1.publicKey())) }
    }
}
