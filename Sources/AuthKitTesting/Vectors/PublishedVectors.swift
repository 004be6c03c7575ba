package import Foundation

/// The published test vectors (Wycheproof, RFC 7515/7520/8037) that tests read in place and never copy into the
/// repository: the folder `AUTHKIT_VECTORS_DIR` names (`make` sets it, also for a clone made elsewhere), or else
/// `shared/vectors` beside the package root.
package enum PublishedVectors {
    /// Why a vector file could not be read, with how to make it readable.
    package struct Missing: Error, CustomStringConvertible {
        /// The file that was looked for, and what to do.
        package let description: String
    }

    /// The folder the vectors are read from.
    package static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["AUTHKIT_VECTORS_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        // Sources/AuthKitTesting/Vectors/PublishedVectors.swift → the package root's parent.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("shared/vectors")
    }

    /// The bytes of the vector file `name`.
    /// - Throws: ``Missing`` when it cannot be read, saying where it was looked for and how to point to it.
    package static func data(_ name: String) throws -> Data {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(
                description: "vector file \(url.path) is missing: put the shared vectors folder beside the package "
                    + "as shared/vectors, or set AUTHKIT_VECTORS_DIR to it (`make test` finds it next to the "
                    + "clone's origin)"
            )
        }
        return data
    }

    /// The parsed JSON of the vector file `name`.
    /// - Throws: ``Missing``, or the parser's error.
    package static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try data(name))
    }
}
