import Foundation
import Testing

@testable import JWTCore

@Suite("JWTKey and JWTKeySet")
struct JWTKeyTests {
    @Test(arguments: [(JWTAlgorithm.hs256, 32), (.hs384, 48), (.hs512, 64)])
    func shortHMACKeysAreRefused(algorithm: JWTAlgorithm, minimum: Int) throws {
        #expect(throws: Never.self) { try JWTKey.hmac(algorithm, secret: [UInt8](repeating: 1, count: minimum)) }
        do {
            _ = try JWTKey.hmac(algorithm, secret: [UInt8](repeating: 1, count: minimum - 1))
            Issue.record("a \(minimum - 1)-byte key was accepted for \(algorithm)")
        } catch {
            #expect(error.code == .weakKey)
            #expect(error.message.contains("at least \(minimum) bytes"))
        }
    }

    @Test func keysFromBase64URL() throws {
        let key = try JWTKey.hmac(.hs256, base64URLSecret: Base64URL.encode(TestTokens.secret), kid: "b")
        #expect(key.kid == "b")
        #expect(throws: JWTError.self) { try JWTKey.hmac(.hs256, base64URLSecret: "not base64!") }
    }

    @Test func jwkAlgorithmBinding() throws {
        let jwk = #"{"kty":"oct","alg":"HS384","k":""# + Base64URL.encode([UInt8](repeating: 3, count: 48)) + #""}"#
        #expect(try JWTKey(jwk: jwk).algorithm == .hs384)
        #expect(throws: JWTError.self) { try JWTKey(jwk: jwk, algorithm: .hs256) }
        let noAlg = #"{"kty":"oct","k":""# + Base64URL.encode(TestTokens.secret) + #""}"#
        #expect(throws: JWTError.self) { try JWTKey(jwk: noAlg) }
        #expect(try JWTKey(jwk: noAlg, algorithm: .hs256).algorithm == .hs256)
    }

    @Test(arguments: [
        #"{"kty":"oct","alg":"HS256","use":"enc","k":"KEY"}"#,
        #"{"kty":"oct","alg":"HS256","key_ops":["encrypt"],"k":"KEY"}"#,
        #"{"kty":"oct","alg":"HS256","key_ops":"sign","k":"KEY"}"#,
        #"{"kty":"oct","alg":"HS256","kid":5,"k":"KEY"}"#,
        #"{"kty":"oct","alg":"none","k":"KEY"}"#,
        #"{"kty":"oct","alg":"HS256"}"#,
        #"{"kty":"oct","alg":"HS256","k":"KEY","k":"KEY"}"#,
        #"{"alg":"HS256","k":"KEY"}"#,
        #"{"kty":"XYZ","alg":"HS256","k":"KEY"}"#,
    ])
    func invalidJWKs(template: String) throws {
        let jwk = template.replacingOccurrences(of: "KEY", with: Base64URL.encode(TestTokens.secret))
        #expect(throws: JWTError.self) { try JWTKey(jwk: jwk) }
    }

    @Test func generatedKeysHaveFullLengthAndAThumbprintKid() throws {
        for algorithm in JWTAlgorithm.all where algorithm.isSymmetric {
            let key = try JWTKey.generateHMAC(algorithm)
            #expect(key.kid == (try key.thumbprint()))
            let jwk = try key.jwk(includePrivate: true)
            let encoded = try #require(jwk["k"]?.stringValue)
            let secret = try #require(Base64URL.decode(encoded))
            #expect(jwk["alg"] == .string(algorithm.name))
            let reloaded = try JWTKey(jwk: jwk)
            #expect(reloaded.kid == key.kid)
            #expect(secret.count >= 32)
            #expect(throws: JWTError.self) { try key.jwk(includePrivate: false) }
        }
        #expect(try JWTKey.generateHMAC(.hs256).kid != (try JWTKey.generateHMAC(.hs256).kid))
    }

    /// RFC 7638 §3.1 defines the thumbprint input; for an oct key it is {"k":…,"kty":"oct"}.
    @Test func thumbprintOfAnOctKey() throws {
        let key = try JWTKey.hs256(TestTokens.secret)
        let canonical = #"{"k":""# + Base64URL.encode(TestTokens.secret) + #"","kty":"oct"}"#
        #expect(try key.thumbprint() == Base64URL.encode(try Digest.sha256.hash(Array(canonical.utf8))))
    }

    @Test func keySetRules() throws {
        let a = try JWTKey.hs256(TestTokens.secret, kid: "a")
        #expect(throws: JWTError.self) { try JWTKeySet([a, a]) }
        let unnamed = try JWTKey.hs256(TestTokens.secret)
        #expect(throws: JWTError.self) { try JWTKeySet([unnamed, unnamed]) }
        let set = try JWTKeySet([a, unnamed])
        #expect(try set.key(for: "a").kid == "a")
        #expect(try set.key(for: nil).kid == nil)
        #expect(throws: JWTError.self) { try set.key(for: "b") }
    }

    @Test func jwksParsing() throws {
        let k = Base64URL.encode(TestTokens.secret)
        let jwks =
            #"{"keys":[{"kty":"oct","alg":"HS256","kid":"1","k":""# + k + #""},"#
            + #"{"kty":"oct","alg":"HS512","kid":"2","k":""# + Base64URL.encode([UInt8](repeating: 1, count: 64))
            + #""}]}"#
        let set = try JWTKeySet(jwks: jwks)
        #expect(set.keys.count == 2)
        #expect(try set.key(for: "2").algorithm == .hs512)
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":{}}"#) }
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[1]}"#) }
    }
}
