import Foundation

/// Where an ``AuthKitVerifier`` finds the public keys that access tokens are checked with.
///
/// A service that only verifies tokens never holds a private key: it takes the issuer's public keys from a key
/// set in code, from a JWKS file, or from the issuer's published JWKS through ``remote(_:)``, which also picks up
/// a rotated key on the first token that names it (an unknown `kid` refreshes the set, at most once per
/// cooldown).
public struct VerificationKeys: Sendable {
    enum Source: Sendable {
        case keySet(JWTKeySet)
        case provider(any JWTKeyProvider)
        case signingKeys(SigningKeys)
    }

    let source: Source

    init(_ source: Source) {
        self.source = source
    }

    /// A key set written in code (or loaded by the app); it does not change while the process runs.
    public static func keySet(_ keys: JWTKeySet) -> VerificationKeys {
        VerificationKeys(.keySet(keys))
    }

    /// The keys of a JWKS (or single JWK) file. The file is read now, so a missing file, or one without a usable
    /// signing key, is refused at start; keys it cannot use (an encryption key, say) are skipped, as `RemoteJWKS`
    /// skips them. It is read again when its copy is older than `configuration`'s max-age or a token names a `kid`
    /// it lacks (at most once per cooldown); if it cannot be read then, the keys already read serve until their
    /// max-age and verification fails closed after.
    public static func jwksFile(
        _ path: String,
        configuration: RemoteJWKSConfiguration = RemoteJWKSConfiguration()
    ) throws(AuthKitError) -> VerificationKeys {
        let read: @Sendable () throws -> JWKSDocument = {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AuthKitError(.invalidConfiguration, "the JWKS file \(path) cannot be read")
            }
            return JWKSDocument(text: String(decoding: data, as: UTF8.self))
        }
        do {
            // Read as RemoteJWKS reads every later copy: keys it cannot use are skipped (RFC 7517 section 5), and
            // only a file without a usable signing key is refused.
            _ = try PublishedKeySet(jwks: try read().text, algorithm: configuration.algorithm)
        } catch let error as AuthKitError {
            throw error
        } catch {
            throw AuthKitError(.invalidConfiguration, "the JWKS file \(path) is not usable: \(error)")
        }
        return remote(RemoteJWKS(configuration: configuration, fetch: read))
    }

    /// Keys fetched from elsewhere, typically the issuer's `/.well-known/jwks.json` through the app's own HTTP
    /// client (see `RemoteJWKS`): cached for their max-age, refreshed on an unknown `kid` at most once per
    /// cooldown; when the source is gone, the cached keys serve until their max-age and verification fails
    /// closed after, with ``AuthKitError/Code-swift.struct/keysUnavailable``.
    public static func remote(_ jwks: RemoteJWKS) -> VerificationKeys {
        VerificationKeys(.provider(jwks))
    }
}
