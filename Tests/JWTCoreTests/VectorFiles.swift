import Foundation
import JWTCore
import Testing

/// Loads the shared published vectors from `../shared/vectors` next to the package root, without copying
/// them into the repository.
enum VectorFiles {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("shared/vectors")

    /// The parsed JSON of a vector file; fails the test with a clear message when the folder is missing.
    static func json(_ name: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("vector file \(url.path) is missing; the shared vectors folder must sit next to the package")
            throw VectorMissing()
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw VectorMissing()
        }
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
