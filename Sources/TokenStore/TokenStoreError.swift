/// The error every TokenStore operation throws: a stable ``Code`` saying what went wrong, and a message.
///
/// Business outcomes (a revoked token, a reused refresh token) are return values, not errors; errors are for
/// input the store refuses and for a store that cannot answer. Messages never contain a token or a secret.
public struct TokenStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// A user id, jti or session id is empty, too long, or not valid UTF-8 for its field.
        public static let invalidArgument = Code("invalidArgument")
        /// A ``SessionLifetime`` or ``SessionPolicy`` is out of range (for example a zero lifetime).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A login was refused because the user already has the most sessions the policy allows.
        public static let sessionLimitReached = Code("sessionLimitReached")
        /// The backing store could not be reached or did not answer in time; callers must fail closed.
        public static let storeUnavailable = Code("storeUnavailable")
        /// The backing store answered with data this implementation cannot read; callers must fail closed.
        public static let corruptRecord = Code("corruptRecord")
        /// The backing store is configured so that it could lose revocations (for example an evicting
        /// `maxmemory-policy`) and the store was asked to be strict about it.
        public static let unsafeStoreConfiguration = Code("unsafeStoreConfiguration")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation that never contains secret material.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(code.name): \(message)" }
}
