/// Why a ``FaultProxy`` could not start.
public struct FaultProxyError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the failing system call and `errno`.
    public let message: String

    /// Creates an error with a message.
    public init(_ message: String) {
        self.message = message
    }

    /// The text shown when the error is printed or logged.
    public var description: String { message }
}
