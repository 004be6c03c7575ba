import AuthKitClock
import Foundation
import JWTCore
import Testing

/// ECDSA keys (ES256/384/512): curve binding, JOSE `r || s` signatures, point validation.
@Suite("ECDSA keys")
struct ECDSAKeyTests {
    static let cases: [(JWTAlgorithm, Int)] = [(.es256, 64), (.es384, 96), (.es512, 132)]

    static func token(_ key: JWTKey) throws -> String {
        try JWTSigner(key: key).sign(JWTClaims(subject: "e", expiresAt: UnixTime(seconds: 4_000_000_000)))
    }

    static func replacingSignature(_ token: String, with signature: [UInt8]) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return "\(parts[0]).\(parts[1]).\(Base64URL.encode(signature))"
    }

    @Test("signatures are the JOSE r || s of exact length and verify", arguments: cases)
    func roundTrip(algorithm: JWTAlgorithm, length: Int) throws {
        let key = try JWTKey.generate(algorithm)
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey()]))
        for _ in 0..<8 {
            let token = try Self.token(key)
            #expect(Base64URL.decode(String(token.split(separator: ".")[2]))?.count == length)
            #expect(try verifier.verify(token).claims.subject == "e")
        }
    }

    @Test("DER, truncated, padded and zero signatures are rejected", arguments: cases)
    func malformedSignatures(algorithm: JWTAlgorithm, length: Int) throws {
        let key = try JWTKey.generate(algorithm)
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey()]))
        let token = try Self.token(key)
        let signature = Base64URL.decode(String(token.split(separator: ".")[2])) ?? []
        let half = length / 2
        // The same r and s as a DER SEQUENCE, which some libraries wrongly emit and accept.
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if (value.first ?? 0) & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(signature[0..<half]) + integer(signature[half...])
        let der = [0x30] + (body.count >= 0x80 ? [0x81] : []) + [UInt8(body.count)] + body
        let forms: [[UInt8]] = [
            der, Array(signature.dropLast()), signature + [0], [UInt8](repeating: 0, count: length),
            [UInt8](repeating: 0xFF, count: length),
            [UInt8](repeating: 0, count: half) + signature[half...],
        ]
        for form in forms {
            let error = #expect(throws: JWTError.self) {
                try verifier.verify(Self.replacingSignature(token, with: form))
            }
            #expect(error?.code == .invalidSignature)
        }
    }

    @Test("s replaced by n - s (the malleable twin) is rejected only when out of range; r = n is rejected")
    func rangeChecks() throws {
        let key = try JWTKey.generate(.es256)
        let verifier = try JWTVerifier(keys: try JWTKeySet([try key.publicKey()]))
        let token = try Self.token(key)
        let signature = Base64URL.decode(String(token.split(separator: ".")[2])) ?? []
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        #expect(throws: JWTError.self) {
            try verifier.verify(Self.replacingSignature(token, with: order + signature[32...]))
        }
        #expect(throws: JWTError.self) {
            try verifier.verify(Self.replacingSignature(token, with: signature[0..<32] + order))
        }
    }

    @Test("a key is bound to its curve's algorithm")
    func curveBinding() throws {
        let p256 = try JWTKey.generate(.es256)
        #expect(p256.algorithm == .es256)
        let pem = try p256.pem(includePrivate: false)
        #expect(try JWTKey(pem: pem).algorithm == .es256)
        for wrong in [JWTAlgorithm.es384, .es512, .rs256, .hs256, .eddsa] {
            #expect(throws: JWTError.self) { try JWTKey(pem: pem, algorithm: wrong) }
        }
        var jwk = try p256.jwk(includePrivate: false)
        jwk["alg"] = "ES512"
        #expect(throws: JWTError.self) { try JWTKey(jwk: jwk) }
    }

    @Test("JWK points off the curve, short coordinates and a mismatched d are refused")
    func invalidJWKs() throws {
        let key = try JWTKey.generate(.es256)
        let jwk = try key.jwk(includePrivate: true)
        var offCurve = jwk
        var y = Base64URL.decode(jwk["y"]?.stringValue ?? "") ?? []
        y[31] ^= 1
        offCurve["y"] = .string(Base64URL.encode(y))
        offCurve["d"] = nil
        #expect(throws: JWTError.self) { try JWTKey(jwk: offCurve) }
        var short = jwk
        short["x"] = .string(Base64URL.encode((Base64URL.decode(jwk["x"]?.stringValue ?? "") ?? []).dropFirst()))
        #expect(throws: JWTError.self) { try JWTKey(jwk: short) }
        var otherD = jwk
        otherD["d"] = try JWTKey.generate(.es256).jwk(includePrivate: true)["d"]
        #expect(throws: JWTError.self) { try JWTKey(jwk: otherD) }
        var unknownCurve = jwk
        unknownCurve["crv"] = "secp256k1"
        #expect(throws: JWTError.self) { try JWTKey(jwk: unknownCurve) }
    }

    @Test("SEC 1 EC PRIVATE KEY PEM and PKCS#8 load the same key")
    func pemForms() throws {
        let key = try JWTKey.generate(.es384)
        let pkcs8 = try key.pem(includePrivate: true)
        let loaded = try JWTKey(pem: pkcs8)
        #expect(loaded.canSign && loaded.algorithm == .es384)
        #expect(try loaded.thumbprint() == key.thumbprint())
        let token = try Self.token(loaded)
        #expect(try JWTVerifier(keys: try JWTKeySet([key])).verify(token).claims.subject == "e")
    }

    @Test("encrypted PEM and certificates are refused with invalidKey")
    func unsupportedPEM() throws {
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAg\n-----END ENCRYPTED PRIVATE KEY-----\n"
        let error = #expect(throws: JWTError.self) { try JWTKey(pem: encrypted) }
        #expect(error?.code == .invalidKey)
        let certificate = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIUJ0\n-----END CERTIFICATE-----\n"
        #expect(throws: JWTError.self) { try JWTKey(pem: certificate) }
        #expect(throws: JWTError.self) { try JWTKey(pem: "not a key") }
        #expect(throws: JWTError.self) { try JWTKey(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}
