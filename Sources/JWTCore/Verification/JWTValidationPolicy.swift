/// What a verifier demands of a token beyond a valid signature: size and depth caps, issuer, audience,
/// required claims, `typ`, understood `crit` names, accepted algorithms and clock leeway.
public struct JWTValidationPolicy: Sendable {
    /// The most leeway AuthKit allows for clock skew.
    public static let maxLeeway: Duration = .seconds(300)

    /// Tokens longer than this many bytes are refused before any other work (default 8 KiB).
    public var maxTokenSize: Int
    /// Arrays and objects nested deeper than this in the header or payload are refused (default 16).
    public var maxNestingDepth: Int
    /// When set, `iss` must be present and equal this exactly.
    public var issuer: String?
    /// When non-empty, `aud` must be present and contain at least one of these.
    public var audiences: Set<String>
    /// Claims that must be present (default `exp`).
    public var requiredClaims: Set<String>
    /// When set, the header's `typ` must name this media type (for example `JWT` or `at+jwt`).
    public var expectedType: String?
    /// Header names the application handles itself and may therefore appear in `crit`.
    public var understoodCriticalHeaders: Set<String>
    /// When set, only these algorithms are accepted, whatever keys the set holds.
    public var allowedAlgorithms: Set<JWTAlgorithm>?
    /// Allowance for clock skew on `exp`, `nbf` and `iat` (default zero, at most five minutes).
    public var leeway: Duration

    /// Creates a policy; every parameter has the strict default.
    public init(
        issuer: String? = nil,
        audiences: Set<String> = [],
        requiredClaims: Set<String> = ["exp"],
        expectedType: String? = nil,
        leeway: Duration = .zero,
        maxTokenSize: Int = 8192,
        maxNestingDepth: Int = 16,
        understoodCriticalHeaders: Set<String> = [],
        allowedAlgorithms: Set<JWTAlgorithm>? = nil
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.requiredClaims = requiredClaims
        self.expectedType = expectedType
        self.leeway = leeway
        self.maxTokenSize = maxTokenSize
        self.maxNestingDepth = maxNestingDepth
        self.understoodCriticalHeaders = understoodCriticalHeaders
        self.allowedAlgorithms = allowedAlgorithms
    }

    /// Throws `invalidConfiguration` for a policy that would weaken verification or cannot work.
    package func validate() throws(JWTError) {
        guard leeway >= .zero, leeway <= Self.maxLeeway else {
            throw JWTError(.invalidConfiguration, "leeway must be between 0 and 300 seconds")
        }
        guard maxTokenSize > 0, maxTokenSize <= 1 << 20 else {
            throw JWTError(.invalidConfiguration, "maxTokenSize must be between 1 byte and 1 MiB")
        }
        guard maxNestingDepth >= 1, maxNestingDepth <= 64 else {
            throw JWTError(.invalidConfiguration, "maxNestingDepth must be between 1 and 64")
        }
        if let registered = understoodCriticalHeaders.first(where: { JWTHeader.registeredNames.contains($0) }) {
            throw JWTError(.invalidConfiguration, "\"\(registered)\" is a registered header and cannot be critical")
        }
    }
}
