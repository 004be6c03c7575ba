import AuthKitClock
import Foundation
import Testing

@testable import JWTCore

/// Algorithm confusion: an asymmetric key never feeds HMAC, and no key is ever taken from a token.
@Suite("Algorithm confusion")
struct AlgorithmConfusionTests {
    static let claims = JWTClaims(subject: "admin", expiresAt: UnixTime(seconds: 4_000_000_000))

    /// A compact JWS over exactly `header` and `payload`, signed with `key` as a forger would.
    static func forge(header: String, payload: String, key: JWTKey) throws -> String {
        let input = "\(Base64URL.encode(Array(header.utf8))).\(Base64URL.encode(Array(payload.utf8)))"
        let signature = try Array(input.utf8).withUnsafeBytes { buffer in try key.backing.sign(buffer) }
        return "\(input).\(Base64URL.encode(signature))"
    }

    /// An HS256 token MACed with `secret`, as an attacker who knows the public key would make it.
    static func hs256Token(secret: [UInt8]) throws -> String {
        try forge(
            header: #"{"alg":"HS256","typ":"JWT"}"#,
            payload: #"{"sub":"admin","exp":4000000000}"#,
            key: try .hs256(secret)
        )
    }

    @Test("HS256 tokens MACed with the RS256 public key's PEM or DER bytes are rejected")
    func publicKeyAsHMACSecret() throws {
        let rsa = try JWTKey.generate(.rs256, kid: "rsa")
        let publicKey = try rsa.publicKey()
        let pem = Array(try publicKey.pem(includePrivate: false).utf8)
        let der = try publicKey.publicKeyDER()
        let keys = try JWTKeySet([publicKey.withKeyID(nil)])
        let verifier = try JWTVerifier(keys: keys)
        for secret in [pem, der] {
            let token = try Self.hs256Token(secret: secret)
            let error = #expect(throws: JWTError.self) { try verifier.verify(token) }
            #expect(error?.code == .algorithmMismatch)
        }
        // Even if the application lists HS256 as allowed, the RSA key never computes an HMAC.
        var policy = JWTValidationPolicy()
        policy.allowedAlgorithms = [.hs256, .rs256]
        let permissive = try JWTVerifier(keys: keys, policy: policy)
        #expect(throws: JWTError.self) { try permissive.verify(try Self.hs256Token(secret: pem)) }
        // And an RSA key cannot be turned into an HMAC key by loading it with an HMAC algorithm.
        #expect(throws: JWTError.self) { try JWTKey(pem: String(decoding: pem, as: UTF8.self), algorithm: .hs256) }
        #expect(throws: JWTError.self) { try JWTKey(der: der, algorithm: .hs256) }
        #expect(throws: JWTError.self) { try JWTKey(jwk: try publicKey.jwk(includePrivate: false), algorithm: .hs256) }
    }

    @Test("an embedded jwk header is rejected, even one holding the attacker's key that signed the token")
    func embeddedJWK() throws {
        let trusted = try JWTKey.generate(.es256)
        let attacker = try JWTKey.generate(.es256)
        let verifier = try JWTVerifier(keys: try JWTKeySet([try trusted.publicKey().withKeyID(nil)]))
        let jwk = try attacker.jwkString(includePrivate: false)
        let token = try Self.forge(
            header: #"{"alg":"ES256","jwk":\#(jwk)}"#,
            payload: #"{"sub":"admin","exp":4000000000}"#,
            key: attacker
        )
        let error = #expect(throws: JWTError.self) { try verifier.verify(token) }
        #expect(error?.code == .untrustedKeyReference)
    }

    @Test(
        "jku, x5u and x5c headers are rejected",
        arguments: [
            #"{"alg":"RS256","jku":"https://attacker.example/jwks.json"}"#,
            #"{"alg":"RS256","x5u":"https://attacker.example/cert.pem"}"#,
            #"{"alg":"RS256","x5c":["MIIB"]}"#,
        ]
    )
    func keyURLs(header: String) throws {
        let key = try JWTKey.generate(.rs256)
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey().withKeyID(nil)]))
        let token = try Self.forge(header: header, payload: #"{"exp":4000000000}"#, key: key)
        let error = #expect(throws: JWTError.self) { try verifier.verify(token) }
        #expect(error?.code == .untrustedKeyReference)
    }

    @Test("a token's alg must equal the key's: RS256 key versus PS256, ES256 versus ES384, EdDSA versus ES256")
    func crossFamily() throws {
        let pairs: [(JWTAlgorithm, String)] = [
            (.rs256, "PS256"), (.es256, "ES384"), (.eddsa, "ES256"), (.ps256, "RS256"),
        ]
        for (algorithm, claimed) in pairs {
            let key = try JWTKey.generate(algorithm)
            let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey().withKeyID(nil)]))
            let token = try Self.forge(header: #"{"alg":"\#(claimed)"}"#, payload: #"{"exp":4000000000}"#, key: key)
            let error = #expect(throws: JWTError.self) { try verifier.verify(token) }
            #expect(error?.code == .algorithmMismatch)
        }
    }
}
