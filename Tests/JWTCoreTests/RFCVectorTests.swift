import AuthKitClock
import Testing

@testable import JWTCore

/// Published HMAC JWS examples: RFC 7515 Appendix A.1 and RFC 7520 §4.4, as printed in the RFCs.
@Suite("RFC vectors (HMAC)")
struct RFCVectorTests {
    static let rfc7515A1Key =
        #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#
    static let rfc7515A1Token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    @Test func rfc7515A1VerifiesWithAnInjectedClock() throws {
        let keys = try JWTKeySet([try JWTKey(jwk: Self.rfc7515A1Key, algorithm: .hs256)])
        let verifier = try JWTVerifier(keys: keys, clock: .fixed(UnixTime(seconds: 1_300_819_000)))
        let verified = try verifier.verify(Self.rfc7515A1Token)
        #expect(verified.header.algorithm == "HS256")
        #expect(verified.header.type == "JWT")
        #expect(verified.claims.issuer == "joe")
        #expect(verified.claims.expiresAt == UnixTime(seconds: 1_300_819_380))
        #expect(verified.claims["http://example.com/is_root"] == true)
    }

    @Test func rfc7515A1IsExpiredToday() throws {
        let keys = try JWTKeySet([try JWTKey(jwk: Self.rfc7515A1Key, algorithm: .hs256)])
        try TestTokens.expectRejected(Self.rfc7515A1Token, .expired, keys: keys, at: UnixTime(seconds: 1_764_000_000))
        // One second before exp it is valid, at exp it is not (RFC 7519 §4.1.4: "on or after").
        try TestTokens.expectRejected(Self.rfc7515A1Token, .expired, keys: keys, at: UnixTime(seconds: 1_300_819_380))
        let before = try JWTVerifier(keys: keys, clock: .fixed(UnixTime(seconds: 1_300_819_379)))
        #expect(throws: Never.self) { try before.verify(Self.rfc7515A1Token) }
    }

    static let rfc7520Key =
        #"{"kty":"oct","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037","use":"sig","alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}"#
    static let rfc7520Payload =
        "It\u{2019}s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep"
        + " your feet, there\u{2019}s no knowing where you might be swept off to."
    static let rfc7520Token =
        "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9"
        + ".SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9h"
        + "ZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3"
        + "ZXB0IG9mZiB0by4"
        + ".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0"

    @Test func rfc7520Section4_4SignsByteForByte() throws {
        let key = try JWTKey(jwk: Self.rfc7520Key)
        #expect(key.kid == "018c0ae5-4d9b-471b-bfd6-eef314bc7037")
        let signer = try JWTSigner(key: key, type: nil)
        #expect(try signer.sign(payload: Array(Self.rfc7520Payload.utf8)) == Self.rfc7520Token)
    }

    @Test func rfc7520Section4_4Verifies() throws {
        let verifier = try JWTVerifier(keys: try JWTKeySet(jwks: Self.rfc7520Key))
        let (header, payload) = try verifier.verifySignature(Self.rfc7520Token)
        #expect(header.keyID == "018c0ae5-4d9b-471b-bfd6-eef314bc7037")
        #expect(String(decoding: payload, as: UTF8.self) == Self.rfc7520Payload)
        // The payload is prose, not claims: as a JWT it is malformed.
        #expect(throws: JWTError.self) { try verifier.verify(Self.rfc7520Token) }
    }

    /// RFC 7515 Appendix A.5: an unsecured JWS (`alg: none`) is never accepted, with any key set.
    @Test func rfc7515A5NoneIsRejected() throws {
        let token =
            "eyJhbGciOiJub25lIn0"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
        try TestTokens.expectRejected(token, .unsupportedAlgorithm, at: UnixTime(seconds: 1_300_819_000))
    }
}
