import Foundation
import Synchronization

/// An EC key bound to ES256 (P-256), ES384 (P-384) or ES512 (P-521), held as a ready OpenSSL key.
///
/// An ES256 key that keeps verifying switches to a precomputed table for its public point (``P256Verifier``,
/// about twice as fast), as ``P256TableState`` decides; the other curves always verify with `EVP_DigestVerify`.
final class ECDSAKeyBacking: JWTKeyBacking {
    let algorithm: JWTAlgorithm
    let key: EVPKey
    private let digest: Digest
    private let curve: ECCurve
    private let table: Mutex<P256TableState>

    /// `tableThreshold` is how many ES256 verifies run generically before the table is built.
    init(
        algorithm: JWTAlgorithm,
        key: EVPKey,
        tableThreshold: Int = P256TableState.defaultThreshold
    ) throws(JWTError) {
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
        self.table = Mutex(P256TableState(threshold: curve == .p256 ? tableThreshold : nil))
    }

    /// Whether ES256 verifies now use the precomputed table (for tests: it is built on a thread of its own, so it
    /// becomes ready shortly after the verify that reached the threshold).
    var usesTable: Bool { table.withLock { $0.isReady } }

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
        switch table.withLock({ $0.nextVerify() }) {
        case .table(let verifier):
            return verifier.verify(signature: signature, input: input)
        case .build:
            // Building takes about 20 ms: on a thread of its own, so that no caller (often a task on Swift's
            // cooperative pool) waits for it. Verifies stay generic until it is ready.
            Thread.detachNewThread { [self] in buildTable() }
            return genericVerify(signature: signature, input: input)
        case .generic:
            return genericVerify(signature: signature, input: input)
        }
    }

    /// Builds the key's ``P256Verifier`` table and hands it to the state (`nil` when building failed).
    private func buildTable() {
        let verifier = try? P256Verifier(key: key)
        table.withLock { $0.finishBuilding(verifier) }
    }

    /// `EVP_DigestVerify` on the DER form of the JOSE signature.
    func genericVerify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
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
