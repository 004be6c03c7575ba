/// An Ed25519 key for `EdDSA` (RFC 8037), held as a ready OpenSSL key.
final class EdDSAKeyBacking: JWTKeyBacking {
    let algorithm: JWTAlgorithm
    let key: EVPKey

    init(algorithm: JWTAlgorithm, key: EVPKey) throws(JWTError) {
        guard case .eddsa = algorithm.family else {
            throw JWTError(.algorithmMismatch, "an Ed25519 key cannot be used with \(algorithm.name)")
        }
        guard key.kind == .ed25519 else {
            throw JWTError(.algorithmMismatch, "EdDSA needs an Ed25519 key")
        }
        self.algorithm = algorithm
        self.key = key
    }

    var canSign: Bool { key.isPrivate }

    var signatureLength: Int? { 64 }

    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        guard key.isPrivate else { throw JWTError(.invalidKey, "a public key can verify but not sign") }
        return try key.sign(input, digest: nil, padding: .standard)
    }

    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64 else { return false }
        return key.verify(signature: signature, input: input, digest: nil, padding: .standard)
    }

    func jwkMembers(includePrivate: Bool) throws(JWTError) -> JSONObject {
        var object: JSONObject = [
            "kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(try key.rawPublicKey())),
        ]
        if includePrivate, key.isPrivate {
            object["d"] = .string(Base64URL.encode(try key.rawPrivateKey()))
        }
        return object
    }

    func thumbprintMembers() throws(JWTError) -> JSONObject {
        ["crv": "Ed25519", "kty": "OKP", "x": .string(Base64URL.encode(try key.rawPublicKey()))]
    }

    var evpKey: EVPKey? { key }
}
