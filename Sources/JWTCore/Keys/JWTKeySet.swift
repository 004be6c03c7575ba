public import AuthKitClock

/// The keys a verifier accepts, addressed by `kid`.
///
/// A token that names a `kid` is checked only with the key of that `kid`, never with a fallback. A token
/// without a `kid` is accepted only when the choice is unambiguous: the set's one key without a `kid`, or
/// its only key — and never when ``requiresKeyID`` is set. A key may carry an instant after which it is no
/// longer accepted (a rotated-out key, see ``JWTKeyRing``).
public struct JWTKeySet: Sendable {
    private var byID: [String: Int]
    private var unnamed: Int?
    private var acceptedUntil: [UnixTime?]
    /// Every key in the set, in the order they were added.
    public private(set) var keys: [JWTKey]
    /// When true, a token without a `kid` is rejected even if the set holds a single key.
    public var requiresKeyID: Bool

    /// Creates a set; two keys with the same `kid`, or two keys without one, are a configuration error.
    public init(_ keys: [JWTKey] = [], requiresKeyID: Bool = false) throws(JWTError) {
        byID = [:]
        unnamed = nil
        acceptedUntil = []
        self.keys = []
        self.requiresKeyID = requiresKeyID
        for key in keys {
            try add(key)
        }
    }

    /// Creates a set from JWKS text (`{"keys":[…]}`) or a single JWK.
    ///
    /// A JWKS that mixes HMAC secrets with asymmetric keys is refused: a published set holds public keys, and
    /// a secret next to them invites algorithm confusion.
    public init(jwks text: String, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        try self.init(jwks: try Self.parseJWKS(text), algorithm: algorithm)
    }

    /// JWKS or JWK text parsed into its object, within the JWK size and nesting caps.
    static func parseJWKS(_ text: String) throws(JWTError) -> JSONObject {
        try JSONParser.parseObject(Array(text.utf8.prefix(JWTKey.maxJWKSize + 1)), maxDepth: 8, what: "JWKS")
    }

    /// Creates a set from a parsed JWKS or JWK object; see ``init(jwks:algorithm:)-(String,_)``.
    ///
    /// Strict: one key that cannot be read refuses the whole set. A set published by someone else (a JWKS URI, a
    /// file) is better read with ``PublishedKeySet``, which skips such keys as RFC 7517 §5 asks.
    public init(jwks object: JSONObject, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        var keys: [JWTKey] = []
        for jwk in try Self.jwkObjects(object) {
            keys.append(try JWTKey(jwk: jwk, algorithm: algorithm))
        }
        try Self.checkNotMixed(keys)
        try self.init(keys)
    }

    /// The JWK objects of a JWKS (`{"keys":[…]}`), or the object itself when it is a single JWK.
    static func jwkObjects(_ object: JSONObject) throws(JWTError) -> [JSONObject] {
        guard let members = object["keys"] else {
            return [object]
        }
        guard let list = members.arrayValue else {
            throw JWTError(.invalidKey, "JWKS \"keys\" is not an array")
        }
        var objects: [JSONObject] = []
        for element in list {
            guard let jwk = element.objectValue else {
                throw JWTError(.invalidKey, "JWKS \"keys\" holds something other than an object")
            }
            objects.append(jwk)
        }
        return objects
    }

    /// Refuses a set that mixes HMAC secrets with asymmetric keys: a published set holds public keys, and a secret
    /// next to them invites algorithm confusion.
    static func checkNotMixed(_ keys: [JWTKey]) throws(JWTError) {
        if keys.contains(where: \.isAsymmetric), keys.contains(where: { !$0.isAsymmetric }) {
            throw JWTError(.invalidKey, "the JWKS mixes HMAC secrets with asymmetric keys")
        }
    }

    /// Adds a key; its `kid` must not be in the set already. When `acceptedUntil` is given, tokens are no
    /// longer verified with the key from that instant on.
    public mutating func add(_ key: JWTKey, acceptedUntil: UnixTime? = nil) throws(JWTError) {
        let index = keys.count
        if let kid = key.kid {
            guard byID[kid] == nil else {
                throw JWTError(.invalidConfiguration, "two keys have the kid \"\(JSONParser.printable(kid))\"")
            }
            byID[kid] = index
        } else {
            guard unnamed == nil else {
                throw JWTError(.invalidConfiguration, "two keys have no kid, so tokens could not choose between them")
            }
            unnamed = index
        }
        keys.append(key)
        self.acceptedUntil.append(acceptedUntil)
    }

    /// The key of `kid`, or when `kid` is nil the one unambiguous key; otherwise `unknownKey`. Acceptance
    /// windows are not considered; see ``key(for:at:)``.
    public func key(for kid: String?) throws(JWTError) -> JWTKey {
        keys[try index(for: kid)]
    }

    /// The key of `kid` as ``key(for:)`` finds it, provided it is still accepted at `now`.
    public func key(for kid: String?, at now: UnixTime) throws(JWTError) -> JWTKey {
        try key(for: kid, now: { now })
    }

    /// ``key(for:at:)`` reading the time only for a key that has an acceptance window.
    func key(for kid: String?, now: () -> UnixTime) throws(JWTError) -> JWTKey {
        let index = try index(for: kid)
        if let until = acceptedUntil[index], now() >= until {
            throw JWTError(
                .unknownKey,
                "the key \"\(JSONParser.printable(kid ?? ""))\" was retired at \(until.seconds)"
            )
        }
        return keys[index]
    }

    /// The instant from which the key of `kid` is no longer accepted, if it has one.
    public func acceptedUntil(kid: String) -> UnixTime? {
        byID[kid].flatMap { acceptedUntil[$0] }
    }

    private func index(for kid: String?) throws(JWTError) -> Int {
        if let kid {
            // A handful of keys (a ring mid-rotation) is found sooner by comparing short strings than by hashing
            // the token's `kid`; `kid`s are unique in a set, so both find the same key.
            if keys.count <= 4 {
                for index in keys.indices where keys[index].kid == kid {
                    return index
                }
            }
            guard let index = byID[kid] else {
                throw JWTError(.unknownKey, "no key has the kid \"\(JSONParser.printable(kid))\"")
            }
            return index
        }
        guard !requiresKeyID else { throw JWTError(.unknownKey, "the token has no kid and this key set requires one") }
        if let unnamed { return unnamed }
        if keys.count == 1 { return 0 }
        throw JWTError(.unknownKey, "the token has no kid and the key set holds \(keys.count) keys")
    }

    /// The public JWKS of the set's asymmetric keys, as a server publishes it at `/.well-known/jwks.json`:
    /// never a private member, never an HMAC secret, and when `now` is given no key already retired.
    public func publicJWKS(at now: UnixTime? = nil) throws(JWTError) -> JSONObject {
        var list: [JSONValue] = []
        for (key, until) in zip(keys, acceptedUntil) where key.isAsymmetric {
            if let now, let until, now >= until { continue }
            list.append(.object(try key.jwk(includePrivate: false)))
        }
        return ["keys": .array(list)]
    }

    /// ``publicJWKS(at:)`` as compact JSON text.
    public func publicJWKSString(at now: UnixTime? = nil) throws(JWTError) -> String {
        try JSONWriter.string(.object(try publicJWKS(at: now)))
    }
}
