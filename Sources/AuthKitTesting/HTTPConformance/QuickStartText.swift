import Foundation

/// Holds a README's quick start and the test that compiles it together: the README's fenced block marked
/// `<!-- quick start: NAME -->` must be the lines between `// README: NAME quick start, begin` and `end` in the test
/// source (indentation aside), apart from its imports and its final line, which the test replaces by a test client.
package enum QuickStartText {
    /// Throws unless the README's block `name` matches the marked lines of `testFile`, and has at most `lines` lines
    /// of app code (imports and blank lines not counted).
    package static func expectReadmeBlock(_ name: String, matches testFile: String, lines: Int) throws {
        var root = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path) {
            guard root.pathComponents.count > 1 else { throw failure(name, "no README.md above \(testFile)") }
            root.deleteLastPathComponent()
        }
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOfFile: testFile, encoding: .utf8)
        guard let marker = readme.range(of: "<!-- quick start: \(name) -->"),
            let open = readme.range(of: "```swift\n", range: marker.upperBound..<readme.endIndex),
            let close = readme.range(of: "\n```", range: open.upperBound..<readme.endIndex)
        else { throw failure(name, "README.md has no block marked <!-- quick start: \(name) -->") }
        let block = readme[open.upperBound..<close.lowerBound].split(separator: "\n").map(trimmed)
        let code = block.filter { !$0.isEmpty && !$0.hasPrefix("import ") }
        guard code.count <= lines else { throw failure(name, "\(code.count) lines of app code, at most \(lines)") }
        guard let begin = source.range(of: "// README: \(name) quick start, begin\n"),
            let end = source.range(of: "// README: \(name) quick start, end", range: begin.upperBound..<source.endIndex)
        else { throw failure(name, "the test has no marked quick start") }
        let lines = source[begin.upperBound..<end.lowerBound].split(separator: "\n").map(trimmed)
            .filter { !$0.isEmpty && !$0.hasPrefix("static func") }
        guard Array(code.dropLast()) == lines else {
            throw failure(
                name,
                "README and test differ:\n\(code.joined(separator: "\n"))\n---\n\(lines.joined(separator: "\n"))"
            )
        }
    }

    private static func trimmed(_ line: Substring) -> String {
        line.trimmingCharacters(in: .whitespaces)
    }

    private static func failure(_ name: String, _ message: String) -> ConformanceFailure {
        ConformanceFailure(check: "quick start \(name)", message: message)
    }
}
