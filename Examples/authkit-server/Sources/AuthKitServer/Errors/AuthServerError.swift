/// Why the server could not be set up: thrown before it listens, never while it answers requests.
public struct AuthServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that new versions can extend without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The code's name, as it appears in logs.
        public var description: String { name }

        /// A signing key could not be generated or published.
        public static let keySetupFailed = Code("keySetupFailed")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The text shown when the error is printed or logged: the code, then the message.
    public var description: String { "\(code.name): \(message)" }
}
