import Foundation

/// Reads a ``SigningKeyRing`` from a directory laid out as ``SigningKeySource/directory(_:checkInterval:publicationLead:)``
/// describes: `keyring.json` naming the keys, and one `<kid>.pem` or `<kid>.jwk` file per key.
enum KeyDirectory {
    /// The manifest's shape.
    private struct Manifest: Decodable {
        var current: String
        var next: String?
        var retiring: [String: Int64?]?
        var algorithm: String?
    }

    /// The manifest's name in the directory.
    static let manifestName = "keyring.json"

    /// The ring the directory at `path` describes now.
    static func load(_ path: String) throws(AuthKitError) -> SigningKeyRing {
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: try read(path, manifestName))
        } catch let error as AuthKitError {
            throw error
        } catch {
            throw AuthKitError(.keysUnavailable, "\(path)/\(manifestName) is not a key-ring manifest: \(error)")
        }
        var algorithm: JWTAlgorithm?
        if let name = manifest.algorithm {
            guard let named = JWTAlgorithm(name: name) else {
                throw AuthKitError(.keysUnavailable, "\(path)/\(manifestName) names an unknown algorithm")
            }
            algorithm = named
        }
        var retiring: [SigningKeyRing.RetiringKey] = []
        for (kid, notAfter) in (manifest.retiring ?? [:]).sorted(by: { $0.key < $1.key }) {
            let key = try load(kid, in: path, algorithm: algorithm)
            retiring.append(SigningKeyRing.RetiringKey(key, notAfter: notAfter.map { UnixTime(seconds: $0) }))
        }
        return SigningKeyRing(
            current: try load(manifest.current, in: path, algorithm: algorithm),
            next: try manifest.next.map { (kid) throws(AuthKitError) in try load(kid, in: path, algorithm: algorithm) },
            retiring: retiring
        )
    }

    private static func load(_ kid: String, in path: String, algorithm: JWTAlgorithm?) throws(AuthKitError) -> JWTKey {
        guard !kid.isEmpty, !kid.hasPrefix("."), !kid.contains("/"), !kid.contains("\0") else {
            throw AuthKitError(.keysUnavailable, "the kid \"\(kid)\" cannot name a key file")
        }
        let pem = "\(kid).pem"
        let isPEM = FileManager.default.fileExists(atPath: "\(path)/\(pem)")
        let file = isPEM ? pem : "\(kid).jwk"
        let text = try text(path, file)
        let key: JWTKey
        do throws(JWTError) {
            key =
                isPEM
                ? try JWTKey(pem: text, algorithm: algorithm, kid: kid) : try JWTKey(jwk: text, algorithm: algorithm)
        } catch {
            throw AuthKitError(.keysUnavailable, "\(path)/\(file) is not a usable key: \(error.description)")
        }
        guard key.kid == nil || key.kid == kid else {
            throw AuthKitError(.keysUnavailable, "\(path)/\(file) carries another kid than its name")
        }
        return key.withKeyID(kid)
    }

    private static func text(_ path: String, _ name: String) throws(AuthKitError) -> String {
        String(decoding: try read(path, name), as: UTF8.self)
    }

    private static func read(_ path: String, _ name: String) throws(AuthKitError) -> Data {
        guard let data = FileManager.default.contents(atPath: "\(path)/\(name)") else {
            throw AuthKitError(.keysUnavailable, "\(path)/\(name) cannot be read")
        }
        return data
    }
}
