/// The error the permission cache throws for its own failures; a loader's errors pass through unchanged.
public struct PermissionCacheError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why a permission-cache operation failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, as printed by the CLI before the message.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// The user id is empty or longer than ``PermissionCache/maximumUserIDLength`` bytes.
        public static let invalidUserID = Code("invalidUserID")
        /// The store could not answer and the cache is configured not to call the loader without it, or an
        /// invalidation could not be recorded (so the caller must not assume stale permissions are gone).
        public static let storeUnavailable = Code("storeUnavailable")
        /// The store was invalidated but the message telling other processes to drop their local copies was not
        /// sent; their local caches converge within the local TTL.
        public static let channelUnavailable = Code("channelUnavailable")
        /// Stored data could not be decoded into a permission set.
        public static let corruptEntry = Code("corruptEntry")
        /// A duration or size in a configuration is out of range: for example a TTL or retention under one
        /// millisecond, which Redis would refuse or turn into an immediate deletion.
        public static let invalidConfiguration = Code("invalidConfiguration")
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
