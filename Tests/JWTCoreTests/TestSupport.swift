import AuthKitClock
import Foundation
import Testing

@testable import JWTCore

/// Builds tokens with exactly the header and payload text a test needs, signed (or not) with a real key.
enum TestTokens {
    static let secret = [UInt8](repeating: 0x5A, count: 32)

    static func key(kid: String? = nil) throws -> JWTKey {
        try JWTKey.hs256(secret, kid: kid)
    }

    static func keySet(kid: String? = nil) throws -> JWTKeySet {
        try JWTKeySet([try key(kid: kid)])
    }

    /// A compact token over the raw header and payload text, signed with `key`.
    static func make(header: String, payload: String, key: JWTKey? = nil) throws -> String {
        let signingKey = try key ?? self.key()
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try Array(input.utf8).withUnsafeBytes { try signingKey.backing.sign($0) }
        return input + "." + Base64URL.encode(signature)
    }

    /// A compact token over raw header and payload bytes, signed with the default test key.
    static func make(headerBytes: [UInt8], payloadBytes: [UInt8]) throws -> String {
        let input = Base64URL.encode(headerBytes) + "." + Base64URL.encode(payloadBytes)
        let signature = try Array(input.utf8).withUnsafeBytes { try key().backing.sign($0) }
        return input + "." + Base64URL.encode(signature)
    }

    /// A token over already-encoded segments exactly as given (canonical or not), validly signed.
    static func make(headerSegment: String, payloadSegment: String) throws -> String {
        let input = headerSegment + "." + payloadSegment
        let signature = try Array(input.utf8).withUnsafeBytes { try key().backing.sign($0) }
        return input + "." + Base64URL.encode(signature)
    }

    static let now = UnixTime(seconds: 1_700_000_000)

    static func verifier(
        _ policy: JWTValidationPolicy = JWTValidationPolicy(),
        keys: JWTKeySet? = nil,
        at instant: UnixTime = now
    ) throws -> JWTVerifier {
        try JWTVerifier(keys: keys ?? keySet(), policy: policy, clock: .fixed(instant))
    }

    /// Asserts that verifying `token` fails with exactly `code`.
    static func expectRejected(
        _ token: String,
        _ code: JWTError.Code,
        policy: JWTValidationPolicy = JWTValidationPolicy(),
        keys: JWTKeySet? = nil,
        at instant: UnixTime = now,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let verifier = try verifier(policy, keys: keys, at: instant)
        #expect(throws: JWTError.self, sourceLocation: sourceLocation) { try verifier.verify(token) }
        do {
            _ = try verifier.verify(token)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        }
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
