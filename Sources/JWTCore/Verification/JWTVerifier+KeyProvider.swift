import AuthKitClock

/// Verifying with keys that a ``JWTKeyProvider`` (such as ``RemoteJWKS``) finds by the token's `kid`.
extension JWTVerifier {
    /// Verifies `token` with the key `provider` returns for its `kid`; the verifier's own ``keys`` are not
    /// consulted. The header is parsed before the key is requested, so a malformed token never causes a fetch.
    public func verify(
        _ token: String,
        keyProvider provider: some JWTKeyProvider
    ) async throws(JWTError)
        -> VerifiedJWT
    {
        let header = try header(of: token)
        let key = try await provider.key(for: header.keyID, at: clock.now())
        var text = token
        let result = text.withUTF8 { buffer -> Result<VerifiedJWT, JWTError> in
            do throws(JWTError) {
                return .success(try verify(bytes: UnsafeRawBufferPointer(buffer), key: key, text: token))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Verifies `token` with the key of its `kid` in `keys` rather than in the verifier's own ``keys``: for a key
    /// set that changes while the process runs (AuthKit's signing-key ring), without rebuilding the verifier.
    package func verify(_ token: String, keys: JWTKeySet) throws(JWTError) -> VerifiedJWT {
        var text = token
        let result = text.withUTF8 { buffer -> Result<VerifiedJWT, JWTError> in
            do throws(JWTError) {
                return .success(try verify(bytes: UnsafeRawBufferPointer(buffer), keys: keys, text: token))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The checked header of `token`, with its algorithm accepted by the policy, before any key is chosen.
    private func header(of token: String) throws(JWTError) -> JWTHeader {
        var text = token
        let result = text.withUTF8 { buffer -> Result<JWTHeader, JWTError> in
            do throws(JWTError) {
                return .success(try checkedHeader(UnsafeRawBufferPointer(buffer)).header)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
