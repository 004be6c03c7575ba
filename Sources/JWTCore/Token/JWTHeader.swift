/// The protected header of a verified token (RFC 7515 §4).
///
/// The members live in one shared, immutable box: a header is copied on every verification (out of the
/// verifier's header cache and into the result), and copying one reference is cheaper than six.
public struct JWTHeader: Sendable, Hashable {
    private final class Storage: Sendable {
        let algorithm: String
        let keyID: String?
        let type: String?
        let contentType: String?
        let critical: [String]
        let members: JSONObject

        init(
            algorithm: String,
            keyID: String?,
            type: String?,
            contentType: String?,
            critical: [String],
            members: JSONObject
        ) {
            self.algorithm = algorithm
            self.keyID = keyID
            self.type = type
            self.contentType = contentType
            self.critical = critical
            self.members = members
        }
    }

    private let storage: Storage

    /// The `alg` member, exactly as the token carries it.
    public var algorithm: String { storage.algorithm }
    /// The `kid` member, if present.
    public var keyID: String? { storage.keyID }
    /// The `typ` member, if present.
    public var type: String? { storage.type }
    /// The `cty` member, if present.
    public var contentType: String? { storage.contentType }
    /// The names listed in `crit`, all of which were understood.
    public var critical: [String] { storage.critical }
    /// Every member, in the token's order.
    public var members: JSONObject { storage.members }

    /// Headers are equal when their members are: every other property is read from them.
    public static func == (lhs: JWTHeader, rhs: JWTHeader) -> Bool {
        lhs.storage === rhs.storage || lhs.members == rhs.members
    }

    /// Hashes the members, which determine every other property.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members)
    }

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
        storage = Storage(
            algorithm: algorithm,
            keyID: keyID,
            type: type,
            contentType: contentType,
            critical: try critical.map { (value) throws(JWTError) in
                try Self.critical(value, members, understood: policy.understoodCriticalHeaders)
            } ?? [],
            members: members
        )
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
    package static func sameMediaType(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ value: String) -> String {
            let lower = value.lowercased()
            return lower.hasPrefix("application/") ? String(lower.dropFirst("application/".count)) : lower
        }
        return normal(lhs) == normal(rhs)
    }
}
