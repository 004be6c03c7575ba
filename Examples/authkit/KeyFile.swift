import ArgumentParser
import Foundation
import JWTCore

/// Loading `--key FILE`: a JWK, or a JWKS from which the token's `kid` picks the key.
enum KeyFile {
    static func text(at path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the key file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure(code: "invalidKey", "the key file \(path) is not UTF-8")
        }
        return text
    }

    /// The key set in `path`; `algorithms` supplies the algorithm of keys whose JWK has no `alg` when exactly
    /// one is given.
    static func keySet(at path: String, algorithms: [JWTAlgorithm]) throws -> JWTKeySet {
        let text = try text(at: path)
        do throws(JWTError) {
            return try JWTKeySet(jwks: text, algorithm: algorithms.count == 1 ? algorithms[0] : nil)
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
