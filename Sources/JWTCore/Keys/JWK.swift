/// Reading keys from JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037 §2) and key sets.
extension JWTKey {
    /// The largest JWK or JWKS document AuthKit reads.
    static let maxJWKSize = 1 << 20

    /// A key from JWK text. The JWK's `alg` wins; `algorithm` is used only when the JWK has none, and a
    /// conflict between the two is an error. `use` must be `sig` and `key_ops` must allow signing or
    /// verification when present; `key_ops` also limits what the key may do (`["verify"]` cannot sign).
    ///
    /// `kty` `oct` (HMAC), `RSA` (public `n`/`e`, private also `d` and optionally `p`/`q`/`dp`/`dq`/`qi`),
    /// `EC` (`crv` P-256/384/521, `x`/`y` checked to be on the curve, private `d`) and `OKP` (`crv` Ed25519,
    /// `x`, private `d`). An RSA JWK needs an algorithm; an EC or OKP JWK's curve fixes it.
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
        let operations = try Self.checkUsage(object)
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
            let key = try JWTKey.hmac(algorithm, base64URLSecret: encoded, kid: kid)
            self.init(backing: key.backing, kid: kid, operations: operations)
        case "RSA":
            guard let algorithm = named else {
                throw JWTError(.invalidKey, "RSA JWK has no \"alg\"; say which algorithm the key is for")
            }
            try self.init(evpKey: try Self.rsaKey(object), algorithm: algorithm, kid: kid, operations: operations)
        case "EC":
            try self.init(evpKey: try Self.ecKey(object), algorithm: named, kid: kid, operations: operations)
        case "OKP":
            try self.init(evpKey: try Self.okpKey(object), algorithm: named, kid: kid, operations: operations)
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

    /// Checks `use` and `key_ops`, and returns the signature operations the JWK allows.
    private static func checkUsage(_ object: JSONObject) throws(JWTError) -> Operations {
        if let use = object["use"] {
            guard use.stringValue == "sig" else {
                throw JWTError(.invalidKey, "JWK \"use\" is not \"sig\"")
            }
        }
        guard let ops = object["key_ops"] else { return .all }
        guard let list = ops.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw JWTError(.invalidKey, "JWK \"key_ops\" is not an array of strings")
        }
        let names = list.compactMap(\.stringValue)
        guard Set(names).count == names.count else {
            throw JWTError(.invalidKey, "JWK \"key_ops\" repeats a value")
        }
        var operations: Operations = []
        if names.contains("sign") { operations.insert(.sign) }
        if names.contains("verify") { operations.insert(.verify) }
        guard !operations.isEmpty else {
            throw JWTError(.invalidKey, "JWK \"key_ops\" allows neither \"sign\" nor \"verify\"")
        }
        return operations
    }

    /// A base64url member decoded, optionally of an exact length.
    private static func bytes(
        _ object: JSONObject,
        _ name: String,
        kty: String,
        count: Int? = nil
    ) throws(JWTError)
        -> [UInt8]?
    {
        guard let value = object[name] else { return nil }
        guard let text = value.stringValue, let bytes = Base64URL.decode(text), !bytes.isEmpty else {
            throw JWTError(.invalidKey, "\(kty) JWK member \"\(name)\" is not canonical base64url")
        }
        if let count, bytes.count != count {
            throw JWTError(.invalidKey, "\(kty) JWK member \"\(name)\" must be \(count) bytes, not \(bytes.count)")
        }
        return bytes
    }

    private static func required(
        _ object: JSONObject,
        _ name: String,
        kty: String,
        count: Int? = nil
    )
        throws(JWTError) -> [UInt8]
    {
        guard let bytes = try bytes(object, name, kty: kty, count: count) else {
            throw JWTError(.invalidKey, "\(kty) JWK has no \"\(name)\"")
        }
        return bytes
    }

    private static func rsaKey(_ object: JSONObject) throws(JWTError) -> EVPKey {
        guard object["oth"] == nil else {
            throw JWTError(.invalidKey, "RSA JWKs with more than two primes (\"oth\") are not supported")
        }
        var parameters: [EVPKey.Parameter] = [
            .bigNumber("n", try required(object, "n", kty: "RSA")),
            .bigNumber("e", try required(object, "e", kty: "RSA")),
        ]
        guard let d = try bytes(object, "d", kty: "RSA") else {
            return try EVPKey.fromData(type: "RSA", parameters: parameters, includesPrivate: false)
        }
        parameters.append(.bigNumber("d", d))
        let crt = [
            ("p", "rsa-factor1"), ("q", "rsa-factor2"), ("dp", "rsa-exponent1"), ("dq", "rsa-exponent2"),
            ("qi", "rsa-coefficient1"),
        ]
        var present = 0
        for (name, parameter) in crt {
            if let value = try bytes(object, name, kty: "RSA") {
                parameters.append(.bigNumber(parameter, value))
                present += 1
            }
        }
        guard present == 0 || present == crt.count else {
            throw JWTError(.invalidKey, "RSA JWK has some but not all of \"p\", \"q\", \"dp\", \"dq\", \"qi\"")
        }
        let key = try EVPKey.fromData(type: "RSA", parameters: parameters, includesPrivate: true)
        guard present == 0 || key.pairwiseCheck() else {
            throw JWTError(.invalidKey, "the RSA JWK's private members do not match its public key")
        }
        return key
    }

    private static func ecKey(_ object: JSONObject) throws(JWTError) -> EVPKey {
        guard let name = object["crv"]?.stringValue else { throw JWTError(.invalidKey, "EC JWK has no string \"crv\"") }
        guard let curve = ECCurve(name: name), curve.name == name else {
            throw JWTError(.invalidKey, "EC JWK curve \"\(JSONParser.printable(name))\" is not supported")
        }
        let size = curve.coordinateSize
        let x = try required(object, "x", kty: "EC", count: size)
        let y = try required(object, "y", kty: "EC", count: size)
        var parameters: [EVPKey.Parameter] = [.utf8("group", curve.name), .octets("pub", [0x04] + x + y)]
        let d = try bytes(object, "d", kty: "EC", count: size)
        if let d { parameters.append(.bigNumber("priv", d)) }
        let key = try EVPKey.fromData(type: "EC", parameters: parameters, includesPrivate: d != nil)
        guard key.publicCheck() else {
            throw JWTError(.invalidKey, "the EC JWK's point is not on \(curve.name)")
        }
        guard d == nil || key.pairwiseCheck() else {
            throw JWTError(.invalidKey, "the EC JWK's \"d\" does not match its public point")
        }
        return key
    }

    private static func okpKey(_ object: JSONObject) throws(JWTError) -> EVPKey {
        guard object["crv"]?.stringValue == "Ed25519" else {
            throw JWTError(.invalidKey, "OKP JWKs are supported only with \"crv\" Ed25519")
        }
        let x = try required(object, "x", kty: "OKP", count: 32)
        guard let d = try bytes(object, "d", kty: "OKP", count: 32) else {
            return try EVPKey.ed25519(raw: x, isPrivate: false)
        }
        let key = try EVPKey.ed25519(raw: d, isPrivate: true)
        guard try key.rawPublicKey() == x else {
            throw JWTError(.invalidKey, "the OKP JWK's \"d\" does not match its \"x\"")
        }
        return key
    }
}
