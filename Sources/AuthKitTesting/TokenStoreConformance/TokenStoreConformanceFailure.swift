/// A rule of the `TokenStore` contract that a store under test broke, thrown by ``TokenStoreConformance``.
public struct TokenStoreConformanceFailure: Error, CustomStringConvertible {
    /// What was expected and what happened instead.
    public let message: String
    /// The conformance-suite file where the broken expectation sits.
    public let file: String
    /// The line of that expectation.
    public let line: Int

    /// Creates a failure report.
    public init(_ message: String, file: String, line: Int) {
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line): \(message)" }
}
