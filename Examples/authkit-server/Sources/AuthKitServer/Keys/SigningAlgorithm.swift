public import AuthKit

/// The algorithm the server signs access tokens with (`--alg`).
///
/// The key is generated at start and lives only in memory: tokens do not survive a restart, and several
/// instances behind one load balancer would each have their own key. A real deployment loads its keys from a
/// secret store and publishes the public halves in its JWKS.
public enum SigningAlgorithm: String, CaseIterable, Sendable {
    /// ECDSA over P-256 with SHA-256: the default; verifiers need only the published public key.
    case es256 = "ES256"
    /// EdDSA with Ed25519: small keys and signatures, deterministic signing.
    case eddsa = "EdDSA"
    /// HMAC with SHA-256: one shared secret signs and verifies, so it is never published.
    case hs256 = "HS256"

    /// The JWTCore algorithm.
    public var algorithm: JWTAlgorithm {
        switch self {
        case .es256: .es256
        case .eddsa: .eddsa
        case .hs256: .hs256
        }
    }

    /// A new random signing key for this algorithm, named (`kid`) by its RFC 7638 thumbprint.
    public func generateKey() throws(AuthServerError) -> JWTKey {
        do {
            return try JWTKey.generate(algorithm)
        } catch {
            throw AuthServerError(.keySetupFailed, "could not generate a \(rawValue) key: \(error)")
        }
    }
}
