import Foundation
import Testing

@testable import JWTCore

/// The HMAC groups of Wycheproof's `json_web_signature_test.json`, read from ../shared/vectors.
///
/// Per ../shared/vectors/wycheproof_jws_quirks.json: tcIds 367 and 370 are byte-identical to a valid vector
/// and are skipped; 372 and 373 are labelled valid but only a decoder that drops invalid characters accepts
/// them, so a strict verifier is expected to reject them.
@Suite("Wycheproof JWS (HMAC groups)")
struct WycheproofJWSHMACTests {
    static let skipped: Set<Int> = [367, 370]
    static let strictlyInvalid: Set<Int> = [372, 373]

    @Test
    func hmacGroups() throws {
        let root = try VectorFiles.json("json_web_signature_test.json")
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var ran = 0
        for group in groups {
            guard let jwk = group["private"] as? [String: Any], jwk["kty"] as? String == "oct" else { continue }
            let jwkText = String(decoding: try JSONSerialization.data(withJSONObject: jwk), as: UTF8.self)
            let verifier = try JWTVerifier(keys: try JWTKeySet(jwks: jwkText))
            for test in try #require(group["tests"] as? [[String: Any]]) {
                let id = test["tcId"] as? Int ?? -1
                guard !Self.skipped.contains(id) else { continue }
                let token = try #require(test["jws"] as? String)
                let expectValid = test["result"] as? String == "valid" && !Self.strictlyInvalid.contains(id)
                let accepted: Bool
                do {
                    _ = try verifier.verifySignature(token)
                    accepted = true
                } catch {
                    accepted = false
                }
                #expect(accepted == expectValid, "tcId \(id): \(test["comment"] ?? "")")
                ran += 1
            }
        }
        #expect(ran == 38)
    }
}
