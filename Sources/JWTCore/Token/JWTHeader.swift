/// The protected header of a verified token (RFC 7515 §4).
public struct JWTHeader: Sendable, Hashable {
    /// The `alg` member, exactly as the token carries it.
    public let algorithm: String
    /// The `kid` member, if present.
    public let keyID: String?
    /// The `typ` member, if present.
    public let type: String?
    /// The `cty` member, if present.
    public let contentType: String?
    /// The names listed in `crit`, all of which were understood.
    public let critical: [String]
    /// Every member, in the token's order.
    public let members: JSONObject

    /// Header members that point at a key source; AuthKit never takes a key from a token.
    static let keyReferenceMembers = ["jku", "x5u", "jwk", "x5c"]
    /// Registered header names (RFC 7515 §4.1, RFC 7519 §5) that `crit` must not list.
    static let registeredNames: Set<String> = [
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
    ]

    /// Reads and checks the members AuthKit relies on; `policy` supplies `typ` and `crit` rules.
    init(members: JSONObject, policy: JWTValidationPolicy) throws(JWTError) {
        guard let alg = members["alg"] else {
            throw JWTError(.unsupportedAlgorithm, "the header has no \"alg\"")
        }
        guard let algorithm = alg.stringValue else {
            throw JWTError(.unsupportedAlgorithm, "the header's \"alg\" is not a string")
        }
        for name in Self.keyReferenceMembers where members[name] != nil {
            throw JWTError(.untrustedKeyReference, "the header carries \"\(name)\"; keys are never taken from a token")
        }
        self.algorithm = algorithm
        self.keyID = try Self.optionalString(members, "kid")
        self.type = try Self.optionalString(members, "typ")
        self.contentType = try Self.optionalString(members, "cty")
        self.critical = try Self.critical(members, understood: policy.understoodCriticalHeaders)
        self.members = members
        if let expected = policy.expectedType {
            guard let type, Self.sameMediaType(type, expected) else {
                throw JWTError(.invalidType, "the header's \"typ\" is not \"\(expected)\"")
            }
        }
    }

    private static func optionalString(_ members: JSONObject, _ name: String) throws(JWTError) -> String? {
        guard let value = members[name] else { return nil }
        guard let string = value.stringValue else {
            throw JWTError(.malformed, "the header's \"\(name)\" is not a string")
        }
        return string
    }

    private static func critical(_ members: JSONObject, understood: Set<String>) throws(JWTError) -> [String] {
        guard let value = members["crit"] else { return [] }
        guard let list = value.arrayValue, !list.isEmpty else {
            throw JWTError(.unsupportedCritical, "\"crit\" must be a non-empty array")
        }
        var names: [String] = []
        for element in list {
            guard let name = element.stringValue else {
                throw JWTError(.unsupportedCritical, "\"crit\" holds something other than a string")
            }
            guard !registeredNames.contains(name), !names.contains(name) else {
                throw JWTError(.unsupportedCritical, "\"crit\" lists \"\(JSONParser.printable(name))\" illegally")
            }
            guard understood.contains(name) else {
                throw JWTError(.unsupportedCritical, "\"\(JSONParser.printable(name))\" is critical but not understood")
            }
            guard members[name] != nil else {
                throw JWTError(
                    .unsupportedCritical,
                    "\"crit\" lists \"\(JSONParser.printable(name))\" but it is absent"
                )
            }
            names.append(name)
        }
        return names
    }

    /// RFC 7515 §4.1.9: media types compare case-insensitively and may omit the `application/` prefix.
    static func sameMediaType(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ value: String) -> String {
            let lower = value.lowercased()
            return lower.hasPrefix("application/") ? String(lower.dropFirst("application/".count)) : lower
        }
        return normal(lhs) == normal(rhs)
    }
}
