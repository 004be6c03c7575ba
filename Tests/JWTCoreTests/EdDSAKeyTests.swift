import AuthKitClock
import JWTCore
import Testing

/// Ed25519 keys for `EdDSA` (RFC 8037).
@Suite("EdDSA keys")
struct EdDSAKeyTests {
    static let rfcPrivate =
        #"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#

    @Test("RFC 8037 A.3: the thumbprint of the example key")
    func thumbprint() throws {
        let key = try JWTKey(jwk: Self.rfcPrivate)
        #expect(key.algorithm == .eddsa)
        #expect(try key.thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    @Test("PEM, DER and JWK forms agree; signatures are 64 bytes")
    func formats() throws {
        let key = try JWTKey(jwk: Self.rfcPrivate)
        let fromPEM = try JWTKey(pem: try key.pem(includePrivate: true))
        let fromDER = try JWTKey(der: try key.publicKeyDER())
        #expect(fromPEM.canSign && !fromDER.canSign)
        #expect(try fromPEM.thumbprint() == key.thumbprint())
        #expect(try fromDER.thumbprint() == key.thumbprint())
        let token = try JWTSigner(key: fromPEM).sign(
            JWTClaims(subject: "ed", expiresAt: UnixTime(seconds: 4_000_000_000))
        )
        #expect(Base64URL.decode(String(token.split(separator: ".")[2]))?.count == 64)
        #expect(try JWTVerifier(keys: try JWTKeySet([fromDER])).verify(token).claims.subject == "ed")
    }

    @Test("a d that does not match x, other OKP curves and wrong lengths are refused")
    func invalidJWKs() throws {
        let other = try JWTKey.generate(.eddsa).jwk(includePrivate: false)
        var mismatched = try #require(try JSONValue(parsing: Self.rfcPrivate).objectValue)
        mismatched["x"] = other["x"]
        #expect(throws: JWTError.self) { try JWTKey(jwk: mismatched) }
        #expect(throws: JWTError.self) {
            try JWTKey(jwk: #"{"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        }
        #expect(throws: JWTError.self) {
            try JWTKey(jwk: #"{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)
        }
        #expect(throws: JWTError.self) {
            try JWTKey(jwk: #"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg"}"#)
        }
        #expect(throws: JWTError.self) { try JWTKey(jwk: Self.rfcPrivate, algorithm: .es256) }
    }
}
