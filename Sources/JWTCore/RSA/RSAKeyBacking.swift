/// An RSA key bound to one of RS256/384/512 or PS256/384/512, held as a ready OpenSSL key.
final class RSAKeyBacking: JWTKeyBacking {
    /// The smallest modulus AuthKit accepts (RFC 7518 §3.3 and §3.5).
    static let minimumBits = 2048

    let algorithm: JWTAlgorithm
    let key: EVPKey
    private let digest: Digest
    private let padding: EVPKey.Padding

    init(algorithm: JWTAlgorithm, key: EVPKey) throws(JWTError) {
        switch algorithm.family {
        case .rsaPKCS1(let digest):
            self.digest = digest
            self.padding = .standard
        case .rsaPSS(let digest):
            self.digest = digest
            self.padding = .pss
        default:
            throw JWTError(.algorithmMismatch, "an RSA key cannot be used with \(algorithm.name)")
        }
        guard key.kind == .rsa else {
            throw JWTError(.algorithmMismatch, "\(algorithm.name) needs an RSA key")
        }
        guard key.bits >= Self.minimumBits else {
            throw JWTError(.weakKey, "RSA keys must have at least \(Self.minimumBits) bits; this one has \(key.bits)")
        }
        guard let modulus = key.bigNumber("n"), let exponent = key.bigNumber("e") else {
            throw JWTError(.invalidKey, "the RSA key has no modulus or exponent")
        }
        // An even or tiny exponent (e = 1 makes every "signature" its own message) is never legitimate.
        guard let last = exponent.last, last & 1 == 1, exponent.count > 1 || last >= 3 else {
            throw JWTError(.weakKey, "the RSA public exponent must be odd and at least 3")
        }
        guard modulus.last.map({ $0 & 1 == 1 }) == true else {
            throw JWTError(.invalidKey, "the RSA modulus is even")
        }
        guard !ROCAFingerprint.matches(modulus: modulus) else {
            throw JWTError(.weakKey, "the RSA modulus has the ROCA fingerprint (CVE-2017-15361); replace the key")
        }
        self.algorithm = algorithm
        self.key = key
    }

    var canSign: Bool { key.isPrivate }

    var signatureLength: Int? { (key.bits + 7) / 8 }

    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        guard key.isPrivate else { throw JWTError(.invalidKey, "a public key can verify but not sign") }
        return try key.sign(input, digest: digest, padding: padding)
    }

    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
        // RFC 8017 §8.2.2: the signature is exactly as long as the modulus; OpenSSL would otherwise accept
        // some shorter encodings.
        guard signature.count == (key.bits + 7) / 8 else { return false }
        return key.verify(signature: signature, input: input, digest: digest, padding: padding)
    }

    func jwkMembers(includePrivate: Bool) throws(JWTError) -> JSONObject {
        guard let n = key.bigNumber("n"), let e = key.bigNumber("e") else {
            throw JWTError(.invalidKey, "the RSA key has no modulus or exponent")
        }
        var object: JSONObject = ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
        guard includePrivate, key.isPrivate else { return object }
        let members = [
            ("d", "d"), ("p", "rsa-factor1"), ("q", "rsa-factor2"), ("dp", "rsa-exponent1"),
            ("dq", "rsa-exponent2"), ("qi", "rsa-coefficient1"),
        ]
        for (name, parameter) in members {
            if let value = key.bigNumber(parameter) { object[name] = .string(Base64URL.encode(value)) }
        }
        return object
    }

    func thumbprintMembers() throws(JWTError) -> JSONObject {
        let object = try jwkMembers(includePrivate: false)
        return ["e": object["e"] ?? .null, "kty": "RSA", "n": object["n"] ?? .null]
    }

    var evpKey: EVPKey? { key }
}
