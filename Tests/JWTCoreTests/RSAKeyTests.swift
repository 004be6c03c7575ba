import AuthKitClock
import Foundation
import JWTCore
import Testing

/// RSA keys (RS256/384/512, PS256/384/512): formats, size and exponent rules, private versus public.
@Suite("RSA keys")
struct RSAKeyTests {
    static let algorithms: [JWTAlgorithm] = [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512]

    /// RFC 7515 A.2's key, a fixed 2048-bit RSA key.
    static func rfcKey() throws -> (privateJWK: String, publicJWK: String) {
        let file = try VectorFiles.json("rfc7515.json")
        let vector = try #require((file["vectors"] as? [[String: Any]])?.first { ($0["alg"] as? String) == "RS256" })
        return (
            try VectorFiles.text(try #require(vector["key_jwk"])),
            try VectorFiles.text(try #require(vector["public_jwk"]))
        )
    }

    @Test("sign and verify round trip for every RSA algorithm", arguments: algorithms)
    func roundTrip(algorithm: JWTAlgorithm) throws {
        let (privateJWK, _) = try Self.rfcKey()
        let key = try JWTKey(jwk: privateJWK, algorithm: algorithm)
        let token = try JWTSigner(key: key).sign(JWTClaims(subject: "7", expiresAt: .init(seconds: 4_000_000_000)))
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey()]))
        #expect(try verifier.verify(token).claims.subject == "7")
        let signature = Base64URL.decode(String(token.split(separator: ".")[2])) ?? []
        #expect(signature.count == 256)
    }

    @Test("PEM (SPKI, PKCS#8, PKCS#1) and DER forms load the same key")
    func formats() throws {
        let generated = try JWTKey.generate(.rs256)
        let thumbprint = try generated.thumbprint()
        let pkcs8 = try generated.pem(includePrivate: true)
        #expect(pkcs8.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let spki = try generated.pem(includePrivate: false)
        #expect(spki.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let fromPKCS8 = try JWTKey(pem: pkcs8, algorithm: .rs256)
        #expect(fromPKCS8.canSign)
        let fromSPKI = try JWTKey(pem: spki, algorithm: .rs256)
        #expect(!fromSPKI.canSign)
        let fromDER = try JWTKey(der: try generated.publicKeyDER(), algorithm: .rs256)
        for key in [fromPKCS8, fromSPKI, fromDER] { #expect(try key.thumbprint() == thumbprint) }
        // PKCS#1 "RSA PUBLIC KEY": the SPKI DER minus its 24-byte AlgorithmIdentifier/BIT STRING header.
        let spkiDER = try generated.publicKeyDER()
        let pkcs1 = Array(spkiDER.dropFirst(24))
        #expect(pkcs1.first == 0x30)
        let pem =
            "-----BEGIN RSA PUBLIC KEY-----\n\(Data(pkcs1).base64EncodedString(options: .lineLength64Characters))\n-----END RSA PUBLIC KEY-----\n"
        #expect(try JWTKey(pem: pem, algorithm: .rs256).thumbprint() == thumbprint)
    }

    @Test("an RSA key needs an algorithm, and never an HMAC, ECDSA or EdDSA one")
    func algorithmRequired() throws {
        let (_, publicJWK) = try Self.rfcKey()
        let error = #expect(throws: JWTError.self) { try JWTKey(jwk: publicJWK) }
        #expect(error?.code == .invalidKey)
        for algorithm in [JWTAlgorithm.hs256, .es256, .eddsa] {
            #expect(throws: JWTError.self) { try JWTKey(jwk: publicJWK, algorithm: algorithm) }
        }
        let pem = try JWTKey(jwk: publicJWK, algorithm: .rs256).pem(includePrivate: false)
        let hmac = #expect(throws: JWTError.self) { try JWTKey(pem: pem, algorithm: .hs256) }
        #expect(hmac?.code == .algorithmMismatch)
    }

    @Test("keys below 2048 bits are refused with weakKey; generation too")
    func weakKeys() throws {
        let json = try VectorFiles.json("json_web_key_test.json")
        let group = try #require(
            (json["testGroups"] as? [[String: Any]])?.first { $0["comment"] as? String == "keysize_too_small" }
        )
        let keys = try #require((group["private"] as? [String: Any])?["keys"] as? [[String: Any]])
        let error = #expect(throws: JWTError.self) { try JWTKey(jwk: try VectorFiles.text(keys[0])) }
        #expect(error?.code == .weakKey)
        #expect(throws: JWTError.self) { try JWTKey.generate(.rs256, rsaBits: 1024) }
    }

    @Test(
        "public exponent 1 and the ROCA fingerprint are refused with weakKey",
        arguments: ["exponentOne", "jws_rsa_roca_key"]
    )
    func badPublicKeys(comment: String) throws {
        let json = try VectorFiles.json("json_web_key_test.json")
        let group = try #require(
            (json["testGroups"] as? [[String: Any]])?.first { $0["comment"] as? String == comment }
        )
        let keys = try #require((group["public"] as? [String: Any])?["keys"] as? [[String: Any]])
        let error = #expect(throws: JWTError.self) { try JWTKey(jwk: try VectorFiles.text(keys[0])) }
        #expect(error?.code == .weakKey)
    }

    @Test("a generated 2048-bit key is not mistaken for a ROCA key")
    func rocaNoFalsePositive() throws {
        #expect(try JWTKey.generate(.ps256).canSign)
    }

    @Test("a JWK whose private members do not match its modulus is refused")
    func mismatchedPrivate() throws {
        let (privateJWK, _) = try Self.rfcKey()
        var object = try #require(try JSONValue(parsing: privateJWK).objectValue)
        let other = try #require(
            try JSONValue(parsing: try JWTKey.generate(.rs256).jwkString(includePrivate: true)).objectValue
        )
        object["p"] = other["p"]
        #expect(throws: JWTError.self) { try JWTKey(jwk: object, algorithm: .rs256) }
    }

    @Test("a public key cannot sign; a PKCS#1 v1.5 signature does not verify as PSS")
    func publicCannotSign() throws {
        let (privateJWK, publicJWK) = try Self.rfcKey()
        let publicKey = try JWTKey(jwk: publicJWK, algorithm: .rs256)
        #expect(throws: JWTError.self) { try JWTSigner(key: publicKey) }
        let rs = try JWTSigner(key: try JWTKey(jwk: privateJWK, algorithm: .rs256), type: nil)
        let token = try rs.sign(payload: Array("x".utf8))
        let psKeys = try JWTKeySet([try JWTKey(jwk: publicJWK, algorithm: .ps256)])
        let swapped = token.replacingOccurrences(
            of: String(token.split(separator: ".")[0]),
            with: Base64URL.encode(Array(#"{"alg":"PS256"}"#.utf8))
        )
        let error = #expect(throws: JWTError.self) { try JWTVerifier(keys: psKeys).verifySignature(swapped) }
        #expect(error?.code == .invalidSignature)
    }

    @Test("one key verifies from many threads at once")
    func concurrentVerify() async throws {
        let key = try JWTKey.generate(.rs256)
        let token = try JWTSigner(key: key).sign(JWTClaims(subject: "c", expiresAt: .init(seconds: 4_000_000_000)))
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey()]))
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 { group.addTask { (try? verifier.verify(token)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}
