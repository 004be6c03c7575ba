import AuthKitClock
import Foundation
import JWTCore
import Testing

/// Published vectors: RFC 7515 Appendix A.2–A.5, RFC 7520 §4.1–4.3 and RFC 8037 A.4, from
/// `../shared/vectors/rfc7515.json`.
@Suite("Asymmetric RFC vectors")
struct AsymmetricVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let source: String
        let alg: String
        let privateJWK: String?
        let publicJWK: String?
        let token: String
        let payload: String
        let deterministic: Bool

        var testDescription: String { source }
    }

    static let asymmetricSources = [
        "RFC 7515 Appendix A.2", "RFC 7515 Appendix A.3", "RFC 7515 Appendix A.4",
        "RFC 8037 Appendix A.4/A.5 (Ed25519)", "RFC 7520 section 4.1 (compact serialization)",
        "RFC 7520 section 4.2 (compact serialization)", "RFC 7520 section 4.3 (compact serialization)",
    ]

    static func vectors() throws -> [Vector] {
        let file = try VectorFiles.json("rfc7515.json")
        let list = file["vectors"] as? [[String: Any]] ?? []
        return try list.compactMap { entry -> Vector? in
            guard let source = entry["source"] as? String, asymmetricSources.contains(source) else { return nil }
            return Vector(
                source: source,
                alg: entry["alg"] as? String ?? "",
                privateJWK: try (entry["key_jwk"]).map(VectorFiles.text),
                publicJWK: try (entry["public_jwk"]).map(VectorFiles.text),
                token: entry["jws_compact"] as? String ?? "",
                payload: entry["payload_utf8"] as? String ?? "",
                deterministic: entry["deterministic_signature"] as? Bool ?? false
            )
        }
    }

    @Test("every asymmetric RFC vector is present")
    func allPresent() throws {
        #expect(try Self.vectors().count == Self.asymmetricSources.count)
    }

    @Test("the signature verifies with the public key", arguments: try vectors())
    func verifies(vector: Vector) throws {
        let algorithm = try #require(JWTAlgorithm(name: vector.alg))
        let jwk = try #require(vector.publicJWK)
        let keys = try JWTKeySet(jwks: jwk, algorithm: algorithm)
        #expect(keys.keys[0].canSign == false)
        let verifier = try JWTVerifier(keys: keys)
        let (header, payload) = try verifier.verifySignature(vector.token)
        #expect(header.algorithm == vector.alg)
        #expect(payload == Array(vector.payload.utf8))
    }

    @Test("a changed payload or signature byte is rejected", arguments: try vectors())
    func tamperedRejected(vector: Vector) throws {
        let algorithm = try #require(JWTAlgorithm(name: vector.alg))
        let keys = try JWTKeySet(jwks: try #require(vector.publicJWK), algorithm: algorithm)
        let verifier = try JWTVerifier(keys: keys)
        let parts = vector.token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var signature = Base64URL.decode(parts[2]) ?? []
        signature[signature.count / 2] ^= 0x01
        let forged = [parts[0], parts[1], Base64URL.encode(signature)].joined(separator: ".")
        #expect(throws: JWTError.self) { try verifier.verifySignature(forged) }
        let otherPayload = [parts[0], Base64URL.encode(Array("tampered".utf8)), parts[2]].joined(separator: ".")
        let error = #expect(throws: JWTError.self) { try verifier.verifySignature(otherPayload) }
        #expect(error?.code == .invalidSignature)
    }

    @Test("the private key re-signs the same input", arguments: try vectors())
    func resigns(vector: Vector) throws {
        let algorithm = try #require(JWTAlgorithm(name: vector.alg))
        let privateKey = try JWTKey(jwk: try #require(vector.privateJWK), algorithm: algorithm)
        #expect(privateKey.canSign)
        let signer = try JWTSigner(key: privateKey, type: nil)
        let token = try signer.sign(payload: Array(vector.payload.utf8))
        let prefix = vector.token.split(separator: ".").prefix(2).joined(separator: ".")
        #expect(token.hasPrefix(prefix + "."))
        if vector.deterministic {
            #expect(token == vector.token, "RS256 and Ed25519 signatures are deterministic: byte-exact")
        }
        let verifier = try JWTVerifier(keys: try JWTKeySet([try privateKey.publicKey()]))
        #expect(try verifier.verifySignature(token).payload == Array(vector.payload.utf8))
    }

    @Test("RFC 7515 A.2 and A.3 verify as JWTs at a time before their exp")
    func jwtClaims() throws {
        for vector in try Self.vectors()
        where vector.source == "RFC 7515 Appendix A.2" || vector.source == "RFC 7515 Appendix A.3" {
            let algorithm = try #require(JWTAlgorithm(name: vector.alg))
            let keys = try JWTKeySet(jwks: try #require(vector.publicJWK), algorithm: algorithm)
            let before = try JWTVerifier(keys: keys, clock: .fixed(UnixTime(seconds: 1_300_819_379)))
            #expect(try before.verify(vector.token).claims.issuer == "joe")
            let after = try JWTVerifier(keys: keys, clock: .fixed(UnixTime(seconds: 1_300_819_380)))
            #expect(throws: JWTError.self) { try after.verify(vector.token) }
        }
    }

    @Test("RFC 7515 A.4 (ES512, payload \"Payload\") is not a JWT")
    func es512NotJWT() throws {
        let vector = try #require(try Self.vectors().first { $0.source == "RFC 7515 Appendix A.4" })
        let keys = try JWTKeySet(jwks: try #require(vector.publicJWK))
        let verifier = try JWTVerifier(keys: keys)
        let error = #expect(throws: JWTError.self) { try verifier.verify(vector.token) }
        #expect(error?.code == .malformed)
        #expect(try verifier.verifySignature(vector.token).payload == Array("Payload".utf8))
    }

    @Test("RFC 7515 A.5 (alg none) is rejected by every kind of key")
    func noneRejected() throws {
        let file = try VectorFiles.json("rfc7515.json")
        let list = file["vectors"] as? [[String: Any]] ?? []
        let none = try #require(list.first { ($0["alg"] as? String) == "none" }?["jws_compact"] as? String)
        for algorithm in [JWTAlgorithm.rs256, .es256, .eddsa, .ps256] {
            let key = try JWTKey.generate(algorithm)
            let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey().withKeyID(nil)]))
            let error = #expect(throws: JWTError.self) { try verifier.verify(none) }
            #expect(error?.code == .unsupportedAlgorithm)
            #expect(throws: JWTError.self) { try verifier.verifySignature(none) }
        }
    }
}
