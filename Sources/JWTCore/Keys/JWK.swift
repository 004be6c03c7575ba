/// Reading keys from JSON Web Keys (RFC 7517) and key sets.
extension JWTKey {
    /// The largest JWK or JWKS document AuthKit reads.
    static let maxJWKSize = 1 << 20

    /// A key from JWK text. The JWK's `alg` wins; `algorithm` is used only when the JWK has none, and a
    /// conflict between the two is an error. `use` must be `sig` and `key_ops` must allow signing or
    /// verification when present.
    public init(jwk text: String, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        let object = try JSONParser.parseObject(Array(text.utf8.prefix(Self.maxJWKSize + 1)), maxDepth: 8, what: "JWK")
        try self.init(jwk: object, algorithm: algorithm)
    }

    /// A key from a parsed JWK object; see ``init(jwk:algorithm:)-(String,_)``.
    public init(jwk object: JSONObject, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        guard let kty = object["kty"]?.stringValue else {
            throw JWTError(.invalidKey, "JWK has no string \"kty\"")
        }
        let named = try Self.jwkAlgorithm(object, fallback: algorithm)
        try Self.checkUsage(object)
        let kid: String?
        switch object["kid"] {
        case nil: kid = nil
        case .string(let value): kid = value
        default: throw JWTError(.invalidKey, "JWK \"kid\" is not a string")
        }
        switch kty {
        case "oct":
            guard let algorithm = named else {
                throw JWTError(.invalidKey, "JWK has no \"alg\"; say which algorithm the key is for")
            }
            guard let encoded = object["k"]?.stringValue else {
                throw JWTError(.invalidKey, "oct JWK has no string \"k\"")
            }
            self = try .hmac(algorithm, base64URLSecret: encoded, kid: kid)
        default:
            throw JWTError(.invalidKey, "JWK key type \"\(JSONParser.printable(kty))\" is not supported")
        }
    }

    private static func jwkAlgorithm(_ object: JSONObject, fallback: JWTAlgorithm?) throws(JWTError) -> JWTAlgorithm? {
        guard let value = object["alg"] else { return fallback }
        guard let name = value.stringValue else { throw JWTError(.invalidKey, "JWK \"alg\" is not a string") }
        guard let algorithm = JWTAlgorithm(name: name) else {
            throw JWTError(.unsupportedAlgorithm, "JWK algorithm \"\(JSONParser.printable(name))\" is not supported")
        }
        if let fallback, fallback != algorithm {
            throw JWTError(.algorithmMismatch, "JWK is for \(algorithm.name), not \(fallback.name)")
        }
        return algorithm
    }

    private static func checkUsage(_ object: JSONObject) throws(JWTError) {
        if let use = object["use"] {
            guard use.stringValue == "sig" else {
                throw JWTError(.invalidKey, "JWK \"use\" is not \"sig\"")
            }
        }
        if let ops = object["key_ops"] {
            guard let list = ops.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw JWTError(.invalidKey, "JWK \"key_ops\" is not an array of strings")
            }
            let names = list.compactMap(\.stringValue)
            guard names.contains("sign") || names.contains("verify") else {
                throw JWTError(.invalidKey, "JWK \"key_ops\" allows neither \"sign\" nor \"verify\"")
            }
        }
    }
}
