import Foundation
import JWTCore
import Testing

/// Wycheproof JOSE vectors (`json_web_signature_test.json`, `json_web_key_test.json`): each group's key or
/// key set is loaded with `JWTKeySet(jwks:)` and every compact JWS checked with `verifySignature`. A key that
/// AuthKit refuses to load counts as a rejection.
///
/// Expected answers follow the file except for the 8 vectors `wycheproof_jws_quirks.json` documents: a
/// strict verifier rejects 346/347/350/351 (key `alg` differs from the token's) and 372/373 (a `?` inside a
/// segment), and 367/370 are skipped (byte-identical to the valid 357).
@Suite("Wycheproof JOSE vectors")
struct WycheproofJOSETests {
    static let strictRejections: Set<Int> = [346, 347, 350, 351, 372, 373]
    static let skipped: Set<Int> = [367, 370]

    @Test(
        "json_web_signature_test.json and json_web_key_test.json",
        arguments: [
            "json_web_signature_test.json", "json_web_key_test.json",
        ]
    )
    func run(fileName: String) throws {
        let quirks = try VectorFiles.json("wycheproof_jws_quirks.json")
        let documented = Set(
            (quirks["quirks"] as? [[String: Any]] ?? []).flatMap { $0["tcIds"] as? [Int] ?? [] }
        )
        #expect(documented == Self.strictRejections.union(Self.skipped))
        let json = try VectorFiles.json(fileName)
        var run = 0
        var agreed = 0
        var skippedCount = 0
        for group in json["testGroups"] as? [[String: Any]] ?? [] {
            let keyText = try VectorFiles.text(try #require(group["public"] ?? group["private"]))
            let keys: JWTKeySet?
            do {
                keys = try JWTKeySet(jwks: keyText)
            } catch {
                keys = nil
            }
            for test in group["tests"] as? [[String: Any]] ?? [] {
                let id = test["tcId"] as? Int ?? -1
                if fileName == "json_web_signature_test.json", Self.skipped.contains(id) {
                    skippedCount += 1
                    continue
                }
                var expectValid = test["result"] as? String == "valid"
                if fileName == "json_web_signature_test.json", Self.strictRejections.contains(id) {
                    expectValid = false
                }
                var accepted = false
                if let keys, let token = test["jws"] as? String {
                    let verifier = try JWTVerifier(keys: keys)
                    accepted = (try? verifier.verifySignature(token)) != nil
                }
                run += 1
                #expect(accepted == expectValid, "tcId \(id) (\(test["comment"] ?? "")): accepted=\(accepted)")
                if accepted == expectValid { agreed += 1 }
            }
        }
        print("wycheproof \(fileName): \(run) run, \(agreed) agree, \(skippedCount) skipped")
    }
}
