public import AuthKitClock

/// Where a verifier finds the key for a token's `kid` when keys can change while the process runs.
///
/// ``JWTKeySet`` answers from memory; ``RemoteJWKS`` fetches a JWKS through a closure the application
/// supplies. An implementation must reject an unknown `kid` rather than fall back to another key.
public protocol JWTKeyProvider: Sendable {
    /// The key of `kid` accepted at `now`, or `unknownKey` (or `keySourceUnavailable`).
    func key(for kid: String?, at now: UnixTime) async throws(JWTError) -> JWTKey
}

extension JWTKeySet: JWTKeyProvider {}
