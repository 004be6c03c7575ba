internal import CAuthKitOpenSSL

/// SHA-256 of a byte string, through libcrypto's one-shot `SHA256()`, for callers outside JWTCore (the token
/// store keeps refresh tokens only as their SHA-256).
package enum SHA256Digest {
    /// The 32-byte SHA-256 digest of `bytes`.
    package static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var output = [UInt8](repeating: 0, count: 32)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { digest in
                _ = SHA256(source.baseAddress, source.count, digest.baseAddress)
            }
        }
        return output
    }
}
