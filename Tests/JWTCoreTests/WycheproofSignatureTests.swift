import Foundation
import Testing

@testable import JWTCore

/// Wycheproof signature vectors (ECDSA P-256 P1363, Ed25519, RSASSA-PKCS1-v1_5 2048, RSASSA-PSS 2048) run
/// against the raw signature check of keys loaded from each group's JWK, PEM and DER, which must agree.
@Suite("Wycheproof signature vectors")
struct WycheproofSignatureTests {
    struct File: CustomTestStringConvertible, Sendable {
        let name: String
        let algorithm: JWTAlgorithm
        var testDescription: String { name }
    }

    static let files = [
        File(name: "ecdsa_secp256r1_sha256_p1363_test.json", algorithm: .es256),
        File(name: "ed25519_test.json", algorithm: .eddsa),
        File(name: "rsa_signature_2048_sha256_test.json", algorithm: .rs256),
        File(name: "rsa_pss_2048_sha256_mgf1_32_test.json", algorithm: .ps256),
    ]

    @Test("every vector gives the expected answer with the JWK, PEM and DER key", arguments: files)
    func run(file: File) throws {
        let json = try VectorFiles.json(file.name)
        let groups = json["testGroups"] as? [[String: Any]] ?? []
        var run = 0
        var agreed = 0
        var acceptable = 0
        for group in groups {
            let jwk = try VectorFiles.text(try #require(group["publicKeyJwk"] ?? group["keyJwk"] ?? Self.ecJWK(group)))
            let pem = try #require(group["publicKeyPem"] as? String)
            let der = VectorFiles.hex(try #require(group["publicKeyDer"] as? String))
            var jwkObject = try #require(try JSONValue(parsing: jwk).objectValue)
            jwkObject["alg"] = .string(file.algorithm.name)
            let keys = [
                try JWTKey(jwk: jwkObject), try JWTKey(pem: pem, algorithm: file.algorithm),
                try JWTKey(der: der, algorithm: file.algorithm),
            ]
            for key in keys { #expect(!key.canSign) }
            for test in group["tests"] as? [[String: Any]] ?? [] {
                let id = test["tcId"] as? Int ?? -1
                let message = VectorFiles.hex(test["msg"] as? String ?? "")
                let signature = VectorFiles.hex(test["sig"] as? String ?? "")
                let result = test["result"] as? String ?? ""
                let answers = keys.map { key in
                    signature.withUnsafeBytes { signatureBuffer in
                        message.withUnsafeBytes { messageBuffer in
                            key.backing.verify(signature: signatureBuffer, input: messageBuffer)
                        }
                    }
                }
                run += 1
                #expect(Set(answers).count == 1, "tcId \(id): JWK, PEM and DER keys disagree")
                switch result {
                case "valid":
                    #expect(answers[0], "tcId \(id) (\(test["comment"] ?? "")) should verify")
                    if answers[0] { agreed += 1 }
                case "invalid":
                    #expect(!answers[0], "tcId \(id) (\(test["comment"] ?? "")) should be rejected")
                    if !answers[0] { agreed += 1 }
                default:
                    acceptable += 1
                }
            }
        }
        #expect(run == json["numberOfTests"] as? Int)
        print("wycheproof \(file.name): \(run) run, \(agreed) agree, \(acceptable) acceptable (either answer)")
    }

    /// Some ECDSA groups carry no JWK; it is built from the group's affine coordinates.
    static func ecJWK(_ group: [String: Any]) -> [String: Any]? {
        guard let key = group["publicKey"] as? [String: Any], let wx = key["wx"] as? String,
            let wy = key["wy"] as? String
        else { return nil }
        func coordinate(_ hex: String) -> String {
            let bytes = Array(VectorFiles.hex(hex).drop { $0 == 0 })
            return Base64URL.encode([UInt8](repeating: 0, count: max(0, 32 - bytes.count)) + bytes)
        }
        return ["kty": "EC", "crv": "P-256", "x": coordinate(wx), "y": coordinate(wy)]
    }
}
