import AuthKitTesting
import Foundation
import Testing

/// The `authkit` CLI's asymmetric key and JWS commands, run as a process: `key generate` for every
/// algorithm, `key public`, `jwt sign/verify` with PEM, JWK and JWKS keys, and `jws verify`.
@Suite("authkit key, jwt and jws commands with asymmetric keys")
struct JOSECommandTests {
    static let asymmetric = ["rs256", "rs384", "rs512", "ps256", "ps384", "ps512", "es256", "es384", "es512", "eddsa"]

    @Test("key generate prints a private JWK of the right type", arguments: asymmetric + ["hs256"])
    func generateJWK(algorithm: String) async throws {
        let result = try await CLIRunner.run(["key", "generate", algorithm, "--kid", "k1"])
        #expect(result.status == 0, "\(result.stderr)")
        let jwk = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((jwk["alg"] as? String)?.lowercased() == algorithm)
        #expect(jwk["kid"] as? String == "k1")
        let kty = jwk["kty"] as? String
        switch algorithm.prefix(2) {
        case "rs", "ps": #expect(kty == "RSA" && jwk["d"] != nil && jwk["qi"] != nil)
        case "es": #expect(kty == "EC" && jwk["d"] != nil)
        case "ed": #expect(kty == "OKP" && jwk["crv"] as? String == "Ed25519" && jwk["d"] != nil)
        default: #expect(kty == "oct")
        }
    }

    @Test("key generate --pem prints PKCS#8, and refuses HMAC and unknown algorithms as usage errors")
    func generatePEM() async throws {
        let pem = try await CLIRunner.run(["key", "generate", "es384", "--pem"])
        #expect(pem.status == 0)
        #expect(pem.stdout.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try await CLIRunner.run(["key", "generate", "hs256", "--pem"]).status == 2)
        #expect(try await CLIRunner.run(["key", "generate", "es256k"]).status == 2)
        #expect(try await CLIRunner.run(["key", "generate", "rs256", "--bits", "1024"]).status == 1)
    }

    @Test("sign with a private key, verify with its public JWK, the JWKS and the private PEM", arguments: asymmetric)
    func signAndVerify(algorithm: String) async throws {
        let directory = try TemporaryDirectory()
        let alg = algorithm == "eddsa" ? "EdDSA" : algorithm.uppercased()
        let privatePEM = try directory.write(
            "key.pem",
            try await CLIRunner.run(["key", "generate", algorithm, "--pem"]).stdout
        )
        let publicJWK = try await CLIRunner.run(["key", "public", privatePEM, "--alg", alg, "--kid", "k1"])
        #expect(publicJWK.status == 0, "\(publicJWK.stderr)")
        #expect(!publicJWK.stdout.contains("\"d\""))
        let jwkFile = try directory.write("key.jwk", publicJWK.stdout)
        let jwks = try await CLIRunner.run(["key", "public", jwkFile, "--set"])
        let jwksFile = try directory.write("keys.jwks", jwks.stdout)
        let claims = #"{"sub":"42","exp":4000000000}"#
        let signed = try await CLIRunner.run([
            "jwt", "sign", "--key", privatePEM, "--alg", alg, "--kid", "k1", "--claims", claims,
        ])
        #expect(signed.status == 0, "\(signed.stderr)")
        let token = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for keyFile in [jwkFile, jwksFile] {
            let verified = try await CLIRunner.run(["jwt", "verify", "--key", keyFile, token])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.stdout.contains(#""sub":"42""#))
        }
        let withPEM = try await CLIRunner.run([
            "jwt", "verify", "--key", privatePEM, "--alg", alg, "--kid", "k1", token,
        ])
        #expect(withPEM.status == 0, "\(withPEM.stderr)")
        var forged = Array(token.utf8)
        forged[forged.count - 3] = forged[forged.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let rejected = try await CLIRunner.run([
            "jwt", "verify", "--key", jwkFile, String(decoding: forged, as: UTF8.self),
        ])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.hasPrefix("invalidSignature:") || rejected.stderr.hasPrefix("malformed:"))
    }

    @Test("an RSA PEM without --alg is refused, since the key alone does not fix its algorithm")
    func rsaPEMNeedsAlgorithm() async throws {
        let directory = try TemporaryDirectory()
        let pem = try directory.write("rsa.pem", try await CLIRunner.run(["key", "generate", "rs256", "--pem"]).stdout)
        let result = try await CLIRunner.run(["key", "public", pem])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("invalidKey:"))
    }

    @Test("jws verify prints the RFC 8037 A.4 payload exactly, and rejects a tampered twin with exit 1")
    func jwsVerify() async throws {
        let directory = try TemporaryDirectory()
        let vectors = try RFCVectors.load()
        let vector = try #require(vectors.first { ($0["alg"] as? String) == "EdDSA" })
        let jwk = try directory.write(
            "ed.jwk",
            String(
                decoding: try JSONSerialization.data(withJSONObject: try #require(vector["public_jwk"])),
                as: UTF8.self
            )
        )
        let token = try #require(vector["jws_compact"] as? String)
        let result = try await CLIRunner.run(["jws", "verify", "--key", jwk, token])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Example of Ed25519 signing")
        let parts = token.split(separator: ".").map(String.init)
        let tampered = [parts[0], "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmg", parts[2]].joined(separator: ".")
        let rejected = try await CLIRunner.run(["jws", "verify", "--key", jwk, tampered])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.hasPrefix("invalidSignature:"))
        let wrongAlg = try await CLIRunner.run(["jws", "verify", "--key", jwk, "--alg", "ES256", token])
        #expect(wrongAlg.status == 1)
        #expect(wrongAlg.stderr.hasPrefix("unsupportedAlgorithm:") || wrongAlg.stderr.hasPrefix("algorithmMismatch:"))
        #expect(try await CLIRunner.run(["jws", "verify", token]).status == 2)
    }

    @Test("a JWKS that mixes an HMAC secret with an RSA key is refused")
    func mixedJWKSRefused() async throws {
        let directory = try TemporaryDirectory()
        let rsa = try await CLIRunner.run(["key", "generate", "rs256"]).stdout
        let hmac = try await CLIRunner.run(["key", "generate", "hs256"]).stdout
        let file = try directory.write("mixed.jwks", #"{"keys":[\#(rsa),\#(hmac)]}"#)
        let result = try await CLIRunner.run(["key", "public", file])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("invalidKey:"))
    }
}

/// A directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("authkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes `text` to `name` and returns the file's path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }
}

/// The shared RFC vectors, read in place (see `PublishedVectors`), never copied in.
enum RFCVectors {
    static func load() throws -> [[String: Any]] {
        let object = try PublishedVectors.json("rfc7515.json") as? [String: Any] ?? [:]
        return object["vectors"] as? [[String: Any]] ?? []
    }
}
