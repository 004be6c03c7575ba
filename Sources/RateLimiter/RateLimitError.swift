/// The error the rate limiter throws for a request it cannot evaluate: bad input or an unusable store.
///
/// A refusal is not an error: it is a ``RateLimitDecision`` whose `isAllowed` is `false`.
public struct RateLimitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why a rate-limit request could not be evaluated.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, as printed by the CLI before the message.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// A policy has a limit, burst or window below one, a window above a year, or an unusable name.
        public static let invalidPolicy = Code("invalidPolicy")
        /// The list of policies is empty, or two policies in one request share a name.
        public static let invalidPolicies = Code("invalidPolicies")
        /// The limiter key is empty or longer than ``RateLimitPolicy/maximumKeyLength`` bytes.
        public static let invalidKey = Code("invalidKey")
        /// The cost is below one, or above what a policy could ever allow, so waiting would never help.
        public static let invalidCost = Code("invalidCost")
        /// The store could not answer (connection, timeout, script error); thrown only where no fallback applies.
        public static let storeUnavailable = Code("storeUnavailable")
        /// The store answered with data the limiter cannot interpret.
        public static let corruptState = Code("corruptState")
    }

    /// Which rule failed.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(code.name): \(message)" }
}
