import Foundation
import Testing

@Suite("authkit CLI: keys and JWTs")
struct JWTCommandTests {
    static let rfc7515A1Key =
        #"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#
    static let rfc7515A1Token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func verifiesRFC7515A1AtItsTime() async throws {
        let key = try CLIRunner.temporaryFile(Self.rfc7515A1Key)
        let result = try await CLIRunner.run([
            "jwt", "verify", "--key", key, "--alg", "HS256", "--now", "1300819000", Self.rfc7515A1Token,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try json(result.stdout)
        let claims = try #require(output["claims"] as? [String: Any])
        #expect(claims["iss"] as? String == "joe")
        #expect((output["header"] as? [String: Any])?["alg"] as? String == "HS256")
    }

    @Test func rejectsRFC7515A1Today() async throws {
        let key = try CLIRunner.temporaryFile(Self.rfc7515A1Key)
        let result = try await CLIRunner.run(["jwt", "verify", "--key", key, "--alg", "HS256", Self.rfc7515A1Token])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("expired: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test func keyWithoutAlgNeedsAnAlgorithm() async throws {
        let key = try CLIRunner.temporaryFile(Self.rfc7515A1Key)
        let result = try await CLIRunner.run([
            "jwt", "verify", "--key", key, "--now", "1300819000", Self.rfc7515A1Token,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("invalidKey: "))
    }

    @Test func generateSignVerifyDecode() async throws {
        let generated = try await CLIRunner.run(["key", "generate", "hs512", "--kid", "2026-11"])
        #expect(generated.status == 0)
        let jwk = try json(generated.stdout)
        #expect(jwk["kty"] as? String == "oct")
        #expect(jwk["alg"] as? String == "HS512")
        #expect(jwk["kid"] as? String == "2026-11")
        #expect((jwk["k"] as? String)?.count == 86)  // 64 bytes
        let keyFile = try CLIRunner.temporaryFile(generated.stdout)

        let claims = #"{"sub":"42","iss":"https://api.example.com","exp":4102444800,"role":"admin"}"#
        let signed = try await CLIRunner.run(["jwt", "sign", "--key", keyFile, "--claims", claims])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        #expect(token.split(separator: ".").count == 3)

        let verified = try await CLIRunner.run([
            "jwt", "verify", "--key", keyFile, "--issuer", "https://api.example.com", "--require", "sub", token,
        ])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect((try json(verified.stdout)["claims"] as? [String: Any])?["role"] as? String == "admin")

        let wrongIssuer = try await CLIRunner.run(["jwt", "verify", "--key", keyFile, "--issuer", "other", token])
        #expect(wrongIssuer.status == 1)
        #expect(wrongIssuer.stderr.hasPrefix("invalidIssuer: "))

        let missing = try await CLIRunner.run(["jwt", "verify", "--key", keyFile, "--require", "jti", token])
        #expect(missing.stderr.hasPrefix("missingClaim: "))

        let typed = try await CLIRunner.run(["jwt", "verify", "--key", keyFile, "--typ", "at+jwt", token])
        #expect(typed.stderr.hasPrefix("invalidType: "))

        let decoded = try await CLIRunner.run(["jwt", "decode", token])
        #expect(decoded.status == 0)
        #expect(decoded.stdout.contains("UNVERIFIED"))
        #expect((try json(decoded.stdout)["claims"] as? [String: Any])?["sub"] as? String == "42")
    }

    @Test func claimsFromAFile() async throws {
        let keyFile = try CLIRunner.temporaryFile(try await CLIRunner.run(["key", "generate", "hs256"]).stdout)
        let claimsFile = try CLIRunner.temporaryFile(#"{"sub":"file","exp":4102444800}"#, name: "claims.json")
        let signed = try await CLIRunner.run(["jwt", "sign", "--key", keyFile, "--claims", "@" + claimsFile])
        #expect(signed.status == 0, "\(signed.stderr)")
        let verified = try await CLIRunner.run([
            "jwt", "verify", "--key", keyFile, signed.stdout.trimmingCharacters(in: .newlines),
        ])
        #expect(verified.status == 0)
    }

    @Test func tokenFromStandardInputIgnoresOneTrailingNewlineOnly() async throws {
        let key = try CLIRunner.temporaryFile(Self.rfc7515A1Key)
        let arguments = ["jwt", "verify", "--key", key, "--alg", "HS256", "--now", "1300819000", "-"]
        #expect(try await CLIRunner.run(arguments, stdin: Self.rfc7515A1Token + "\n").status == 0)
        #expect(try await CLIRunner.run(arguments, stdin: Self.rfc7515A1Token).status == 0)
        let twoNewlines = try await CLIRunner.run(arguments, stdin: Self.rfc7515A1Token + "\n\n")
        #expect(twoNewlines.status == 1)
        #expect(twoNewlines.stderr.hasPrefix("malformed: "))
        #expect(try await CLIRunner.run(arguments, stdin: " " + Self.rfc7515A1Token).status == 1)
    }

    @Test func tamperedTokensFailWithTheirCode() async throws {
        let key = try CLIRunner.temporaryFile(Self.rfc7515A1Key)
        let tampered = String(Self.rfc7515A1Token.dropLast()) + "Y"
        let result = try await CLIRunner.run([
            "jwt", "verify", "--key", key, "--alg", "HS256", "--now", "1300819000", tampered,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("invalidSignature: ") || result.stderr.hasPrefix("malformed: "))
        let wrongAlg = try await CLIRunner.run(["jwt", "verify", "--key", key, "--alg", "HS384", Self.rfc7515A1Token])
        #expect(wrongAlg.status == 1)
    }

    @Test func jwksKeyFilesSelectByKid() async throws {
        let one = try json(try await CLIRunner.run(["key", "generate", "hs256", "--kid", "one"]).stdout)
        let two = try json(try await CLIRunner.run(["key", "generate", "hs256", "--kid", "two"]).stdout)
        let jwks = String(decoding: try JSONSerialization.data(withJSONObject: ["keys": [one, two]]), as: UTF8.self)
        let keyFile = try CLIRunner.temporaryFile(jwks)
        let oneFile = try CLIRunner.temporaryFile(
            String(decoding: try JSONSerialization.data(withJSONObject: one), as: UTF8.self)
        )
        let signed = try await CLIRunner.run([
            "jwt", "sign", "--key", keyFile, "--kid", "two", "--claims", #"{"exp":4102444800}"#,
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        #expect(try await CLIRunner.run(["jwt", "verify", "--key", keyFile, token]).status == 0)
        let unknown = try await CLIRunner.run(["jwt", "verify", "--key", oneFile, token])
        #expect(unknown.stderr.hasPrefix("unknownKey: "))
    }

    /// A JWKS file as an identity provider publishes it, with an encryption key beside the signing key: the
    /// signing key verifies, the other is skipped with a warning (RFC 7517 §5).
    @Test func jwksKeyFilesSkipKeysTheyCannotUse() async throws {
        var signing = try json(try await CLIRunner.run(["key", "generate", "es256", "--kid", "sig"]).stdout)
        let privateFile = try CLIRunner.temporaryFile(
            String(decoding: try JSONSerialization.data(withJSONObject: signing), as: UTF8.self)
        )
        signing["d"] = nil
        var encryption = try json(try await CLIRunner.run(["key", "generate", "es256", "--kid", "enc"]).stdout)
        encryption["d"] = nil
        encryption["use"] = "enc"
        encryption["alg"] = "ECDH-ES"
        let jwks = String(
            decoding: try JSONSerialization.data(withJSONObject: ["keys": [encryption, signing]]),
            as: UTF8.self
        )
        let keyFile = try CLIRunner.temporaryFile(jwks)
        let signed = try await CLIRunner.run([
            "jwt", "sign", "--key", privateFile, "--claims", #"{"exp":4102444800}"#,
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .newlines)
        let verified = try await CLIRunner.run(["jwt", "verify", "--key", keyFile, token])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stderr.contains("warning: ") && verified.stderr.contains("\"enc\""))
    }

    @Test(arguments: [
        ["jwt", "verify"], ["jwt", "verify", "--key"], ["key", "generate", "hs999"], ["jwt", "frobnicate"],
        ["jwt", "verify", "--key", "/nonexistent/key.json", "a.b.c"],
        ["jwt", "verify", "--alg", "XX", "--key", "k", "t"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let result = try await CLIRunner.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func helpExitsZero() async throws {
        let result = try await CLIRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("jwt"))
    }
}
