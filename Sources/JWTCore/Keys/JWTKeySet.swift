/// The keys a verifier accepts, addressed by `kid`.
///
/// A token that names a `kid` is checked only with the key of that `kid`, never with a fallback. A token
/// without a `kid` is accepted only when the choice is unambiguous: the set's one key without a `kid`, or
/// its only key.
public struct JWTKeySet: Sendable {
    private var byID: [String: JWTKey]
    private var unnamed: JWTKey?
    /// Every key in the set, in the order they were added.
    public private(set) var keys: [JWTKey]

    /// Creates a set; two keys with the same `kid`, or two keys without one, are a configuration error.
    public init(_ keys: [JWTKey] = []) throws(JWTError) {
        byID = [:]
        unnamed = nil
        self.keys = []
        for key in keys {
            try add(key)
        }
    }

    /// Creates a set from JWKS text (`{"keys":[…]}`) or a single JWK.
    public init(jwks text: String, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        let object = try JSONParser.parseObject(
            Array(text.utf8.prefix(JWTKey.maxJWKSize + 1)),
            maxDepth: 8,
            what: "JWKS"
        )
        guard let members = object["keys"] else {
            try self.init([try JWTKey(jwk: object, algorithm: algorithm)])
            return
        }
        guard let list = members.arrayValue else {
            throw JWTError(.invalidKey, "JWKS \"keys\" is not an array")
        }
        var keys: [JWTKey] = []
        for element in list {
            guard let jwk = element.objectValue else {
                throw JWTError(.invalidKey, "JWKS \"keys\" holds something other than an object")
            }
            keys.append(try JWTKey(jwk: jwk, algorithm: algorithm))
        }
        try self.init(keys)
    }

    /// Adds a key; its `kid` must not be in the set already.
    public mutating func add(_ key: JWTKey) throws(JWTError) {
        if let kid = key.kid {
            guard byID[kid] == nil else {
                throw JWTError(.invalidConfiguration, "two keys have the kid \"\(JSONParser.printable(kid))\"")
            }
            byID[kid] = key
        } else {
            guard unnamed == nil else {
                throw JWTError(.invalidConfiguration, "two keys have no kid, so tokens could not choose between them")
            }
            unnamed = key
        }
        keys.append(key)
    }

    /// The key of `kid`, or when `kid` is nil the one unambiguous key; otherwise `unknownKey`.
    public func key(for kid: String?) throws(JWTError) -> JWTKey {
        if let kid {
            guard let key = byID[kid] else {
                throw JWTError(.unknownKey, "no key has the kid \"\(JSONParser.printable(kid))\"")
            }
            return key
        }
        if let unnamed { return unnamed }
        if keys.count == 1 { return keys[0] }
        throw JWTError(.unknownKey, "the token has no kid and the key set holds \(keys.count) keys")
    }
}
