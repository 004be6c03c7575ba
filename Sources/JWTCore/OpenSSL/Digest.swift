internal import CAuthKitOpenSSL

/// The SHA-2 digests JOSE algorithms are built on, with OpenSSL's fetched `EVP_MD` for each.
enum Digest: Sendable {
    case sha256
    case sha384
    case sha512

    /// Output size in bytes; also the minimum HMAC key length AuthKit accepts for the algorithm.
    var size: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// Block size in bytes: the length HMAC pads its key to (RFC 2104 §2).
    var blockSize: Int {
        switch self {
        case .sha256: 64
        case .sha384, .sha512: 128
        }
    }

    /// The OpenSSL name used for `EVP_MD_fetch` and the HMAC `digest` parameter.
    var openSSLName: String {
        switch self {
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        case .sha512: "SHA512"
        }
    }

    /// One-shot digest of `input` (`EVP_Digest`).
    func hash(_ input: some Collection<UInt8>) throws(JWTError) -> [UInt8] {
        try Array(input).withBytes { (bytes) throws(JWTError) in try hash(bytes) }
    }

    /// One-shot digest of `input` (`EVP_Digest`), for bytes that must not be copied (a secret).
    func hash(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { outputBuffer in
            EVP_Digest(
                input.baseAddress,
                input.count,
                outputBuffer.baseAddress,
                &length,
                evpMD,
                nil
            )
        }
        guard status == 1, Int(length) == size else { throw OpenSSLError.take("EVP_Digest(\(openSSLName))") }
        return output
    }

    /// The legacy (non-fetched) `EVP_MD`, which OpenSSL owns for the life of the process.
    var evpMD: OpaquePointer? {
        switch self {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }
}
