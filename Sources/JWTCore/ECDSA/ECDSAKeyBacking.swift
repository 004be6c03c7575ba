/// An EC key bound to ES256 (P-256), ES384 (P-384) or ES512 (P-521), held as a ready OpenSSL key.
final class ECDSAKeyBacking: JWTKeyBacking {
    let algorithm: JWTAlgorithm
    let key: EVPKey
    private let digest: Digest
    private let curve: ECCurve

    init(algorithm: JWTAlgorithm, key: EVPKey) throws(JWTError) {
        guard case .ecdsa(let digest, let curve) = algorithm.family else {
            throw JWTError(.algorithmMismatch, "an EC key cannot be used with \(algorithm.name)")
        }
        guard key.kind == .ec(curve) else {
            throw JWTError(.algorithmMismatch, "\(algorithm.name) needs a key on \(curve.name)")
        }
        guard key.publicCheck() else {
            throw JWTError(.invalidKey, "the EC public key is not a valid point on \(curve.name)")
        }
        self.algorithm = algorithm
        self.key = key
        self.digest = digest
        self.curve = curve
    }

    var canSign: Bool { key.isPrivate }

    var signatureLength: Int? { 2 * curve.coordinateSize }

    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        guard key.isPrivate else { throw JWTError(.invalidKey, "a public key can verify but not sign") }
        let der = try key.sign(input, digest: digest, padding: .standard)
        guard let jose = ECDSASignature.jose(fromDER: der, curve: curve) else {
            throw JWTError(.cryptoFailure, "OpenSSL produced an ECDSA signature that is not DER")
        }
        return jose
    }

    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: ECDSASignature.maxDERSize, alignment: 1) { buffer in
            guard let length = ECDSASignature.der(fromJOSE: signature, curve: curve, into: buffer) else {
                return false
            }
            return key.verify(
                signature: UnsafeRawBufferPointer(rebasing: buffer[0..<length]),
                input: input,
                digest: digest,
                padding: .standard
            )
        }
    }

    func jwkMembers(includePrivate: Bool) throws(JWTError) -> JSONObject {
        let size = curve.coordinateSize
        guard let x = key.bigNumber("qx", size: size), let y = key.bigNumber("qy", size: size) else {
            throw JWTError(.invalidKey, "the EC key has no public point")
        }
        var object: JSONObject = [
            "kty": "EC", "crv": .string(curve.name), "x": .string(Base64URL.encode(x)),
            "y": .string(Base64URL.encode(y)),
        ]
        if includePrivate, key.isPrivate, let d = key.bigNumber("priv", size: size) {
            object["d"] = .string(Base64URL.encode(d))
        }
        return object
    }

    func thumbprintMembers() throws(JWTError) -> JSONObject {
        let object = try jwkMembers(includePrivate: false)
        return ["crv": .string(curve.name), "kty": "EC", "x": object["x"] ?? .null, "y": object["y"] ?? .null]
    }

    var evpKey: EVPKey? { key }
}
