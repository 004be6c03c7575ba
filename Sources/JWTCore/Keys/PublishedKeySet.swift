/// A key set as someone else publishes it — an identity provider's `jwks_uri`, a JWKS file — read the way
/// RFC 7517 §5 asks: keys this verifier cannot use are skipped, not fatal to the set.
///
/// Identity providers publish encryption keys (`use: "enc"`, `alg: "RSA-OAEP"`), keys on curves or of key types
/// AuthKit does not support, and keys for algorithms it does not implement next to their signing keys; refusing
/// the whole set over one of them would refuse every token. A key is skipped, with the reason, when
/// ``JWTKey/init(jwk:algorithm:)-(JSONObject,_)`` cannot read it as a signature key (any of the above, a
/// `key_ops` without `verify` or `sign`, missing or malformed members, a point off its curve), or when its `kid`
/// is shared with another usable key (or it is one of several usable keys without a `kid`): a token naming that
/// `kid` could not choose, so none of them is accepted.
///
/// The set is refused only when the document itself is malformed (not JSON, `keys` not an array of objects), when
/// its usable keys mix HMAC secrets with asymmetric keys, or when no usable key is left. ``RemoteJWKS`` reads what
/// it fetches this way; a set built in code (``JWTKeySet/init(_:requiresKeyID:)``,
/// ``JWTKeySet/init(jwks:algorithm:)-(String,_)``) stays strict.
public struct PublishedKeySet: Sendable {
    /// A key of the document that the set does not hold, and why.
    public struct SkippedKey: Sendable, Hashable, CustomStringConvertible {
        /// The key's position in the document's `keys` array (0 for a single JWK).
        public var index: Int
        /// The key's `kid`, when it has a string one.
        public var kid: String?
        /// Why it was skipped.
        public var reason: String

        /// Creates a description of a skipped key.
        public init(index: Int, kid: String?, reason: String) {
            self.index = index
            self.kid = kid
            self.reason = reason
        }

        /// The text shown when the value is printed or logged.
        public var description: String {
            let name = kid.map { "\"\(JSONParser.printable($0))\"" } ?? "without kid"
            return "key \(index) (\(name)) skipped: \(reason)"
        }
    }

    /// The usable keys.
    public let keys: JWTKeySet
    /// The keys of the document that ``keys`` does not hold, in document order.
    public let skipped: [SkippedKey]

    /// Reads JWKS text (`{"keys":[…]}`) or a single JWK; `algorithm` is used for keys whose JWK names none.
    /// - Throws: ``JWTError`` when the document is malformed, mixes secrets with asymmetric keys, or leaves no
    ///   usable key.
    public init(jwks text: String, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        try self.init(jwks: try JWTKeySet.parseJWKS(text), algorithm: algorithm)
    }

    /// Reads a parsed JWKS or JWK object; see ``init(jwks:algorithm:)-(String,_)``.
    public init(jwks object: JSONObject, algorithm: JWTAlgorithm? = nil) throws(JWTError) {
        var usable: [(index: Int, key: JWTKey)] = []
        var skipped: [SkippedKey] = []
        for (index, jwk) in try JWTKeySet.jwkObjects(object).enumerated() {
            do throws(JWTError) {
                usable.append((index, try JWTKey(jwk: jwk, algorithm: algorithm)))
            } catch {
                skipped.append(SkippedKey(index: index, kid: jwk["kid"]?.stringValue, reason: error.description))
            }
        }
        var uses: [String?: Int] = [:]
        for (_, key) in usable {
            uses[key.kid, default: 0] += 1
        }
        var kept: [JWTKey] = []
        for (index, key) in usable {
            guard uses[key.kid] == 1 else {
                let reason = key.kid == nil ? "several usable keys have no kid" : "several usable keys have this kid"
                skipped.append(SkippedKey(index: index, kid: key.kid, reason: reason))
                continue
            }
            kept.append(key)
        }
        guard !kept.isEmpty else {
            let reasons = skipped.sorted { $0.index < $1.index }.map(\.description).joined(separator: "; ")
            throw JWTError(
                .invalidKey,
                "the JWKS holds no usable signature key (\(reasons.isEmpty ? "empty" : reasons))"
            )
        }
        try JWTKeySet.checkNotMixed(kept)
        self.keys = try JWTKeySet(kept)
        self.skipped = skipped.sorted { $0.index < $1.index }
    }
}
