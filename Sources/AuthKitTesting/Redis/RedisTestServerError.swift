/// Why a ``RedisTestServer`` could not be started or controlled.
public struct RedisTestServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, including how to fix a missing installation.
    public let message: String

    /// Creates an error with a message.
    public init(_ message: String) {
        self.message = message
    }

    /// The text shown when the value is printed or logged.
    public var description: String { message }
}
