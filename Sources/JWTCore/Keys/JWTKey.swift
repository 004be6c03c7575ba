/// One signing or verification key, bound to exactly one algorithm and optionally named by a `kid`.
///
/// A token is only ever checked with a key whose algorithm equals the token's `alg` byte for byte, so a
/// key can never be used with an algorithm it was not made for.
public struct JWTKey: Sendable {
    /// The operations a key may be used for; a JWK's `key_ops` can narrow them (RFC 7517 §4.3).
    struct Operations: OptionSet, Sendable {
        let rawValue: UInt8
        static let sign = Operations(rawValue: 1)
        static let verify = Operations(rawValue: 2)
        static let all: Operations = [.sign, .verify]
    }

    let backing: any JWTKeyBacking
    let operations: Operations

    /// The algorithm this key signs and verifies with.
    public var algorithm: JWTAlgorithm { backing.algorithm }
    /// The key ID that tokens carry in their `kid` header to select this key, if any.
    public let kid: String?
    /// Whether the key can sign (HMAC secrets and private keys, unless `key_ops` forbids it).
    public var canSign: Bool { backing.canSign && operations.contains(.sign) }
    /// Whether the key may verify signatures (every key, unless `key_ops` forbids it).
    public var canVerify: Bool { operations.contains(.verify) }
    /// Whether the key is an asymmetric (RSA, EC or Ed25519) key rather than an HMAC secret.
    public var isAsymmetric: Bool { backing.evpKey != nil }

    init(backing: any JWTKeyBacking, kid: String?, operations: Operations = .all) {
        self.backing = backing
        self.kid = kid
        self.operations = operations
    }

    /// Returns this key under another `kid`.
    public func withKeyID(_ kid: String?) -> JWTKey {
        JWTKey(backing: backing, kid: kid, operations: operations)
    }

    /// An HMAC key from raw secret bytes; refused with `weakKey` when shorter than the hash output.
    public static func hmac(
        _ algorithm: JWTAlgorithm,
        secret: some Collection<UInt8>,
        kid: String? = nil
    )
        throws(JWTError) -> JWTKey
    {
        guard case .hmac(let digest) = algorithm.family else {
            throw JWTError(.invalidKey, "\(algorithm.name) is not an HMAC algorithm")
        }
        return JWTKey(backing: try HMACKeyBacking(algorithm: algorithm, digest: digest, secret: secret), kid: kid)
    }

    /// An HMAC key from a canonical base64url-encoded secret.
    public static func hmac(
        _ algorithm: JWTAlgorithm,
        base64URLSecret: String,
        kid: String? = nil
    )
        throws(JWTError) -> JWTKey
    {
        guard let secret = Base64URL.decode(base64URLSecret) else {
            throw JWTError(.invalidKey, "the secret is not canonical base64url")
        }
        return try hmac(algorithm, secret: secret, kid: kid)
    }

    /// An HS256 key from raw secret bytes (at least 32).
    public static func hs256(_ secret: some Collection<UInt8>, kid: String? = nil) throws(JWTError) -> JWTKey {
        try hmac(.hs256, secret: secret, kid: kid)
    }

    /// An HS384 key from raw secret bytes (at least 48).
    public static func hs384(_ secret: some Collection<UInt8>, kid: String? = nil) throws(JWTError) -> JWTKey {
        try hmac(.hs384, secret: secret, kid: kid)
    }

    /// An HS512 key from raw secret bytes (at least 64).
    public static func hs512(_ secret: some Collection<UInt8>, kid: String? = nil) throws(JWTError) -> JWTKey {
        try hmac(.hs512, secret: secret, kid: kid)
    }

    /// A new random HMAC key as long as the algorithm's hash output, named by its RFC 7638 thumbprint
    /// unless a `kid` is given.
    public static func generateHMAC(_ algorithm: JWTAlgorithm, kid: String? = nil) throws(JWTError) -> JWTKey {
        guard case .hmac(let digest) = algorithm.family else {
            throw JWTError(.invalidKey, "\(algorithm.name) is not an HMAC algorithm")
        }
        let key = try hmac(algorithm, secret: SecureRandom.bytes(digest.size))
        if let kid { return key.withKeyID(kid) }
        return key.withKeyID(try key.thumbprint())
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url), the default `kid` of generated keys.
    public func thumbprint() throws(JWTError) -> String {
        var canonical: [UInt8] = []
        try JSONWriter.write(try backing.thumbprintMembers(), to: &canonical)
        return Base64URL.encode(try Digest.sha256.hash(canonical))
    }

    /// The key as a JWK object: with secret or private members when `includePrivate` is true, otherwise the
    /// public key (an HMAC key has none and throws `invalidKey`).
    public func jwk(includePrivate: Bool) throws(JWTError) -> JSONObject {
        var object = try backing.jwkMembers(includePrivate: includePrivate)
        if let kid { object["kid"] = .string(kid) }
        object["alg"] = .string(algorithm.name)
        // RFC 7517 §4.3: `use` and `key_ops` should not appear together, so a narrowed key carries only the latter.
        if operations == .all {
            object["use"] = "sig"
        } else {
            // A published public key exists to verify, whatever its private half was limited to.
            let allowed = includePrivate || !isAsymmetric ? operations : .verify
            var names: [JSONValue] = []
            if allowed.contains(.sign) { names.append("sign") }
            if allowed.contains(.verify) { names.append("verify") }
            object["key_ops"] = .array(names)
        }
        return object
    }

    /// The JWK as compact JSON text.
    public func jwkString(includePrivate: Bool) throws(JWTError) -> String {
        try JSONWriter.string(.object(try jwk(includePrivate: includePrivate)))
    }
}
