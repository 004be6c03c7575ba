import ArgumentParser
import Foundation
import JWTCore

/// Loading `--key FILE`: a JWK, a JWKS from which the token's `kid` picks the key, a PEM key (SPKI, PKCS#8,
/// PKCS#1) or a DER key.
enum KeyFile {
    static func bytes(at path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the key file \(path)")
        }
        return [UInt8](data)
    }

    static func text(at path: String) throws -> String {
        guard let text = String(bytes: try bytes(at: path), encoding: .utf8) else {
            throw CLIFailure(code: "invalidKey", "the file \(path) is not UTF-8")
        }
        return text
    }

    /// The key set in `path`. `algorithms` supplies the algorithm of keys that do not name one (an RSA PEM
    /// or a JWK without `alg`) when exactly one is given; `kid` names a PEM or DER key, which has no `kid`.
    ///
    /// A JWKS file is read as a published set (`PublishedKeySet`): keys it cannot use (encryption keys, other
    /// curves or algorithms) are skipped with a warning on stderr, as RFC 7517 §5 asks, and the file is refused
    /// only when no usable key is left. A single JWK, PEM or DER key must be usable.
    static func keySet(at path: String, algorithms: [JWTAlgorithm], kid: String? = nil) throws -> JWTKeySet {
        let bytes = try bytes(at: path)
        let algorithm = algorithms.count == 1 ? algorithms[0] : nil
        let firstByte = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        do throws(JWTError) {
            switch firstByte {
            case UInt8(ascii: "{"):
                let object = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self), maxNestingDepth: 8)
                guard let jwks = object.objectValue, jwks["keys"] != nil else {
                    return try JWTKeySet(jwks: String(decoding: bytes, as: UTF8.self), algorithm: algorithm)
                }
                let published = try PublishedKeySet(jwks: jwks, algorithm: algorithm)
                for skipped in published.skipped {
                    printError("warning: \(path): \(skipped)")
                }
                return published.keys
            case UInt8(ascii: "-"):
                let key = try JWTKey(pem: String(decoding: bytes, as: UTF8.self), algorithm: algorithm, kid: kid)
                return try JWTKeySet([key])
            default:
                return try JWTKeySet([try JWTKey(der: bytes, algorithm: algorithm, kid: kid)])
            }
        } catch {
            throw CLIFailure(error)
        }
    }

    /// Parses `--alg` values into algorithms, as a usage error when one is unknown.
    static func algorithms(_ names: [String]) throws -> [JWTAlgorithm] {
        try names.map { name in
            guard let algorithm = JWTAlgorithm(name: name) else {
                let known = JWTAlgorithm.all.map(\.name).joined(separator: ", ")
                throw ValidationError("unknown algorithm \"\(name)\"; expected one of \(known)")
            }
            return algorithm
        }
    }
}
