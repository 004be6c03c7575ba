/// The error every ``AuthKit`` operation throws: a stable code and a message with no token or secret in it.
public struct AuthKitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that new releases can extend without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// The bearer token is missing, malformed, badly signed, expired or otherwise invalid; ``AuthKitError/jwtCode``
        /// says which rule failed. HTTP 401.
        public static let invalidToken = Code("invalidToken")
        /// The access token was logged out (its `jti` is denylisted) or predates "log out everywhere". HTTP 401.
        public static let tokenRevoked = Code("tokenRevoked")
        /// The session the token belongs to has ended (logged out, evicted, expired). HTTP 401.
        public static let sessionEnded = Code("sessionEnded")
        /// The refresh token is malformed, unknown, expired, or its session has ended. HTTP 401.
        public static let invalidRefreshToken = Code("invalidRefreshToken")
        /// A refresh token that had already been rotated was presented again: probable theft; the whole
        /// login (family and session) has been revoked. HTTP 401.
        public static let refreshTokenReused = Code("refreshTokenReused")
        /// The user's session policy refuses another login. HTTP 403 or 409.
        public static let sessionLimitReached = Code("sessionLimitReached")
        /// The principal lacks a required permission. HTTP 403.
        public static let forbidden = Code("forbidden")
        /// The state store could not answer; revocation, rotation and session checks fail closed. HTTP 503.
        public static let storeUnavailable = Code("storeUnavailable")
        /// The keys needed could not be obtained: a remote JWKS is unreachable and its cached copy has expired
        /// (verification fails closed), or a signing-key source could not be read. HTTP 503.
        public static let keysUnavailable = Code("keysUnavailable")
        /// An argument was refused (for example an over-long user id or a reserved claim name). HTTP 400.
        public static let invalidArgument = Code("invalidArgument")
        /// The configuration cannot work (no signing key, lifetimes out of range, an unsafe store).
        public static let invalidConfiguration = Code("invalidConfiguration")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// For ``Code-swift.struct/invalidToken``, the JWT rule that failed (`expired`, `invalidSignature`, …).
    public let jwtCode: JWTError.Code?
    /// For ``Code-swift.struct/forbidden``, the permissions that would have let the request through, space
    /// separated (the `scope` of an RFC 6750 `insufficient_scope` challenge); nil when not known.
    public let requiredScope: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, jwtCode: JWTError.Code? = nil, requiredScope: String? = nil) {
        self.code = code
        self.message = message
        self.jwtCode = jwtCode
        self.requiredScope = requiredScope
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(code.name): \(message)" }

    static func invalidToken(_ error: JWTError) -> AuthKitError {
        AuthKitError(.invalidToken, error.description, jwtCode: error.code)
    }

    static func storeUnavailable(_ operation: String, _ error: any Error) -> AuthKitError {
        AuthKitError(.storeUnavailable, "the token store could not \(operation): \(Self.describe(error))")
    }

    /// Store errors can carry server text; keep the first line and cap its length.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
