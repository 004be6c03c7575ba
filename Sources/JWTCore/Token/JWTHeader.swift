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

    /// Registered header names (RFC 7515 §4.1, RFC 7519 §5) that `crit` must not list.
    static let registeredNames: Set<String> = [
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
    ]

    /// Reads and checks the members AuthKit relies on, in one pass; `policy` supplies `typ` and `crit` rules.
    init(members: JSONObject, policy: JWTValidationPolicy) throws(JWTError) {
        var algorithm: String?
        var keyID: String?
        var type: String?
        var contentType: String?
        var critical: JSONValue?
        for member in members {
            switch member.name {
            case "alg":
                guard let name = member.value.stringValue else {
                    throw JWTError(.unsupportedAlgorithm, "the header's \"alg\" is not a string")
                }
                algorithm = name
            case "kid": keyID = try Self.string(member)
            case "typ": type = try Self.string(member)
            case "cty": contentType = try Self.string(member)
            case "crit": critical = member.value
            case "jku", "x5u", "jwk", "x5c":
                throw JWTError(
                    .untrustedKeyReference,
                    "the header carries \"\(member.name)\"; keys are never taken from a token"
                )
            default: break
            }
        }
        guard let algorithm else {
            throw JWTError(.unsupportedAlgorithm, "the header has no \"alg\"")
        }
        self.algorithm = algorithm
        self.keyID = keyID
        self.type = type
        self.contentType = contentType
        self.critical =
            try critical.map { (value) throws(JWTError) in
                try Self.critical(value, members, understood: policy.understoodCriticalHeaders)
            } ?? []
        self.members = members
        if let expected = policy.expectedType {
            guard let type, Self.sameMediaType(type, expected) else {
                throw JWTError(.invalidType, "the header's \"typ\" is not \"\(expected)\"")
            }
        }
    }

    private static func string(_ member: JSONObject.Member) throws(JWTError) -> String {
        guard let string = member.value.stringValue else {
            throw JWTError(.malformed, "the header's \"\(member.name)\" is not a string")
        }
        return string
    }

    private static func critical(
        _ value: JSONValue,
        _ members: JSONObject,
        understood: Set<String>
    ) throws(JWTError) -> [String] {
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
