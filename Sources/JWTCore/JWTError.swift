/// The error every JWTCore operation throws: a stable ``Code`` saying which rule failed, and a message.
///
/// Codes are values of a struct rather than enum cases so that new codes never break a user's `switch`.
/// Messages never contain a token, a key or a secret.
public struct JWTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule a token, key or claim set broke.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, as printed by the CLI before the message (`expired: …`).
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// The token is not a well-formed compact JWS: wrong segment count, bad base64url, bad JSON.
        public static let malformed = Code("malformed")
        /// The token is longer than the configured size cap (default 8 KiB); checked before anything else.
        public static let tokenTooLarge = Code("tokenTooLarge")
        /// Header or payload JSON has the same member name twice.
        public static let duplicateMember = Code("duplicateMember")
        /// Header or payload JSON nests arrays and objects deeper than the configured cap.
        public static let nestingTooDeep = Code("nestingTooDeep")
        /// The header's `alg` is missing, not a string, `none`, or not an algorithm AuthKit implements.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The header's `alg` is not exactly the algorithm the selected key is bound to.
        public static let algorithmMismatch = Code("algorithmMismatch")
        /// No key in the key set matches the header's `kid` (or the token has no `kid` and the set has several keys).
        public static let unknownKey = Code("unknownKey")
        /// The signature does not match the signing input under the selected key.
        public static let invalidSignature = Code("invalidSignature")
        /// The `exp` claim is at or before the current time (less the leeway).
        public static let expired = Code("expired")
        /// The `nbf` claim is after the current time (plus the leeway).
        public static let notYetValid = Code("notYetValid")
        /// The `iat` claim is after the current time (plus the leeway).
        public static let issuedInFuture = Code("issuedInFuture")
        /// The `iss` claim is missing or not exactly the expected issuer.
        public static let invalidIssuer = Code("invalidIssuer")
        /// The `aud` claim is missing or contains none of the expected audiences.
        public static let invalidAudience = Code("invalidAudience")
        /// A claim the policy requires (by default `exp`) is absent.
        public static let missingClaim = Code("missingClaim")
        /// A registered claim or header member has the wrong JSON type, or a NumericDate is not finite or in range.
        public static let invalidClaim = Code("invalidClaim")
        /// The header's `typ` is not the one the policy requires.
        public static let invalidType = Code("invalidType")
        /// The header's `crit` names an extension AuthKit does not understand, or is malformed.
        public static let unsupportedCritical = Code("unsupportedCritical")
        /// A key is too weak for its algorithm: an HMAC key shorter than the hash output, an RSA key below 2048
        /// bits, with a public exponent below 3, or with the ROCA fingerprint.
        public static let weakKey = Code("weakKey")
        /// A key's material or description (raw bytes, base64url, JWK, PEM) could not be used.
        public static let invalidKey = Code("invalidKey")
        /// The header names a key source AuthKit never follows (`jku`, `x5u`, embedded `jwk`, `x5c`).
        public static let untrustedKeyReference = Code("untrustedKeyReference")
        /// Custom claims could not be decoded into the requested `Decodable` type.
        public static let claimsDecodingFailed = Code("claimsDecodingFailed")
        /// A policy or signing request is itself invalid (for example a leeway above five minutes).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A remote key source (JWKS endpoint) could not be fetched or parsed and no usable cached keys remain.
        public static let keySourceUnavailable = Code("keySourceUnavailable")
        /// The cryptographic library failed for a reason that is not the input's fault.
        public static let cryptoFailure = Code("cryptoFailure")
    }

    /// Which rule failed.
    public let code: Code
    /// A human-readable explanation that never contains secret material.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }
}
