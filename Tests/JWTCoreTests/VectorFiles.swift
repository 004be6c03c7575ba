import AuthKitTesting
import Foundation
import JWTCore
import Testing

/// Reads the published vectors in place (see `PublishedVectors`), never copied into the repository.
enum VectorFiles {
    /// The parsed JSON object of a vector file; a missing file fails the test with how to provide it.
    static func json(_ name: String) throws -> [String: Any] {
        guard let object = try PublishedVectors.json(name) as? [String: Any] else { throw VectorMissing() }
        return object
    }

    struct VectorMissing: Error {}

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    /// JSON text of a JSON-compatible value.
    static func text(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }
}
