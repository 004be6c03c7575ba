/// A store conformance check that did not hold: which check, and what was observed.
public struct ConformanceFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name of the check that failed.
    public let check: String
    /// What was expected and what happened instead.
    public let message: String

    /// Creates a failure report.
    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(check): \(message)" }

    /// Throws a failure for `check` unless `condition` holds.
    static func require(
        _ condition: Bool,
        _ check: String,
        _ message: @autoclosure () -> String
    ) throws(ConformanceFailure) {
        if !condition {
            throw ConformanceFailure(check: check, message: message())
        }
    }
}
